using Bunit;
using Microsoft.AspNetCore.Components;
using Portal.Components.Charts;
using Portal.Components.Pages.Rides;
using Portal.Core.Catalog;
using Portal.Identity;

namespace Portal.Tests.Ui.Rides;

[Trait("Category", "Ui")]
public sealed class RideDetailPageTests : RidePagesTestContext
{
    private IRenderedComponent<RideDetail> RenderDetail(Guid rideId) =>
        Render<RideDetail>(parameters => parameters.Add(p => p.Id, rideId));

    [Fact]
    public async Task MetricCards_ShowEveryMetric_AndDashForOneThatIsNotAvailable()
    {
        SignIn();
        var ride = await AddRideAsync(r => Analysed(r, CompleteMetrics() with { MaxLeanLeftDeg = null, AvgSpeedKmh = null }));
        await PutTracesAsync(ride.Id, FullTraces());

        var page = RenderDetail(ride.Id);

        page.WaitForAssertion(() => Assert.Equal(RideMetricRows.All.Count, page.FindAll("[data-testid=metric-card]").Count));
        Assert.Equal(MetricValue.NotAvailable, page.Find("[data-metric=max_lean_left_deg] .metric-value-number").TextContent);
        Assert.Equal(MetricValue.NotAvailable, page.Find("[data-metric=avg_speed_kmh] .metric-value-number").TextContent);
        Assert.Equal("41", page.Find("[data-metric=max_lean_right_deg] .metric-value-number").TextContent);
        Assert.Equal("42.5", page.Find("[data-metric=distance_km] .metric-value-number").TextContent);
        Assert.Contains("3 rows skipped", page.Find("[data-testid=rows-skipped]").TextContent, StringComparison.Ordinal);
        Assert.Contains("analysis version", page.Find("[data-testid=analysis-version]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnalysedRide_ShowsTraces_GgDiagram_AndTrackMap()
    {
        SignIn();
        var ride = await AddRideAsync(r => Analysed(r, CompleteMetrics()));
        await PutTracesAsync(ride.Id, FullTraces());

        var page = RenderDetail(ride.Id);

        // One panel each for speed, acceleration and lean; charts draw as their SVG is ready.
        page.WaitForAssertion(() => Assert.Equal(3, page.FindAll("[data-testid=ride-traces-static] .svg-chart-wide svg").Count));
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid=ride-gg] .svg-chart-wide svg")));
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid=ride-map] svg")));
        Assert.Contains("Left turn", page.Find(".ride-traces-legend").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FailedRide_ShowsItsReason_AndNoCharts()
    {
        SignIn();
        var ride = await AddRideAsync(r =>
        {
            r.Status = RideStatus.Failed;
            r.FailureCode = "no_time_column";
            r.FailureMessage = "The file has no time column.";
        });

        var page = RenderDetail(ride.Id);

        page.WaitForAssertion(() => Assert.Contains("The file has no time column.", page.Find("[data-testid=ride-failure]").TextContent, StringComparison.Ordinal));
        Assert.Contains("no_time_column", page.Find("[data-testid=ride-failure]").TextContent, StringComparison.Ordinal);
        Assert.Empty(page.FindAll("[data-testid=ride-traces]"));
        Assert.Empty(page.FindAll("[data-testid=metric-card]"));
    }

    [Fact]
    public async Task AnotherRidersRide_ShowsNotFound_AndNothingOfIt()
    {
        var other = Guid.NewGuid();
        SignIn();
        var ride = await AddRideAsync(r =>
        {
            r.OwnerId = other;
            r.FileName = "someone-elses.csv";
            Analysed(r, CompleteMetrics());
        });

        var page = RenderDetail(ride.Id);

        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=ride-not-found]")));
        Assert.DoesNotContain("someone-elses.csv", page.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task QueuedRide_FollowsTheAnalysis_UntilItIsAnalysed()
    {
        SignIn();
        var ride = await AddRideAsync();
        await PutTracesAsync(ride.Id, FullTraces());
        var page = RenderDetail(ride.Id);
        page.WaitForAssertion(() => Assert.Equal("queued", page.Find("[data-testid=ride-status]").GetAttribute("data-status")));

        await using (var db = OpenCatalog())
        {
            var stored = await db.Rides.FindAsync(ride.Id);
            stored!.Status = RideStatus.Processing;
            stored.ProgressPercent = 40;
            await db.SaveChangesAsync();
        }

        Time.Advance(RideDetail.RefreshInterval);
        page.WaitForAssertion(() => Assert.Contains("40 %", page.Find("[data-testid=ride-status]").TextContent, StringComparison.Ordinal));

        await using (var db = OpenCatalog())
        {
            var stored = await db.Rides.FindAsync(ride.Id);
            Analysed(stored!, CompleteMetrics());
            await db.SaveChangesAsync();
        }

        Time.Advance(RideDetail.RefreshInterval);
        page.WaitForAssertion(() => Assert.Equal("analyzed", page.Find("[data-testid=ride-status]").GetAttribute("data-status")));
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid=ride-traces] svg")));
        Assert.Equal(0, Clock.ActiveTimers);
    }

    [Fact]
    public async Task LeavingAQueuedRide_StopsItsTimer()
    {
        SignIn();
        var ride = await AddRideAsync();
        var page = RenderDetail(ride.Id);
        page.WaitForAssertion(() => Assert.Equal(1, Clock.ActiveTimers));

        await DisposeComponentsAsync();

        Assert.Equal(0, Clock.ActiveTimers);
    }

    [Fact]
    public async Task Admin_Reanalyses_ThroughTheSameQueueAsTheApi()
    {
        var admin = Guid.NewGuid();
        SignIn(admin, PortalRoles.Admin);
        var ride = await AddRideAsync(r => Analysed(r, CompleteMetrics()));
        await PutTracesAsync(ride.Id, FullTraces());
        var page = RenderDetail(ride.Id);

        page.WaitForAssertion(() => page.Find("[data-testid=reanalyse]"));
        await page.Find("[data-testid=reanalyse]").ClickAsync(new());

        Assert.Contains(ride.Id, Scheduler.Analyses);
        page.WaitForAssertion(() => Assert.Equal("queued", page.Find("[data-testid=ride-status]").GetAttribute("data-status")));
    }

    [Fact]
    public async Task Rider_DoesNotSeeTheReanalyseButton()
    {
        SignIn();
        var ride = await AddRideAsync(r => Analysed(r, CompleteMetrics()));

        var page = RenderDetail(ride.Id);

        page.WaitForAssertion(() => page.Find("[data-testid=ride-title]"));
        Assert.Empty(page.FindAll("[data-testid=reanalyse]"));
    }
}
