using System.Globalization;
using Microsoft.AspNetCore.Components;

namespace Portal.Components.Charts;

/// <summary>
/// One chart drawn by ScottPlot on the server and embedded as SVG that scales to the container's
/// width. Series are downsampled before plotting; the SVG is rebuilt only when an input changes.
/// </summary>
public sealed partial class SvgChart
{
    private ChartDefinition? _drawn;
    private MarkupString? _svg;
    private string? _problem;
    private bool _changed = true;
    private string? _drawnEmptyText;
    private string? _drawnClass;

    [Parameter] public IReadOnlyList<ChartSeries>? Series { get; set; }

    /// <summary>Required: the x axis title and unit.</summary>
    [Parameter, EditorRequired] public ChartAxis? XAxis { get; set; }

    /// <summary>Required: the y axis title and unit.</summary>
    [Parameter, EditorRequired] public ChartAxis? YAxis { get; set; }

    [Parameter] public string? Title { get; set; }

    [Parameter] public IReadOnlyList<ChartMarker>? Markers { get; set; }

    [Parameter] public IReadOnlyList<ChartSpan>? Spans { get; set; }

    /// <summary>Drawing width in pixels; the SVG scales to its container, keeping width/height.</summary>
    [Parameter] public int Width { get; set; } = 720;

    [Parameter] public int Height { get; set; } = 320;

    [Parameter] public ChartRange? XRange { get; set; }

    [Parameter] public ChartRange? YRange { get; set; }

    /// <summary>One unit on x is as long as one unit on y (maps, g-g diagrams).</summary>
    [Parameter] public bool EqualAxes { get; set; }

    /// <summary>Fixed margins around the data area, so stacked charts line up.</summary>
    [Parameter] public ChartPadding? Padding { get; set; }

    [Parameter] public ChartLegend Legend { get; set; } = ChartLegend.Auto;

    [Parameter] public int MaxPointsPerSeries { get; set; } = ChartDownsampler.DefaultMaxPoints;

    [Parameter] public string EmptyText { get; set; } = "No data";

    [Parameter] public string? Class { get; set; }

    private string AccessibleName => Title ?? $"{YAxis?.Text} over {XAxis?.Text}";

    private string PlaceholderStyle => string.Create(
        CultureInfo.InvariantCulture,
        $"display:flex;align-items:center;justify-content:center;width:100%;aspect-ratio:{Width}/{Height};border:1px dashed #bdbdbd;border-radius:4px;color:#616161;font-family:sans-serif;padding:8px;box-sizing:border-box;text-align:center");

    protected override void OnParametersSet()
    {
        if (XAxis is null || YAxis is null)
        {
            throw new InvalidOperationException($"{nameof(SvgChart)} needs both {nameof(XAxis)} and {nameof(YAxis)} (a label and a unit for each axis).");
        }

        var definition = new ChartDefinition
        {
            Series = Series ?? [],
            XAxis = XAxis,
            YAxis = YAxis,
            Title = Title,
            Markers = Markers ?? [],
            Spans = Spans ?? [],
            Width = Width,
            Height = Height,
            XRange = XRange,
            YRange = YRange,
            EqualAxes = EqualAxes,
            Padding = Padding,
            Legend = Legend,
            MaxPointsPerSeries = MaxPointsPerSeries,
        };

        var sameDrawing = definition.IsSameDrawingAs(_drawn);
        _changed = !sameDrawing || EmptyText != _drawnEmptyText || Class != _drawnClass;
        _drawnEmptyText = EmptyText;
        _drawnClass = Class;
        if (sameDrawing)
        {
            return;
        }

        _drawn = definition;
        _problem = SvgChartRenderer.FindProblem(definition);
        _svg = _problem is null && !definition.HasNoData
            ? new MarkupString(SvgChartRenderer.RenderSvg(definition))
            : null;
    }

    protected override bool ShouldRender() => _changed;
}
