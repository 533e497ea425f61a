using Microsoft.AspNetCore.Components;

namespace Portal.Components.Charts;

/// <summary>One value on one date; a null value (metric not available) is left out of the chart.</summary>
public sealed record TrendPoint(DateTime Date, double? Value);

public enum TrendStyle
{
    /// <summary>Totals per period (distance per week).</summary>
    Bars,

    /// <summary>One value per ride (max lean, max speed), joined by a line.</summary>
    LineWithMarkers,
}

/// <summary>Values over dates, as bars or as a line with markers, with a date axis.</summary>
public sealed partial class TrendChart
{
    private IReadOnlyList<TrendPoint>? _builtPoints;
    private (string, string, string, TrendStyle, double?) _builtShape;
    private IReadOnlyList<ChartSeries> _series = [];
    private ChartAxis _xAxis = new("Date", string.Empty) { DateTicks = true };
    private ChartAxis _yAxis = new("Value", string.Empty);

    [Parameter] public IReadOnlyList<TrendPoint>? Points { get; set; }

    /// <summary>What the values are, e.g. "Distance"; becomes the y axis title.</summary>
    [Parameter, EditorRequired] public string Label { get; set; } = string.Empty;

    /// <summary>The values' unit, e.g. "km".</summary>
    [Parameter, EditorRequired] public string Unit { get; set; } = string.Empty;

    /// <summary>The x axis title, e.g. "Week".</summary>
    [Parameter] public string DateLabel { get; set; } = "Date";

    [Parameter] public TrendStyle Style { get; set; } = TrendStyle.LineWithMarkers;

    /// <summary>Bar width in days; null uses 80 % of the closest two dates.</summary>
    [Parameter] public double? BarWidthDays { get; set; }

    [Parameter] public string? Title { get; set; }

    [Parameter] public string Color { get; set; } = "#1976d2";

    [Parameter] public int Width { get; set; } = 720;

    [Parameter] public int Height { get; set; } = 280;

    [Parameter] public string EmptyText { get; set; } = "No data for this period yet";

    protected override void OnParametersSet()
    {
        var shape = (Label, Unit, DateLabel + "\n" + Color, Style, BarWidthDays);
        if (ReferenceEquals(Points, _builtPoints) && shape == _builtShape && _builtPoints is not null)
        {
            return;
        }

        _builtPoints = Points;
        _builtShape = shape;
        _xAxis = new ChartAxis(DateLabel, string.Empty) { DateTicks = true };
        _yAxis = new ChartAxis(Label, Unit);
        var known = (Points ?? []).Where(p => p.Value is { } v && double.IsFinite(v)).OrderBy(p => p.Date).ToArray();
        if (known.Length == 0)
        {
            _series = [];
            return;
        }

        var x = known.Select(p => p.Date.ToOADate()).ToArray();
        var y = known.Select(p => p.Value!.Value).ToArray();
        _series =
        [
            new ChartSeries(Label, Unit, x, y)
            {
                Style = Style == TrendStyle.Bars ? ChartSeriesStyle.Bars : ChartSeriesStyle.LineAndPoints,
                Color = Color,
                MarkerSize = 7,
                LineWidth = 2,
                BarWidth = BarWidthDays ?? (known.Length == 1 ? 5 : null),
            },
        ];
    }
}
