using Microsoft.AspNetCore.Components;
using Portal.Core.Analytics;

namespace Portal.Components.Charts;

/// <summary>
/// Speed, longitudinal and lateral acceleration and lean stacked on one shared time axis, with
/// turns shaded and the crash moment marked; optionally a second ride overlaid for comparison.
/// </summary>
public sealed partial class RideTracesChart
{
    internal static readonly ChartAxis TimeAxis = new("Time", "s");
    internal const string LeftTurnColor = "#42a5f5";
    internal const string RightTurnColor = "#ffa726";
    internal const string CrashColor = "#d32f2f";

    // Fixed margins so the data areas of all panels start and end at the same pixel.
    private static readonly ChartPadding PanelPadding = new(72, 16, 48, 30);

    private RideTraces? _builtTraces;
    private RideTraces? _builtComparison;
    private double? _builtCrash;
    private string? _builtLabels;
    private IReadOnlyList<Panel> _panels = [];
    private IReadOnlyList<ChartMarker> _markers = [];
    private IReadOnlyList<ChartSpan> _turnSpans = [];
    private bool _hasTurns;
    private ChartRange? _timeRange;

    [Parameter] public RideTraces? Traces { get; set; }

    /// <summary>Seconds from the start of the ride; draws a "Crash" marker on every panel.</summary>
    [Parameter] public double? CrashTimeS { get; set; }

    /// <summary>A second ride (or lap) drawn over the first, its time axis also starting at 0 s.</summary>
    [Parameter] public RideTraces? Comparison { get; set; }

    /// <summary>Legend name of <see cref="Traces"/> when a comparison is shown.</summary>
    [Parameter] public string Label { get; set; } = "Ride A";

    [Parameter] public string ComparisonLabel { get; set; } = "Ride B";

    [Parameter] public int Width { get; set; } = 720;

    [Parameter] public int PanelHeight { get; set; } = 220;

    protected override void OnParametersSet()
    {
        var labels = Label + "\n" + ComparisonLabel;
        if (ReferenceEquals(Traces, _builtTraces) && ReferenceEquals(Comparison, _builtComparison)
            && CrashTimeS == _builtCrash && labels == _builtLabels && _panels.Count > 0)
        {
            return;
        }

        _builtTraces = Traces;
        _builtComparison = Comparison;
        _builtCrash = CrashTimeS;
        _builtLabels = labels;

        _turnSpans = BuildTurnSpans(Traces?.Turns ?? []);
        _hasTurns = _turnSpans.Count > 0;
        _markers = CrashTimeS is { } crash ? [new ChartMarker(crash, "Crash") { Color = CrashColor }] : [];
        _panels =
        [
            BuildPanel("speed", "Speed", "km/h", [("Speed", RideTraceNames.Speed, "#1976d2", "#d81b60")]),
            BuildPanel("acceleration", "Acceleration", "m/s²",
                [("Longitudinal", RideTraceNames.LongitudinalAcceleration, "#2e7d32", "#6d4c41"), ("Lateral", RideTraceNames.LateralAcceleration, "#ef6c00", "#00838f")]),
            BuildPanel("lean", "Lean", "°", [("Lean", RideTraceNames.Lean, "#6a1b9a", "#c0ca33")]),
        ];

        var allTimes = _panels.SelectMany(panel => panel.Series).Select(series => series.X);
        var extent = ChartMath.Extent(allTimes);
        _timeRange = extent is null ? null : extent with { Max = Math.Max(extent.Max, CrashTimeS ?? extent.Max) };
    }

    /// <param name="channels">Each channel's colour for the ride and, distinct from every other line, for the compared ride (also dashed).</param>
    private Panel BuildPanel(string key, string quantity, string defaultUnit, IReadOnlyList<(string Name, IReadOnlyList<string> Aliases, string Color, string ComparedColor)> channels)
    {
        var series = new List<ChartSeries>();
        string? unit = null;
        foreach (var (name, aliases, color, comparedColor) in channels)
        {
            if (Traces.Find(aliases) is { } trace)
            {
                unit ??= trace.Unit;
                var label = Comparison is null ? name : $"{name} {Label}";
                series.Add(new ChartSeries(label, trace.Unit, trace.T, trace.Values) { Color = color });
            }

            if (Comparison.Find(aliases) is { } compared)
            {
                unit ??= compared.Unit;
                series.Add(new ChartSeries($"{name} {ComparisonLabel}", compared.Unit, compared.T, compared.Values)
                {
                    Color = comparedColor,
                    Dashed = true,
                });
            }
        }

        return new Panel(
            key,
            series,
            new ChartAxis(quantity, unit ?? defaultUnit),
            $"No {quantity.ToLowerInvariant()} data in this ride");
    }

    /// <summary>Unlabelled shaded spans: the HTML legend above the panels names them once for all.</summary>
    private static IReadOnlyList<ChartSpan> BuildTurnSpans(IReadOnlyList<TurnMark> turns)
    {
        var spans = new List<ChartSpan>(turns.Count);
        foreach (var turn in turns)
        {
            var isLeft = string.Equals(turn.Direction, "left", StringComparison.OrdinalIgnoreCase);
            spans.Add(new ChartSpan(turn.StartS, turn.EndS) { Color = isLeft ? LeftTurnColor : RightTurnColor });
        }

        return spans;
    }

    private static string Swatch(string color) =>
        $"display:inline-block;width:0.9em;height:0.9em;margin-right:6px;vertical-align:middle;background:{color};opacity:0.45";

    private sealed record Panel(string Key, IReadOnlyList<ChartSeries> Series, ChartAxis YAxis, string EmptyText);
}
