using Bunit;
using Portal.Components.Charts;

namespace Portal.Tests.Ui.Charts;

[Trait("Category", "Ui")]
public sealed class SvgChartTests : ChartTestContext
{
    private static readonly ChartAxis Time = new("Time", "s");
    private static readonly ChartAxis Speed = new("Speed", "km/h");

    [Fact]
    public void Chart_DrawsEachSeries_WithLegendAndAxisTitlesCarryingUnits()
    {
        var x = Ramp(200, 0.1);
        ChartSeries[] series =
        [
            new("Longitudinal", "m/s²", x, x.Select(Math.Sin).ToArray()) { Color = "#2e7d32" },
            new("Lateral", "m/s²", x, x.Select(Math.Cos).ToArray()) { Color = "#ef6c00" },
        ];

        var cut = Render<SvgChart>(p => p
            .Add(c => c.Series, series)
            .Add(c => c.XAxis, Time)
            .Add(c => c.YAxis, new ChartAxis("Acceleration", "m/s²"))
            .Add(c => c.Title, "Braking"));

        var texts = SvgTexts(cut.Find("figure"));
        Assert.Contains("Time (s)", texts);
        Assert.Contains("Acceleration (m/s²)", texts);
        Assert.Contains("Braking", texts);
        Assert.Contains("Longitudinal (m/s²)", texts);
        Assert.Contains("Lateral (m/s²)", texts);
        var strokes = cut.FindAll("svg path").Select(path => path.GetAttribute("stroke")?.ToUpperInvariant()).ToHashSet();
        Assert.Contains("#2E7D32", strokes);
        Assert.Contains("#EF6C00", strokes);
    }

    [Fact]
    public void Chart_ScalesToItsContainer_WithViewBoxKeepingTheAspectRatio()
    {
        var cut = Render<SvgChart>(p => p
            .Add(c => c.Series, [new ChartSeries("Speed", "km/h", [0, 1, 2], [10, 20, 15])])
            .Add(c => c.XAxis, Time)
            .Add(c => c.YAxis, Speed)
            .Add(c => c.Width, 640)
            .Add(c => c.Height, 240));

        var svg = cut.Find(".svg-chart-wide svg");
        Assert.Equal("0 0 640 240", svg.GetAttribute("viewBox"));
        Assert.Equal("100%", svg.GetAttribute("width"));
        Assert.Null(svg.GetAttribute("height"));
    }

