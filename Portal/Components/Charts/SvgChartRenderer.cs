using System.Globalization;
using System.Text.RegularExpressions;
using ScottPlot;
using PlotColor = ScottPlot.Color;

namespace Portal.Components.Charts;

/// <summary>Draws a <see cref="ChartDefinition"/> with ScottPlot 5 and returns an SVG that scales to its container.</summary>
public static partial class SvgChartRenderer
{
    private const string FontName = "DejaVu Sans";
    private static readonly PlotColor DefaultMarkerColor = PlotColor.FromHex("#d32f2f");
    private static readonly PlotColor DefaultSpanColor = PlotColor.FromHex("#90caf9");

    /// <summary>A sentence naming what is wrong with the definition's data, or null when it can be drawn.</summary>
    public static string? FindProblem(ChartDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        if (definition.Width < 50 || definition.Height < 50)
        {
            return $"The chart size {definition.Width}×{definition.Height} px is too small; width and height must be at least 50 px.";
        }

        foreach (var series in definition.Series)
        {
            if (series.X.Length != series.Y.Length)
            {
                return $"Series \"{series.Label}\" has {series.X.Length} x values but {series.Y.Length} y values.";
            }
        }

        var colours = definition.Series.Select(s => (What: $"Series \"{s.Label}\"", s.Color))
            .Concat(definition.Markers.Select(m => (What: $"Marker \"{m.Label}\"", m.Color)))
            .Concat(definition.Spans.Select(s => (What: $"Span \"{s.Label}\"", s.Color)));
        foreach (var (what, color) in colours)
        {
            if (color is not null && !HexColor().IsMatch(color))
            {
                return $"{what} has colour \"{color}\"; colours are written #rrggbb or #rrggbbaa.";
            }
        }

        foreach (var range in new[] { definition.XRange, definition.YRange })
        {
            if (range is not null && !(range.Max > range.Min))
            {
                return $"An axis range must have Max greater than Min (got {range.Min.ToString(CultureInfo.InvariantCulture)}–{range.Max.ToString(CultureInfo.InvariantCulture)}).";
            }
        }

        return null;
    }

    /// <summary>The chart as an inline SVG element with a viewBox, 100 % wide, keeping its aspect ratio.</summary>
    public static string RenderSvg(ChartDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var problem = FindProblem(definition);
        if (problem is not null)
        {
            throw new ArgumentException(problem, nameof(definition));
        }

        using var plot = BuildPlot(definition);
        return MakeResponsive(plot.GetSvgXml(definition.Width, definition.Height), definition.Width, definition.Height);
    }

    private static Plot BuildPlot(ChartDefinition definition)
    {
        var plot = new Plot();
        // Before the fonts and labels: the date axis replaces the bottom axis, title included.
        if (definition.XAxis.DateTicks)
        {
            UseDateTicks(plot, definition.Series);
        }

        plot.Font.Set(FontName);
        plot.Axes.Bottom.TickLabelStyle.FontSize = 14;
        plot.Axes.Left.TickLabelStyle.FontSize = 14;
        plot.XLabel(definition.XAxis.Text, 15);
        plot.YLabel(definition.YAxis.Text, 15);
        if (!string.IsNullOrWhiteSpace(definition.Title))
        {
            plot.Title(definition.Title, 16);
        }

        var legendItems = 0;
        var labelledSpans = new HashSet<string>(StringComparer.Ordinal);
        foreach (var span in definition.Spans)
        {
            var shaded = plot.Add.HorizontalSpan(span.Start, span.End, ParseColor(span.Color, DefaultSpanColor).WithAlpha(0.25));
            shaded.LineWidth = 0;
            if (!string.IsNullOrWhiteSpace(span.Label) && labelledSpans.Add(span.Label))
            {
                shaded.LegendText = span.Label;
                legendItems++;
            }
        }

        foreach (var series in definition.Series)
        {
            if (AddSeries(plot, series, definition.MaxPointsPerSeries))
            {
                legendItems++;
            }
        }

        foreach (var marker in definition.Markers)
        {
            var line = plot.Add.VerticalLine(marker.X, 2, ParseColor(marker.Color, DefaultMarkerColor));
            line.Text = marker.Label;
            line.LabelFontSize = 13;
            line.LabelOppositeAxis = true;
            line.ExcludeFromLegend = true;
        }

        plot.Axes.AutoScale();
        if (definition.XRange is { } xRange)
        {
            plot.Axes.SetLimitsX(xRange.Min, xRange.Max);
        }

        if (definition.YRange is { } yRange)
        {
            plot.Axes.SetLimitsY(yRange.Min, yRange.Max);
        }

        if (definition.EqualAxes)
        {
            plot.Axes.SquareUnits();
        }

        if (definition.Padding is { } padding)
        {
            plot.Layout.Fixed(new PixelPadding(padding.Left, padding.Right, padding.Bottom, padding.Top));
        }

        ApplyLegend(plot, definition.Legend, legendItems);
        return plot;
    }

