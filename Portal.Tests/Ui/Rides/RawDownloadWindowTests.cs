using Bunit;
using Portal.Components.Pages.Rides;
using Portal.Core.Catalog;

namespace Portal.Tests.Ui.Rides;

/// <summary>The raw download window on the ride page, against a fake clock.</summary>
[Trait("Category", "Ui")]
public sealed class RawDownloadWindowTests : RidePagesTestContext
{
    private IRenderedComponent<RideDetail> RenderDetail(Guid rideId)
    {
        var page = Render<RideDetail>(parameters => parameters.Add(p => p.Id, rideId));
        page.WaitForAssertion(() => page.Find("[data-testid=raw-window]"));
        return page;
    }

    [Fact]
    public async Task BeforeTheDeadline_ShowsDaysLeft_AndTheDownloadLink()
    {
        SignIn();
        var ride = await AddRideAsync(r =>
        {
            Analysed(r, CompleteMetrics());
            r.RawRetainUntil = Time.GetUtcNow().AddDays(5).AddHours(3);
        });

        var page = RenderDetail(ride.Id);

        Assert.Equal("open", page.Find("[data-testid=raw-window]").GetAttribute("data-state"));
        Assert.Equal("Raw data deleted in 5 days", page.Find("[data-testid=raw-window-title]").TextContent.Trim());
        Assert.Equal($"/api/rides/{ride.Id}/raw", page.Find("a[data-testid=raw-download]").GetAttribute("href"));
    }

    [Fact]
    public async Task TheDaysLeft_FollowTheClock()
    {
        SignIn();
        var ride = await AddRideAsync(r =>
        {
            Analysed(r, CompleteMetrics());
            r.RawRetainUntil = Time.GetUtcNow().AddDays(5).AddHours(3);
        });
        Time.Advance(TimeSpan.FromDays(4));

        var page = RenderDetail(ride.Id);

        Assert.Equal("Raw data deleted in 1 day", page.Find("[data-testid=raw-window-title]").TextContent.Trim());
        Assert.NotEmpty(page.FindAll("[data-testid=raw-download]"));
    }

    [Fact]
    public async Task AfterTheDeadline_ShowsExpired_WithoutDownload_AndKeepsTheMetrics()
    {
        SignIn();
        var ride = await AddRideAsync(r =>
        {
            Analysed(r, CompleteMetrics());
            r.RawRetainUntil = Time.GetUtcNow().AddDays(5);
        });
        Time.Advance(TimeSpan.FromDays(5) + TimeSpan.FromMinutes(1));

        var page = RenderDetail(ride.Id);

        Assert.Equal("expired", page.Find("[data-testid=raw-window]").GetAttribute("data-state"));
        Assert.Equal("Raw data expired", page.Find("[data-testid=raw-window-title]").TextContent.Trim());
        Assert.Empty(page.FindAll("[data-testid=raw-download]"));
        Assert.NotEmpty(page.FindAll("[data-testid=metric-card]"));
    }

    [Fact]
    public async Task DeletedByRetention_ShowsExpired_EvenBeforeTheDeadline()
    {
        SignIn();
        var ride = await AddRideAsync(r =>
        {
            Analysed(r, CompleteMetrics());
            r.RawRetainUntil = Time.GetUtcNow().AddDays(5);
            r.RawDeletedAt = Time.GetUtcNow().AddDays(-1);
        });

        var page = RenderDetail(ride.Id);

        Assert.Equal("expired", page.Find("[data-testid=raw-window]").GetAttribute("data-state"));
        Assert.Empty(page.FindAll("[data-testid=raw-download]"));
    }

    [Fact]
    public async Task ProfessionalRidersData_IsKept_AndSaysSo()
    {
        var pro = Guid.NewGuid();
        await using (var db = OpenCatalog())
        {
            db.Riders.Add(new RiderProfile { UserId = pro, Email = "pro@test", DisplayName = "Pro", Category = RiderCategory.Professional });
            await db.SaveChangesAsync();
        }

        SignIn(pro);
        var ride = await AddRideAsync(r =>
        {
            r.OwnerId = pro;
            Analysed(r, CompleteMetrics());
            r.RawRetainUntil = null;
        });
        Time.Advance(TimeSpan.FromDays(400));

        var page = RenderDetail(ride.Id);

        Assert.Equal("kept", page.Find("[data-testid=raw-window]").GetAttribute("data-state"));
        Assert.Contains("Professional", page.Find("[data-testid=raw-window-detail]").TextContent, StringComparison.Ordinal);
        Assert.NotEmpty(page.FindAll("[data-testid=raw-download]"));
    }

    [Fact]
    public async Task CrashRide_IsKept_AndSaysWhy()
    {
        SignIn();
        var ride = await AddRideAsync(r =>
        {
            Analysed(r, CompleteMetrics() with { CrashDetected = true, CrashTimeS = 30 });
            r.RawRetainUntil = null;
        });
        Time.Advance(TimeSpan.FromDays(60));

        var page = RenderDetail(ride.Id);

        Assert.Equal("kept", page.Find("[data-testid=raw-window]").GetAttribute("data-state"));
        Assert.Contains("crash", page.Find("[data-testid=raw-window-detail]").TextContent, StringComparison.OrdinalIgnoreCase);
        Assert.NotEmpty(page.FindAll("[data-testid=raw-download]"));
    }
}
