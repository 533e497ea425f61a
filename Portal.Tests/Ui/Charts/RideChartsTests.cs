using Portal.Core.Analytics.Metrics;
using Bunit;
using Portal.Components.Charts;
using Portal.Core.Analytics;

namespace Portal.Tests.Ui.Charts;

[Trait("Category", "Ui")]
public sealed class RideChartsTests : ChartTestContext
{
    private static RideTraces SyntheticRide(bool withLean = true)
    {
        var t = Ramp(3000, 0.1);
        List<Trace> channels =
        [
            new("speed", "km/h", t, t.Select(s => 60 + (30 * Math.Sin(s / 20))).ToArray()),
            new(TraceNames.LongitudinalAcceleration, "m/s²", t, t.Select(s => 3 * Math.Cos(s / 15)).ToArray()),
            new(TraceNames.LateralAcceleration, "m/s²", t, t.Select(s => 5 * Math.Sin(s / 10)).ToArray()),
        ];
        if (withLean)
        {
            channels.Add(new Trace("lean", "°", t, t.Select(s => 40 * Math.Sin(s / 10)).ToArray()));
        }

        return new RideTraces(channels, [new TurnMark(20, 35, "left", 90), new TurnMark(80, 95, "right", 80)]);
    }

    [Fact]
    public void RideTraces_StackSpeedAccelerationAndLean_OnOneSharedTimeAxis()
    {
        var cut = Render<RideTracesChart>(p => p.Add(c => c.Traces, SyntheticRide()).Add(c => c.CrashTimeS, 250));

        var panels = cut.FindComponents<SvgChart>();
        Assert.Equal(3, panels.Count);
        Assert.Equal(["Speed (km/h)", "Acceleration (m/s²)", "Lean (°)"], panels.Select(panel => panel.Instance.YAxis!.Text));
        var sharedRange = Assert.Single(panels.Select(panel => panel.Instance.XRange).Distinct());
        Assert.NotNull(sharedRange);
        Assert.Equal(0, sharedRange.Min);
        Assert.Equal(2999 * 0.1, sharedRange.Max, 9);
        Assert.Single(panels.Select(panel => panel.Instance.Padding).Distinct());
        Assert.All(panels, panel => Assert.Contains("Time (s)", SvgTexts(panel.Find("figure"))));
        var accelerationTexts = SvgTexts(panels[1].Find("figure"));
        Assert.Contains("Longitudinal (m/s²)", accelerationTexts);
        Assert.Contains("Lateral (m/s²)", accelerationTexts);
    }

    [Fact]
    public void RideTraces_MarkTheCrashOnEveryPanel_AndNameTurnsOnceInALegendAbovePanels()
    {
        var cut = Render<RideTracesChart>(p => p.Add(c => c.Traces, SyntheticRide()).Add(c => c.CrashTimeS, 250));

        var panels = cut.FindComponents<SvgChart>();
        Assert.All(panels, panel => Assert.Contains("Crash", SvgTexts(panel.Find("figure"))));
        Assert.All(panels, panel => Assert.Equal([(20.0, 35.0), (80.0, 95.0)], panel.Instance.Spans!.Select(span => (span.Start, span.End))));
        var legend = cut.Find(".ride-traces-legend").TextContent;
        Assert.Contains("Left turn", legend, StringComparison.Ordinal);
        Assert.Contains("Right turn", legend, StringComparison.Ordinal);
        Assert.Contains("Crash", legend, StringComparison.Ordinal);
        Assert.DoesNotContain("Left turn", SvgTexts(panels[0].Find("figure")));
    }

    [Fact]
    public void RideTraces_WithoutALeanChannel_SayThatPanelHasNoData()
    {
        var cut = Render<RideTracesChart>(p => p.Add(c => c.Traces, SyntheticRide(withLean: false)));

        Assert.Equal("No lean data in this ride", cut.Find(".svg-chart-empty").TextContent.Trim());
        Assert.Equal(2, cut.FindAll(".svg-chart-wide svg").Count);
        Assert.DoesNotContain("Crash", SvgTexts(cut.Find(".ride-traces-chart")));
        Assert.Empty(cut.FindAll(".ride-traces-legend-crash"));
    }

