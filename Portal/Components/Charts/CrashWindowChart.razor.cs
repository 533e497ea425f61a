using Microsoft.AspNetCore.Components;
using Portal.Core.Analytics;

namespace Portal.Components.Charts;

/// <summary>
/// The full-rate window around a crash for R&amp;D: acceleration magnitude, angular rate
/// magnitude, lean and speed, stacked on a time axis that is 0 at the crash moment.
/// </summary>
public sealed partial class CrashWindowChart
{
    private static readonly ChartAxis TimeFromCrashAxis = new("Time from crash", "s");
    private static readonly IReadOnlyList<ChartMarker> CrashMarkers = [new ChartMarker(0, "Crash") { Color = RideTracesChart.CrashColor }];
    private static readonly ChartPadding PanelPadding = new(72, 16, 48, 30);

    private object?[] _built = [];
    private IReadOnlyList<Panel> _panels = [];
    private ChartRange? _timeRange;

    /// <summary>|a| in g or m/s² (e.g. from <see cref="CrashWindowTraces.FromSamples"/>).</summary>
    [Parameter] public Trace? AccelerationMagnitude { get; set; }

    /// <summary>|ω| in °/s.</summary>
    [Parameter] public Trace? AngularRateMagnitude { get; set; }

    [Parameter] public Trace? Lean { get; set; }

    [Parameter] public Trace? Speed { get; set; }

    /// <summary>The crash moment on the traces' clock, in seconds.</summary>
    [Parameter, EditorRequired] public double CrashTimeS { get; set; }

    /// <summary>Seconds shown either side of the crash; samples outside are not drawn.</summary>
    [Parameter] public double WindowS { get; set; } = 10;

    [Parameter] public int Width { get; set; } = 720;

    [Parameter] public int PanelHeight { get; set; } = 200;

    protected override void OnParametersSet()
    {
        object?[] inputs = [AccelerationMagnitude, AngularRateMagnitude, Lean, Speed, CrashTimeS, WindowS];
        if (_built.Length == inputs.Length && _built.Zip(inputs).All(pair => Equals(pair.First, pair.Second)))
        {
            return;
        }

        _built = inputs;
        _panels =
        [
            BuildPanel("acceleration", "Acceleration", "g", AccelerationMagnitude, "#c62828"),
            BuildPanel("rate", "Angular rate", "°/s", AngularRateMagnitude, "#6a1b9a"),
            BuildPanel("lean", "Lean", "°", Lean, "#2e7d32"),
            BuildPanel("speed", "Speed", "km/h", Speed, "#1976d2"),
        ];
        _timeRange = new ChartRange(-WindowS, WindowS);
    }

    private Panel BuildPanel(string key, string quantity, string defaultUnit, Trace? trace, string color)
    {
        var unit = trace?.Unit is { Length: > 0 } traceUnit ? traceUnit : defaultUnit;
        var (t, values) = trace is null ? ([], []) : Clip(trace);
        IReadOnlyList<ChartSeries> series = t.Length == 0 ? [] : [new ChartSeries(quantity, unit, t, values) { Color = color }];
        return new Panel(key, series, new ChartAxis(quantity, unit), $"No {quantity.ToLowerInvariant()} data around this crash");
    }

    /// <summary>The samples within ±<see cref="WindowS"/> of the crash, on a clock that is 0 at the crash.</summary>
    private (double[] T, double[] Values) Clip(Trace trace)
    {
        var t = new List<double>();
        var values = new List<double>();
        var count = Math.Min(trace.T.Length, trace.Values.Length);
        for (var i = 0; i < count; i++)
        {
            var fromCrash = trace.T[i] - CrashTimeS;
            if (Math.Abs(fromCrash) <= WindowS)
            {
                t.Add(fromCrash);
                values.Add(trace.Values[i]);
            }
        }

        return ([.. t], [.. values]);
    }

    private sealed record Panel(string Key, IReadOnlyList<ChartSeries> Series, ChartAxis YAxis, string EmptyText);
}
