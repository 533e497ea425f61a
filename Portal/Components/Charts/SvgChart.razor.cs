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
    private MarkupString? _narrowSvg;
    private string? _problem;
    private bool _changed = true;
    private string? _drawnEmptyText;
    private string? _drawnClass;
    private int _drawnNarrowWidth;
    private int _drawnBreakpoint;

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

    /// <summary>
    /// Width of a second drawing (same height) shown instead on screens narrower than
    /// <see cref="NarrowBreakpointPx"/>, so labels stay legible on phones; 0 draws only one.
    /// </summary>
    [Parameter] public int NarrowWidth { get; set; } = 400;

    [Parameter] public int NarrowBreakpointPx { get; set; } = 600;

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

    private string NarrowMediaMaxWidth => string.Create(CultureInfo.InvariantCulture, $"{NarrowBreakpointPx - 0.02}px");

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
        var sameNarrow = NarrowWidth == _drawnNarrowWidth && NarrowBreakpointPx == _drawnBreakpoint;
        _changed = !sameDrawing || !sameNarrow || EmptyText != _drawnEmptyText || Class != _drawnClass;
        _drawnEmptyText = EmptyText;
        _drawnClass = Class;
        _drawnNarrowWidth = NarrowWidth;
        _drawnBreakpoint = NarrowBreakpointPx;
        if (sameDrawing && sameNarrow)
        {
            return;
        }

        _drawn = definition;
        _problem = SvgChartRenderer.FindProblem(definition);
        var drawable = _problem is null && !definition.HasNoData;
        _svg = drawable ? new MarkupString(SvgChartRenderer.RenderSvg(definition)) : null;
        _narrowSvg = drawable && NarrowWidth >= 50 && NarrowWidth < Width
            ? new MarkupString(SvgChartRenderer.RenderSvg(definition with
            {
                Width = NarrowWidth,
                MaxPointsPerSeries = Math.Min(MaxPointsPerSeries, Math.Max(2 * NarrowWidth, 100)),
            }))
            : null;
    }

    protected override bool ShouldRender() => _changed;
}