    [Fact]
    public void RideTraces_OverlayAComparisonRide_WithBothNamesInTheLegend()
    {
        var cut = Render<RideTracesChart>(p => p
            .Add(c => c.Traces, SyntheticRide())
            .Add(c => c.Comparison, SyntheticRide())
            .Add(c => c.Label, "Lap 3")
            .Add(c => c.ComparisonLabel, "Lap 4"));

        var speedTexts = SvgTexts(cut.FindComponents<SvgChart>()[0].Find("figure"));
        Assert.Contains("Speed Lap 3 (km/h)", speedTexts);
        Assert.Contains("Speed Lap 4 (km/h)", speedTexts);
    }

    [Fact]
    public void RideTraces_WithNoTraces_ShowEmptyPanels_WithoutThrowing()
    {
        var cut = Render<RideTracesChart>(p => p.Add(c => c.Traces, null));

        Assert.Equal(3, cut.FindAll(".svg-chart-empty").Count);
    }

    [Fact]
    public void RideTraces_OfASingleSample_RenderEveryPanel()
    {
        double[] t = [0];
        var ride = new RideTraces(
            [new Trace("speed", "km/h", t, [12]), new Trace(TraceNames.LongitudinalAcceleration, "m/s²", t, [1]), new Trace(TraceNames.LateralAcceleration, "m/s²", t, [0]), new Trace("lean", "°", t, [3])],
            []);

        var cut = Render<RideTracesChart>(p => p.Add(c => c.Traces, ride));

        Assert.Equal(3, cut.FindAll(".svg-chart-wide svg").Count);
        Assert.Empty(cut.FindAll(".ride-traces-legend"));
    }

    [Fact]
    public void GgDiagram_OfASingleSample_Renders()
    {
        var cut = Render<GgDiagram>(p => p
            .Add(c => c.Lateral, new Trace(TraceNames.LateralAcceleration, "g", [0], [0.3]))
            .Add(c => c.Longitudinal, new Trace(TraceNames.LongitudinalAcceleration, "g", [0], [-0.2])));

        Assert.Single(cut.FindAll(".svg-chart-wide svg"));
    }

    [Fact]
    public void GgDiagram_ConvertsMetresPerSecondSquaredToG_OnEqualAxesWithTheOneGCircle()
    {
        var t = Ramp(500, 0.02);
        var lateral = new Trace(TraceNames.LateralAcceleration, "m/s²", t, t.Select(s => 2 * 9.80665 * Math.Sin(s)).ToArray());
        var longitudinal = new Trace(TraceNames.LongitudinalAcceleration, "m/s²", t, t.Select(s => 0.5 * 9.80665 * Math.Cos(s)).ToArray());

        var cut = Render<GgDiagram>(p => p.Add(c => c.Lateral, lateral).Add(c => c.Longitudinal, longitudinal));

        var chart = cut.FindComponent<SvgChart>().Instance;
        Assert.True(chart.EqualAxes);
        Assert.Equal(chart.XRange, chart.YRange);
        Assert.InRange(chart.XRange!.Max, 2.0, 2.2);
        var texts = SvgTexts(cut.Find("figure"));
        Assert.Contains("Lateral acceleration (g)", texts);
        Assert.Contains("Longitudinal acceleration (g)", texts);
        Assert.Contains("1 g", texts);
    }

    [Fact]
    public void GgDiagram_AlignsTracesSampledAtDifferentTimes()
    {
        var lateral = new Trace(TraceNames.LateralAcceleration, "g", [0, 1, 2, 3], [0, 0.5, 1.0, 0.5]);
        var longitudinal = new Trace(TraceNames.LongitudinalAcceleration, "g", [0, 2, 4], [0, -1, 0]);

        var cut = Render<GgDiagram>(p => p.Add(c => c.Lateral, lateral).Add(c => c.Longitudinal, longitudinal));

        var samples = cut.FindComponent<SvgChart>().Instance.Series![0];
        Assert.Equal(lateral.Values, samples.X);
        Assert.Equal([0, -0.5, -1, -0.5], samples.Y);
    }