    [Fact]
    public void Chart_AlsoDrawsANarrowVersionForPhones_WithTheSameLabels()
    {
        var cut = Render<SvgChart>(p => p
            .Add(c => c.Series, [new ChartSeries("Speed", "km/h", [0, 1, 2], [10, 20, 15])])
            .Add(c => c.XAxis, Time)
            .Add(c => c.YAxis, Speed)
            .Add(c => c.Width, 720)
            .Add(c => c.Height, 300)
            .Add(c => c.NarrowWidth, 380));

        var narrow = cut.Find(".svg-chart-narrow svg");
        Assert.Equal("0 0 380 300", narrow.GetAttribute("viewBox"));
        var narrowTexts = narrow.QuerySelectorAll("text").Select(text => text.TextContent.Trim()).ToList();
        Assert.Contains("Time (s)", narrowTexts);
        Assert.Contains("Speed (km/h)", narrowTexts);
        Assert.Contains("@media (max-width: 599.98px)", cut.Find("style").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void Chart_WithoutANarrowWidth_DrawsOnce()
    {
        var cut = Render<SvgChart>(p => p
            .Add(c => c.Series, [new ChartSeries("Speed", "km/h", [0, 1, 2], [10, 20, 15])])
            .Add(c => c.XAxis, Time)
            .Add(c => c.YAxis, Speed)
            .Add(c => c.NarrowWidth, 0));

        Assert.Single(cut.FindAll("svg"));
        Assert.Empty(cut.FindAll("style"));
    }

    [Fact]
    public void Chart_WithoutSeries_ShowsTheEmptyState_AndNoSvg()
    {
        var cut = Render<SvgChart>(p => p
            .Add(c => c.Series, [])
            .Add(c => c.XAxis, Time)
            .Add(c => c.YAxis, Speed));

        Assert.Equal("No data", cut.Find(".svg-chart-empty").TextContent.Trim());
        Assert.Empty(cut.FindAll(".svg-chart-wide svg"));
    }

    [Fact]
    public void Chart_WhoseSeriesHoldOnlyNaN_ShowsTheCustomEmptyText()
    {
        var cut = Render<SvgChart>(p => p
            .Add(c => c.Series, [new ChartSeries("Speed", "km/h", [0, 1], [double.NaN, double.NaN])])
            .Add(c => c.XAxis, Time)
            .Add(c => c.YAxis, Speed)
            .Add(c => c.EmptyText, "No speed in this ride"));

        Assert.Equal("No speed in this ride", cut.Find(".svg-chart-empty").TextContent.Trim());
        Assert.Empty(cut.FindAll(".svg-chart-wide svg"));
    }

    [Theory]
    [InlineData(ChartSeriesStyle.Line)]
    [InlineData(ChartSeriesStyle.Points)]
    [InlineData(ChartSeriesStyle.LineAndPoints)]
    [InlineData(ChartSeriesStyle.Bars)]
    public void Chart_WithASinglePoint_RendersAnSvgWithItsAxes(ChartSeriesStyle style)
    {
        var cut = Render<SvgChart>(p => p
            .Add(c => c.Series, [new ChartSeries("Speed", "km/h", [3], [42]) { Style = style }])
            .Add(c => c.XAxis, Time)
            .Add(c => c.YAxis, Speed));

        Assert.Single(cut.FindAll(".svg-chart-wide svg"));
        Assert.Contains("Speed (km/h)", SvgTexts(cut.Find("figure")));
        Assert.Empty(cut.FindAll(".svg-chart-empty"));
    }

    [Fact]
    public void Chart_OfAHundredThousandPoints_StillShowsTheSinglePeak()
    {
        const double Peak = 1000;
        var x = Ramp(100_000, 1e-5);
        var y = x.Select(v => Math.Sin(v * 50)).ToArray();
        y[61_803] = Peak;

        var cut = Render<SvgChart>(p => p
            .Add(c => c.Series, [new ChartSeries("Acceleration", "g", x, y)])
            .Add(c => c.XAxis, Time)
            .Add(c => c.YAxis, new ChartAxis("Acceleration", "g")));

        // x stays within 0–1 s, so a tick label near the peak must belong to the y axis.
        Assert.True(NumericTexts(cut.Find("figure")).Max() >= Peak * 0.8);
        Assert.True(cut.Markup.Length < 400_000, $"SVG markup is {cut.Markup.Length} characters");
    }

    [Fact]
    public void Chart_DrawsMarkersWithTheirLabels_AndShadedSpansInTheLegend()
    {
        var x = Ramp(100);
        var cut = Render<SvgChart>(p => p
            .Add(c => c.Series, [new ChartSeries("Speed", "km/h", x, x) { Color = "#1976d2" }])
            .Add(c => c.XAxis, Time)
            .Add(c => c.YAxis, Speed)
            .Add(c => c.Markers, [new ChartMarker(42, "Crash") { Color = "#d32f2f" }])
            .Add(c => c.Spans, [new ChartSpan(10, 20, "Left turn"), new ChartSpan(30, 40, "Left turn"), new ChartSpan(50, 60, "Right turn")]));

        var texts = SvgTexts(cut.Find("figure"));
        Assert.Contains("Crash", texts);
        Assert.Single(texts, text => text == "Left turn");
        Assert.Contains("Right turn", texts);
        Assert.Contains(cut.FindAll("svg path"), path => string.Equals(path.GetAttribute("stroke"), "#d32f2f", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void Chart_ShowsTextAsText_NeverAsMarkup()
    {
        var cut = Render<SvgChart>(p => p
            .Add(c => c.Series, [new ChartSeries("<b>Speed</b>", "km/h", [0, 1], [1, 2])])
            .Add(c => c.XAxis, Time)
            .Add(c => c.YAxis, Speed)
            .Add(c => c.Title, "<script>alert('x')</script>"));

        Assert.Empty(cut.FindAll("script"));
        Assert.Empty(cut.FindAll("svg b"));
        Assert.Contains("<script>alert('x')</script>", SvgTexts(cut.Find("figure")));
    }

    [Fact]
    public void Chart_WithSeriesOfUnequalLengths_ExplainsWhichSeriesIsWrong()
    {
        var cut = Render<SvgChart>(p => p
            .Add(c => c.Series, [new ChartSeries("Speed", "km/h", [0, 1, 2], [1, 2])])
            .Add(c => c.XAxis, Time)
            .Add(c => c.YAxis, Speed));

        var alert = cut.Find("[role=alert]").TextContent;
        Assert.Contains("\"Speed\"", alert, StringComparison.Ordinal);
        Assert.Contains("3 x values but 2 y values", alert, StringComparison.Ordinal);
        Assert.Empty(cut.FindAll(".svg-chart-wide svg"));
    }

    [Fact]
    public void Chart_WithAColourThatIsNotHex_ExplainsInsteadOfDrawingAnInvisibleSeries()
    {
        var cut = Render<SvgChart>(p => p
            .Add(c => c.Series, [new ChartSeries("Speed", "km/h", [0, 1], [1, 2]) { Color = "blue" }])
            .Add(c => c.XAxis, Time)
            .Add(c => c.YAxis, Speed));

        var alert = cut.Find("[role=alert]").TextContent;
        Assert.Contains("\"Speed\"", alert, StringComparison.Ordinal);
        Assert.Contains("\"blue\"", alert, StringComparison.Ordinal);
        Assert.Contains("#rrggbb", alert, StringComparison.Ordinal);
    }

    [Fact]
    public void Chart_WithoutAxisTitles_IsRefused()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Render<SvgChart>(p => p
            .Add(c => c.Series, [new ChartSeries("Speed", "km/h", [0, 1], [1, 2])])
            .Add(c => c.XAxis, Time)));

        Assert.Contains("YAxis", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Chart_IsNotRedrawn_WhenTheParentPassesTheSameDataAgain()
    {
        var x = Ramp(100);
        var y = x.Select(v => v * 2).ToArray();
        var cut = Render<SvgChart>(p => p
            .Add(c => c.Series, [new ChartSeries("Speed", "km/h", x, y)])
            .Add(c => c.XAxis, Time)
            .Add(c => c.YAxis, Speed));
        var rendersAfterFirst = cut.RenderCount;

        // A new list and new records around the same arrays: nothing to redraw.
        cut.Render(p => p
            .Add(c => c.Series, [new ChartSeries("Speed", "km/h", x, y)])
            .Add(c => c.XAxis, new ChartAxis("Time", "s"))
            .Add(c => c.YAxis, Speed));
        Assert.Equal(rendersAfterFirst, cut.RenderCount);

        cut.Render(p => p.Add(c => c.Title, "Now with a title"));
        Assert.Equal(rendersAfterFirst + 1, cut.RenderCount);
        Assert.Contains("Now with a title", SvgTexts(cut.Find("figure")));
    }

    [Fact]
    public void Chart_DoesNotChangeTheSeriesItWasGiven()
    {
        var x = Ramp(50_000);
        var y = x.Select(v => Math.Sin(v)).ToArray();
        var yBefore = (double[])y.Clone();
        var series = new ChartSeries("Speed", "km/h", x, y);
        IReadOnlyList<ChartSeries> list = [series];

        var cut = Render<SvgChart>(p => p
            .Add(c => c.Series, list)
            .Add(c => c.XAxis, Time)
            .Add(c => c.YAxis, Speed));

        Assert.Same(list, cut.Instance.Series);
        Assert.Equal(50_000, series.X.Length);
        Assert.Equal(yBefore, series.Y);
    }
}