    /// <summary>Unambiguous day-month ticks (no US/EU order confusion), with the year when the data spans years.</summary>
    private static void UseDateTicks(Plot plot, IReadOnlyList<ChartSeries> series)
    {
        var axis = plot.Axes.DateTimeTicksBottom();
        var extent = ChartMath.Extent(series.Select(s => s.X));
        var oneYear = extent is null || extent.Min < -657434 || extent.Max > 2958465
            || DateTime.FromOADate(extent.Min).Year == DateTime.FromOADate(extent.Max).Year;
        var format = oneYear ? "d MMM" : "MMM yyyy";
        if (axis.TickGenerator is ScottPlot.TickGenerators.DateTimeAutomatic automatic)
        {
            automatic.LabelFormatter = date => date.ToString(format, CultureInfo.InvariantCulture);
        }
    }

    /// <returns>True when the series contributes a legend entry.</returns>
    private static bool AddSeries(Plot plot, ChartSeries series, int maxPoints)
    {
        if (series.X.Length == 0)
        {
            return false;
        }

        var color = series.Color is null ? plot.Add.GetNextColor() : PlotColor.FromHex(series.Color);
        IHasLegendText plottable;
        switch (series.Style)
        {
            case ChartSeriesStyle.Bars:
                plottable = AddBars(plot, series, color);
                break;
            case ChartSeriesStyle.Line when ChartDownsampler.IsNondecreasing(series.X):
                {
                    var (x, y) = ChartDownsampler.MinMaxPerBucket(series.X, series.Y, maxPoints);
                    var signal = plot.Add.SignalXY(x, y, color);
                    signal.LineWidth = series.LineWidth;
                    signal.LineStyle.Pattern = series.Dashed ? LinePattern.Dashed : LinePattern.Solid;
                    signal.MarkerSize = x.Length == 1 ? Math.Max(series.MarkerSize, 6) : 0;
                    plottable = signal;
                    break;
                }

            default:
                {
                    var (x, y) = ChartDownsampler.Decimate(series.X, series.Y, maxPoints);
                    var scatter = plot.Add.Scatter(x, y, color);
                    scatter.LineWidth = series.Style == ChartSeriesStyle.Points ? 0 : series.LineWidth;
                    scatter.LineStyle.Pattern = series.Dashed ? LinePattern.Dashed : LinePattern.Solid;
                    scatter.MarkerSize = series.Style == ChartSeriesStyle.Line && x.Length > 1 ? 0 : Math.Max(series.MarkerSize, 1);
                    plottable = scatter;
                    break;
                }
        }

        if (!series.ShowInLegend || string.IsNullOrWhiteSpace(series.Label))
        {
            return false;
        }

        plottable.LegendText = series.LegendText;
        return true;
    }

    private static ScottPlot.Plottables.BarPlot AddBars(Plot plot, ChartSeries series, PlotColor color)
    {
        var width = series.BarWidth ?? SmallestStep(series.X) * 0.8;
        var bars = new List<Bar>(series.X.Length);
        for (var i = 0; i < series.X.Length; i++)
        {
            if (double.IsFinite(series.X[i]) && double.IsFinite(series.Y[i]))
            {
                bars.Add(new Bar { Position = series.X[i], Value = series.Y[i], Size = width, FillColor = color, LineWidth = 0 });
            }
        }

        return plot.Add.Bars(bars);
    }

    private static double SmallestStep(double[] x)
    {
        var sorted = x.Where(double.IsFinite).Order().ToArray();
        var step = double.PositiveInfinity;
        for (var i = 1; i < sorted.Length; i++)
        {
            var gap = sorted[i] - sorted[i - 1];
            if (gap > 0 && gap < step)
            {
                step = gap;
            }
        }

        return double.IsFinite(step) ? step : 1;
    }

    private static void ApplyLegend(Plot plot, ChartLegend legend, int legendItems)
    {
        switch (legend)
        {
            case ChartLegend.Hidden:
            case ChartLegend.Auto when legendItems < 2:
                plot.HideLegend();
                break;
            case ChartLegend.Below:
                plot.ShowLegend(Edge.Bottom);
                break;
            default:
                var inside = plot.ShowLegend(Alignment.UpperRight);
                inside.FontSize = 13;
                inside.BackgroundColor = PlotColor.FromHex("#ffffff").WithAlpha(0.85);
                break;
        }
    }

    // ScottPlot turns anything it cannot parse into transparent black, so colours are checked first.
    [GeneratedRegex("^#[0-9a-fA-F]{6}([0-9a-fA-F]{2})?$")]
    private static partial Regex HexColor();

    private static PlotColor ParseColor(string? hex, PlotColor fallback) => hex is null ? fallback : PlotColor.FromHex(hex);

    /// <summary>
    /// Replaces ScottPlot's fixed-size root element with one that has a viewBox and fills its
    /// container's width, and drops the XML prologue so the SVG can sit inside HTML.
    /// </summary>
    internal static string MakeResponsive(string svgXml, int width, int height)
    {
        var start = svgXml.IndexOf("<svg", StringComparison.Ordinal);
        var end = start < 0 ? -1 : svgXml.IndexOf('>', start);
        if (end < 0)
        {
            throw new InvalidOperationException("ScottPlot returned no <svg> element.");
        }

        var root = string.Create(
            CultureInfo.InvariantCulture,
            $"<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" viewBox=\"0 0 {width} {height}\" width=\"100%\" preserveAspectRatio=\"xMidYMid meet\" style=\"display:block;height:auto;max-width:100%\">");
        return string.Concat(root, svgXml.AsSpan(end + 1));
    }
}