    [Fact]
    public void GgDiagram_WithoutAccelerationTraces_ShowsItsEmptyState()
    {
        var cut = Render<GgDiagram>(p => p.Add(c => c.Traces, new RideTraces([], [])));

        Assert.Contains("No acceleration data", cut.Find(".svg-chart-empty").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void TrackMap_ColoursTheTrackBySpeedBand_WithBandsInTheLegend_AndMarksTheCrash()
    {
        var angle = Ramp(4000, Math.PI * 2 / 4000);
        var lat = angle.Select(a => 45 + (0.01 * Math.Sin(a))).ToArray();
        var lon = angle.Select(a => 11 + (0.014 * Math.Cos(a))).ToArray();
        var speed = angle.Select(a => 50 + (45 * Math.Sin(a * 3))).ToArray();

        var cut = Render<TrackMap>(p => p
            .Add(c => c.Latitudes, lat)
            .Add(c => c.Longitudes, lon)
            .Add(c => c.SpeedsKmh, speed)
            .Add(c => c.HighlightLatitude, lat[1234])
            .Add(c => c.HighlightLongitude, lon[1234]));

        var chart = cut.FindComponent<SvgChart>().Instance;
        Assert.True(chart.EqualAxes);
        Assert.Equal("East (km)", chart.XAxis!.Text);
        var bands = chart.Series!.Where(series => series.Unit == "km/h" && series.X.Length > 0).ToList();
        Assert.True(bands.Count >= 4, $"{bands.Count} speed bands drawn");
        Assert.Equal(bands.Count, bands.Select(series => series.Color).Distinct().Count());
        Assert.All(chart.Series!, series => Assert.True(series.X.Count(double.IsFinite) <= 2000));
        var texts = SvgTexts(cut.Find("figure"));
        Assert.Contains(texts, text => text.EndsWith("(km/h)", StringComparison.Ordinal));
        Assert.Contains("Crash", texts);
    }

    [Fact]
    public void TrackMap_ProjectionShrinksEastDistances_ByTheCosineOfLatitude()
    {
        var atEquator = TrackMap.ProjectKm(0, 1, 0, 0);
        var atSixty = TrackMap.ProjectKm(60, 1, 60, 0);

        Assert.InRange(atEquator.EastKm, 110, 112);
        Assert.Equal(atEquator.EastKm / 2, atSixty.EastKm, 6);
        Assert.Equal(0, atSixty.NorthKm, 9);
    }

    [Fact]
    public void TrackMap_IgnoresMissingFixes_AndShowsItsEmptyStateWhenThereAreNone()
    {
        var cut = Render<TrackMap>(p => p
            .Add(c => c.Latitudes, [double.NaN, 0, double.NaN])
            .Add(c => c.Longitudes, [double.NaN, 0, double.NaN]));

        Assert.Equal("No GPS position in this ride", cut.Find(".svg-chart-empty").TextContent.Trim());
    }

    [Fact]
    public void TrackMap_OfASingleFix_DrawsOnePoint()
    {
        var cut = Render<TrackMap>(p => p.Add(c => c.Latitudes, [45.0]).Add(c => c.Longitudes, [11.0]).Add(c => c.SpeedsKmh, [30.0]));

        Assert.Single(cut.FindAll(".svg-chart-wide svg"));
        Assert.Contains("North (m)", SvgTexts(cut.Find("figure")));
    }

    [Fact]
    public void CrashWindow_ShowsFourPanels_OnATimeAxisCentredOnTheCrash()
    {
        var t = Ramp(4001, 0.01).Select(s => s + 80).ToArray(); // 80 s … 120 s, crash at 100 s
        var accel = new Trace("accel_magnitude", "g", t, t.Select(s => Math.Abs(s - 100) < 0.05 ? 6.0 : 1.0).ToArray());
        var rate = new Trace("rate_magnitude", "°/s", t, t.Select(s => s > 100 ? 300.0 : 5.0).ToArray());
        var speed = new Trace("speed", "km/h", t, t.Select(s => s > 100 ? 10.0 : 80.0).ToArray());

        var cut = Render<CrashWindowChart>(p => p
            .Add(c => c.AccelerationMagnitude, accel)
            .Add(c => c.AngularRateMagnitude, rate)
            .Add(c => c.Speed, speed)
            .Add(c => c.CrashTimeS, 100));

        var panels = cut.FindComponents<SvgChart>();
        Assert.Equal(4, panels.Count);
        Assert.All(panels, panel => Assert.Equal(new ChartRange(-10, 10), panel.Instance.XRange));
        var accelerationPanel = panels[0].Instance;
        var fromCrash = accelerationPanel.Series![0].X;
        Assert.All(fromCrash, x => Assert.InRange(x, -10, 10));
        Assert.True(fromCrash[0] < -9.9 && fromCrash[^1] > 9.9, "the whole ±10 s window is drawn");
        Assert.Equal(0, Assert.Single(accelerationPanel.Markers!).X);
        Assert.Contains("Crash", SvgTexts(panels[0].Find("figure")));
        Assert.Contains("Time from crash (s)", SvgTexts(panels[0].Find("figure")));
        Assert.Contains("Angular rate (°/s)", SvgTexts(panels[1].Find("figure")));
        Assert.Equal("No lean data around this crash", cut.Find(".svg-chart-empty").TextContent.Trim());
    }

    [Fact]
    public void CrashWindowTraces_FromSamples_GiveAccelerationInGAndRateMagnitude()
    {
        RideSample[] samples =
        [
            new() { T = 0, Az = 9.80665, Gz = 3, Gx = 4, Speed = 50 },
            new() { T = 0.01, Ax = 3 * 9.80665, Ay = 4 * 9.80665, Speed = double.NaN },
        ];

        var (accel, rate, speed) = CrashWindowTraces.FromSamples(samples);

        Assert.Equal([1, 5], accel.Values.Select(v => Math.Round(v, 9)));
        Assert.Equal([5, 0], rate.Values);
        Assert.Equal(50, speed.Values[0]);
        Assert.True(double.IsNaN(speed.Values[1]));
    }

    [Fact]
    public void Trend_AsBars_ShowsTheValueAxisWithItsUnit_AndSkipsUnavailableValues()
    {
        var monday = new DateTime(2026, 9, 7, 0, 0, 0, DateTimeKind.Utc);
        TrendPoint[] weeks =
        [
            new(monday, 120.5),
            new(monday.AddDays(7), null),
            new(monday.AddDays(14), 80),
            new(monday.AddDays(21), 240),
        ];

        var cut = Render<TrendChart>(p => p
            .Add(c => c.Points, weeks)
            .Add(c => c.Label, "Distance")
            .Add(c => c.Unit, "km")
            .Add(c => c.DateLabel, "Week")
            .Add(c => c.Style, TrendStyle.Bars));

        var series = Assert.Single(cut.FindComponent<SvgChart>().Instance.Series!);
        Assert.Equal(ChartSeriesStyle.Bars, series.Style);
        Assert.Equal(3, series.Y.Length);
        var texts = SvgTexts(cut.Find("figure"));
        Assert.Contains("Distance (km)", texts);
        Assert.Contains("Week", texts);
        Assert.True(NumericTexts(cut.Find("figure")).Max() >= 200);
    }

    [Fact]
    public void Trend_WithOnlyUnavailableValues_ShowsTheEmptyText()
    {
        var cut = Render<TrendChart>(p => p
            .Add(c => c.Points, [new TrendPoint(new DateTime(2026, 9, 7, 0, 0, 0, DateTimeKind.Utc), null)])
            .Add(c => c.Label, "Max lean")
            .Add(c => c.Unit, "°"));

        Assert.Equal("No data for this period yet", cut.Find(".svg-chart-empty").TextContent.Trim());
    }

    [Fact]
    public void Trend_OfOneRide_RendersAsALineWithMarker()
    {
        var cut = Render<TrendChart>(p => p
            .Add(c => c.Points, [new TrendPoint(new DateTime(2026, 9, 7, 10, 0, 0, DateTimeKind.Utc), 42.5)])
            .Add(c => c.Label, "Max lean")
            .Add(c => c.Unit, "°"));

        Assert.Single(cut.FindAll(".svg-chart-wide svg"));
        Assert.Contains("Max lean (°)", SvgTexts(cut.Find("figure")));
    }
}
