using Microsoft.AspNetCore.Components;
using Portal.Core.Analytics;

namespace Portal.Components.Charts;

/// <summary>
/// The g-g diagram: lateral against longitudinal acceleration in g on equal axes, with the 1 g
/// circle for reference. Traces in m/s² are converted; traces on different clocks are aligned
/// to the lateral trace's sample times.
/// </summary>
public sealed partial class GgDiagram
{
    private static readonly ChartAxis LateralAxis = new("Lateral acceleration", "g");
    private static readonly ChartAxis LongitudinalAxis = new("Longitudinal acceleration", "g");
    private static readonly ChartSeries OneGCircle = BuildCircle(1.0);

    private (Trace? Lateral, Trace? Longitudinal) _built;
    private bool _hasBuilt;
    private IReadOnlyList<ChartSeries> _series = [];
    private ChartRange? _range;

    /// <summary>Used when <see cref="Lateral"/>/<see cref="Longitudinal"/> are not given.</summary>
    [Parameter] public RideTraces? Traces { get; set; }

    [Parameter] public Trace? Lateral { get; set; }

    [Parameter] public Trace? Longitudinal { get; set; }

    [Parameter] public string? Title { get; set; } = "g-g diagram";

    /// <summary>Width and height in pixels (the diagram is square).</summary>
    [Parameter] public int Size { get; set; } = 480;

    protected override void OnParametersSet()
    {
        var lateral = Lateral ?? Traces.Find(RideTraceNames.LateralAcceleration);
        var longitudinal = Longitudinal ?? Traces.Find(RideTraceNames.LongitudinalAcceleration);
        if (_hasBuilt && ReferenceEquals(lateral, _built.Lateral) && ReferenceEquals(longitudinal, _built.Longitudinal))
        {
            return;
        }

        _hasBuilt = true;
        _built = (lateral, longitudinal);
        if (lateral is null || longitudinal is null || lateral.T.Length == 0 || longitudinal.T.Length == 0)
        {
            _series = [];
            _range = null;
            return;
        }

        var x = ChartMath.ToG(lateral);
        var y = ChartMath.AlignTo(lateral, longitudinal, ChartMath.ToG(longitudinal));
        _series =
        [
            new ChartSeries("Samples", string.Empty, x, y) { Style = ChartSeriesStyle.Points, MarkerSize = 3, Color = "#1976d2" },
            OneGCircle,
        ];

        // Symmetric and at least ±1.2 g so the 1 g circle is always whole.
        var extent = ChartMath.Extent([x, y]);
        var reach = Math.Max(1.2, extent is null ? 0 : Math.Max(Math.Abs(extent.Min), Math.Abs(extent.Max)) * 1.05);
        _range = new ChartRange(-reach, reach);
    }

    private static ChartSeries BuildCircle(double radius)
    {
        const int Segments = 180;
        var x = new double[Segments + 1];
        var y = new double[Segments + 1];
        for (var i = 0; i <= Segments; i++)
        {
            var angle = 2 * Math.PI * i / Segments;
            x[i] = radius * Math.Cos(angle);
            y[i] = radius * Math.Sin(angle);
        }

        return new ChartSeries($"{radius:0.#} g", string.Empty, x, y) { Color = "#9e9e9e", LineWidth = 1.5f };
    }
}
