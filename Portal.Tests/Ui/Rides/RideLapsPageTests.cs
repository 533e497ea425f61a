using Bunit;
using Portal.Components.Pages.Rides;
using Portal.Core.Analytics.Laps;
using Portal.Core.Catalog;
using Portal.Tests.Analytics.Laps;

namespace Portal.Tests.Ui.Rides;

/// <summary>The lap table of a track session's detail page and the lap comparison of <c>/rides/compare</c>.</summary>
[Trait("Category", "Ui")]
public sealed class RideLapsPageTests : RidePagesTestContext
{
    private static readonly SyntheticCircuit Circuit = new([0.9, 0.96, 1.0, 0.93], seed: 9);

    private async Task<(Ride Ride, LapSession Session)> AddTrackSessionAsync()
    {
        var ride = await AddRideAsync(r =>
        {
            r.FileName = "mugello.csv";
            Analysed(r, CompleteMetrics());
        });
        await PutTracesAsync(ride.Id, Circuit.Traces);
        return (ride, LapDetector.Detect(Circuit.Traces)!);
    }

    private IRenderedComponent<RideCompare> RenderCompare(string query)
    {
        NavigateTo("/rides/compare?" + query);
        RenderPopoverProvider();
        return Render<RideCompare>();
    }

    [Fact]
    public async Task TrackSession_ListsEveryLap_WithItsTime_AndMarksTheBest()
    {
        SignIn();
        var (ride, session) = await AddTrackSessionAsync();

        var page = Render<RideDetail>(parameters => parameters.Add(p => p.Id, ride.Id));

        page.WaitForAssertion(() => Assert.Equal(session.Laps.Count, page.FindAll("[data-testid=lap-row]").Count));
        Assert.Equal(session.Laps.Select(l => LapFormat.Time(l.TimeS)), page.FindAll("[data-testid=lap-time]").Select(c => c.TextContent.Trim()));
        var best = Assert.Single(page.FindAll("[data-testid=lap-row][data-best=true]"));
        Assert.Equal(session.BestLap.Number.ToString(System.Globalization.CultureInfo.InvariantCulture), best.GetAttribute("data-lap"));
        Assert.NotNull(best.QuerySelector("[data-testid=best-lap]"));
        var compare = page.FindAll("[data-testid=compare-lap]")[0].GetAttribute("href");
        Assert.Contains($"a={ride.Id}&lapA=", compare, StringComparison.Ordinal);
        Assert.EndsWith($"&b={ride.Id}&lapB={session.BestLap.Number}", compare, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RoadRide_HasNoLapTable()
    {
        SignIn();
        var ride = await AddRideAsync(r => Analysed(r, CompleteMetrics()));
        await PutTracesAsync(ride.Id, FullTraces());

        var page = Render<RideDetail>(parameters => parameters.Add(p => p.Id, ride.Id));

        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid=ride-traces]")));
        Assert.Empty(page.FindAll("[data-testid=ride-laps]"));
    }

    [Fact]
    public async Task TwoLapsOfOneRide_ShowTheirTimesSideBySide_AndOverlayThemByDistance()
    {
        SignIn();
        var (ride, session) = await AddTrackSessionAsync();

        var page = RenderCompare($"a={ride.Id}&lapA=2&b={ride.Id}&lapB=3");

        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid=compare-table]")));
        Assert.Equal("Compare laps", page.Find("[data-testid=compare-title]").TextContent.Trim());
        Assert.Contains("lap 2", page.Find("[data-testid=compare-a]").TextContent, StringComparison.Ordinal);
        Assert.Contains("lap 3", page.Find("[data-testid=compare-b]").TextContent, StringComparison.Ordinal);
        var times = page.FindAll("[data-metric=time] td").Skip(1).Take(2).Select(c => c.TextContent.Trim()).ToList();
        Assert.Equal([LapFormat.Time(session.Laps[1].TimeS), LapFormat.Time(session.Laps[2].TimeS)], times);
        var gap = session.Laps[2].TimeS - session.Laps[1].TimeS;
        Assert.Equal((gap >= 0 ? "+" : "−") + LapFormat.Gap(Math.Abs(gap)), page.Find("[data-metric=time] [data-testid=compare-diff]").TextContent.Trim());
        // Speed and lean by distance, and the delta-time trace.
        page.WaitForAssertion(() => Assert.Equal(3, page.FindAll("[data-testid=compare-by-distance] .svg-chart-wide svg").Count));
        Assert.NotEmpty(page.FindAll("[data-testid=compare-delta] svg"));
        Assert.Contains("Distance from lap start", page.Find("[data-testid=compare-by-distance]").InnerHtml, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ByTime_GoesIntoTheUrl_AndOverlaysTheLapsOnTheTimeAxis()
    {
        SignIn();
        var (ride, _) = await AddTrackSessionAsync();
        var page = RenderCompare($"a={ride.Id}&lapA=1&b={ride.Id}&lapB=2");
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid=axis-time]")));

        await page.Find("[data-testid=axis-time]").ClickAsync(new());

        Assert.Contains("by=time", CurrentUri, StringComparison.Ordinal);
        page.WaitForAssertion(() => Assert.Empty(page.FindAll("[data-testid=compare-by-distance]")));
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid=compare-traces] .svg-chart-wide svg")));
    }

    [Fact]
    public async Task LapTheRideDoesNotHave_IsNamed_AndTheWholeRideIsShown()
    {
        SignIn();
        var (ride, session) = await AddTrackSessionAsync();

        var page = RenderCompare($"a={ride.Id}&lapA=99&b={ride.Id}&lapB=1");

        page.WaitForAssertion(() => Assert.Contains("has no lap 99", page.Find("[data-testid=lap-missing]").TextContent, StringComparison.Ordinal));
        Assert.Contains($"laps 1–{session.Laps.Count}", page.Find("[data-testid=lap-missing]").TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("lap", page.Find("[data-testid=compare-a]").TextContent, StringComparison.Ordinal);
        Assert.Contains("lap 1", page.Find("[data-testid=compare-b]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TwoRidesWithoutLaps_StillCompareEveryRideMetric()
    {
        SignIn();
        var first = await AddRideAsync(r => { r.FileName = "first.csv"; Analysed(r, CompleteMetrics()); });
        var second = await AddRideAsync(r => { r.FileName = "second.csv"; Analysed(r, CompleteMetrics() with { MaxSpeedKmh = 99 }); });
        await PutTracesAsync(first.Id, FullTraces());

        var page = RenderCompare($"a={first.Id}&b={second.Id}");

        page.WaitForAssertion(() => Assert.Equal(RideMetricRows.All.Count, page.FindAll("[data-testid=compare-table] tbody tr[data-metric]").Count));
        Assert.Equal("Compare rides", page.Find("[data-testid=compare-title]").TextContent.Trim());
        Assert.Empty(page.FindAll("[data-testid=pick-lapA]"));
        Assert.Equal(["118", "99", "−19"], page.FindAll("[data-metric=max_speed_kmh] td").Skip(1).Select(c => c.TextContent.Trim()));
    }
}
