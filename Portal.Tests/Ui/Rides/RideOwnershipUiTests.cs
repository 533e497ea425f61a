using Bunit;
using Microsoft.EntityFrameworkCore;
using MudBlazor;
using Portal.Api;
using Portal.Components.Pages.Rides;
using Portal.Components.Shared.Time;
using Portal.Core.Catalog;
using Portal.Core.Rides;
using Portal.Core.Storage;
using Portal.Identity;

namespace Portal.Tests.Ui.Rides;

/// <summary>The ride header (title, rename, notes, delete), ride times in the browser's zone, the dashboard and list by ride time.</summary>
[Trait("Category", "Ui")]
public sealed class RideOwnershipUiTests : RidePagesTestContext
{
    private static readonly DateTimeOffset RiddenAt = new(2026, 5, 3, 7, 45, 0, TimeSpan.Zero);

    private async Task<RideDto> AnalysedRideAsync(Action<Ride>? configure = null)
    {
        var ride = await AddRideAsync(r =>
        {
            Analysed(r, CompleteMetrics());
            r.StartedAt = RiddenAt;
            r.StartedAtIsUploadTime = false;
            r.PlaceName = "Mugello";
            configure?.Invoke(r);
        });
        return RideDto.From(ride, Time.GetUtcNow());
    }

    [Fact]
    public async Task Header_ShowsThePlaceAndPartOfTheDay_InTheBrowsersTimeZone()
    {
        JSInterop.Setup<string?>(BrowserTimeZone.JsFunction).SetResult("Europe/Rome");
        SignIn();
        var ride = await AnalysedRideAsync();

        var header = Render<RideHeader>(p => p.Add(h => h.Ride, ride));

        // 07:45 UTC is 09:45 in Rome (summer time): still the morning, and Sunday 3 May.
        header.WaitForAssertion(() => Assert.Equal("Mugello, Sun 3 May morning", header.Find("[data-testid=ride-name]").TextContent.Trim()));
        Assert.Contains("Sun 3 May 2026, 09:45", header.Find("[data-testid=ride-started-at]").TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("UTC", header.Find("[data-testid=ride-started-at]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Header_SaysWhenTheTimeIsOnlyTheUploadTime()
    {
        SignIn();
        var ride = await AnalysedRideAsync(r =>
        {
            r.StartedAt = r.UploadedAt;
            r.StartedAtIsUploadTime = true;
            r.PlaceName = null;
        });

        var header = Render<RideHeader>(p => p.Add(h => h.Ride, ride));

        Assert.Contains("the file has no clock", header.Find("[data-testid=ride-started-at]").TextContent, StringComparison.Ordinal);
        Assert.StartsWith("≈", header.Find("[data-testid=ride-started-at] time").TextContent.Trim(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rider_RenamesAndAddsNotes_AndTheCatalogKeepsThem()
    {
        SignIn();
        var ride = await AnalysedRideAsync();
        var header = Render<RideHeader>(p => p.Add(h => h.Ride, ride));

        await header.Find("[data-testid=ride-rename] button, button[data-testid=ride-rename]").ClickAsync(new());
        header.Find("[data-testid=ride-title-input] input, input[data-testid=ride-title-input]").Change("First track day");
        header.Find("[data-testid=ride-notes-input] textarea, textarea[data-testid=ride-notes-input]").Change("Rear tyre 1.6 bar");
        await header.Find("button[data-testid=ride-save]").ClickAsync(new());

        header.WaitForAssertion(() => Assert.Equal("First track day", header.Find("[data-testid=ride-name]").TextContent.Trim()));
        Assert.Equal("Rear tyre 1.6 bar", header.Find("[data-testid=ride-notes]").TextContent.Trim());
        await using var db = OpenCatalog();
        var stored = await db.Rides.AsNoTracking().SingleAsync(r => r.Id == ride.Id);
        Assert.Equal("First track day", stored.Title);
        Assert.Equal("Rear tyre 1.6 bar", stored.Notes);
    }

    [Fact]
    public async Task ARefusedTitle_KeepsTheDraftInTheForm_AndSaysWhy()
    {
        SignIn();
        var ride = await AnalysedRideAsync();
        var header = Render<RideHeader>(p => p.Add(h => h.Ride, ride));

        await header.Find("button[data-testid=ride-rename]").ClickAsync(new());
        header.Find("[data-testid=ride-title-input] input, input[data-testid=ride-title-input]").Change("two\u0007bells");
        await header.Find("button[data-testid=ride-save]").ClickAsync(new());

        header.WaitForAssertion(() => Assert.Contains("control characters", header.Find("[data-testid=ride-edit-error]").TextContent, StringComparison.Ordinal));
        Assert.Equal("two\u0007bells", header.Find("[data-testid=ride-title-input] input, input[data-testid=ride-title-input]").GetAttribute("value"));
        await using var db = OpenCatalog();
        Assert.Null((await db.Rides.AsNoTracking().SingleAsync(r => r.Id == ride.Id)).Title);
    }

    [Fact]
    public async Task Delete_AsksFirst_SayingWhatHappensToTheCrashCopy_ThenDeletesRideAndRawFile()
    {
        SignIn();
        var ride = await AnalysedRideAsync();
        await Storage.PutAsync(BucketKind.Raw, (await RawKeyAsync(ride.Id)), new MemoryStream([1, 2, 3]), "text/csv", CancellationToken.None);
        var header = Render<RideHeader>(p => p.Add(h => h.Ride, ride));

        await header.Find("button[data-testid=ride-delete]").ClickAsync(new());
        var confirmation = header.Find("[data-testid=ride-delete-confirm]").TextContent;
        Assert.Contains("crash folder stays for R&D, without your name", confirmation, StringComparison.Ordinal);
        await using (var before = OpenCatalog())
        {
            Assert.True(await before.Rides.AnyAsync(r => r.Id == ride.Id));
        }

        var rawKey = await RawKeyAsync(ride.Id);
        await header.Find("button[data-testid=ride-delete-confirm-button]").ClickAsync(new());

        header.WaitForAssertion(() => Assert.EndsWith("/rides", CurrentUri, StringComparison.Ordinal));
        await using var db = OpenCatalog();
        Assert.False(await db.Rides.AnyAsync(r => r.Id == ride.Id));
        Assert.Null(await Storage.GetInfoAsync(BucketKind.Raw, rawKey, CancellationToken.None));
    }

    [Fact]
    public async Task TheRidersTechnician_SeesTheRide_ButNoRenameOrDelete()
    {
        var technician = Guid.NewGuid();
        SignIn(technician, PortalRoles.Technician);
        var ride = await AnalysedRideAsync();

        var header = Render<RideHeader>(p => p.Add(h => h.Ride, ride));

        Assert.Equal("Mugello, Sun 3 May morning", header.Find("[data-testid=ride-name]").TextContent.Trim());
        Assert.Empty(header.FindAll("[data-testid=ride-rename]"));
        Assert.Empty(header.FindAll("[data-testid=ride-delete]"));
    }

    [Fact]
    public async Task Dashboard_CountsRidesByWhenTheyWereRidden_NotWhenUploaded()
    {
        SignIn();
        // Both uploaded an hour ago (this week); one ridden this week, one on 30 Aug 2020.
        await AnalysedRideAsync(r => r.StartedAt = Start.AddDays(-1));
        await AnalysedRideAsync(r =>
        {
            r.StartedAt = new DateTimeOffset(2020, 8, 30, 9, 0, 0, TimeSpan.Zero);
            r.Sha256 = "old";
        });

        var dashboard = Render<RiderDashboard>();

        dashboard.WaitForAssertion(() => Assert.NotEmpty(dashboard.FindAll("[data-period=week]")));
        Assert.Equal("1", dashboard.FindAll("[data-period=week] .metric-value-number")[^1].TextContent.Trim());
        Assert.Equal("1", dashboard.FindAll("[data-period=season] .metric-value-number")[^1].TextContent.Trim());
        Assert.Equal(4, dashboard.FindAll("[data-testid=chart-summary]").Count);
        Assert.Contains("42.5 km", dashboard.FindAll("[data-testid=chart-summary]")[0].TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dashboard_ListsFailedUploadsApart_AndDismissingOneDeletesIt()
    {
        SignIn();
        var good = await AnalysedRideAsync();
        var failed = await AddRideAsync(r =>
        {
            r.FileName = "picture.png";
            r.Status = RideStatus.Failed;
            r.FailureCode = "not_a_ride";
            r.FailureMessage = "This is not a ride file.";
        });

        var dashboard = Render<RiderDashboard>();

        dashboard.WaitForAssertion(() => Assert.Single(dashboard.FindAll("[data-testid=failed-upload]")));
        Assert.DoesNotContain("picture.png", dashboard.Find("[data-testid=last-rides]").TextContent, StringComparison.Ordinal);
        Assert.Single(dashboard.FindAll("[data-testid=last-ride-link]"));
        await dashboard.Find("[data-testid=failed-upload] button").ClickAsync(new());

        dashboard.WaitForAssertion(() => Assert.Empty(dashboard.FindAll("[data-testid=failed-upload]")));
        await using var db = OpenCatalog();
        Assert.False(await db.Rides.AnyAsync(r => r.Id == failed.Id));
        Assert.True(await db.Rides.AnyAsync(r => r.Id == good.Id));
    }

    [Fact]
    public async Task RideList_ShowsTitlesAndRideTimes_AndLeavesFailedUploadsOut()
    {
        SignIn();
        RenderPopoverProvider();
        await AnalysedRideAsync();
        await AddRideAsync(r =>
        {
            r.FileName = "picture.png";
            r.Status = RideStatus.Failed;
            r.FailureMessage = "This is not a ride file.";
        });

        var list = Render<RideList>();

        list.WaitForAssertion(() => Assert.Single(list.FindAll("[data-testid=ride-link]")));
        Assert.Equal("Mugello, Sun 3 May morning", list.Find("[data-testid=ride-link]").TextContent.Trim());
        Assert.Equal("Sun 3 May 2026 07:45 UTC", list.Find("[data-testid=ride-started]").TextContent.Trim());
        Assert.Contains("1 upload could not be analysed", list.Find("[data-testid=failed-uploads-note]").TextContent, StringComparison.Ordinal);
        Assert.Empty(list.FindAll("[data-testid=ride-rider]"));
    }

    [Fact]
    public async Task RideList_ForATechnician_HasARiderColumnAndFilter()
    {
        var technician = Guid.NewGuid();
        await using (var db = OpenCatalog())
        {
            var rider = await db.Riders.SingleAsync(r => r.UserId == RiderId);
            rider.TechnicianId = technician;
            rider.TeamMembershipApproved = true;
            rider.Category = RiderCategory.Professional;
            await db.SaveChangesAsync();
        }

        SignIn(technician, PortalRoles.Technician);
        RenderPopoverProvider();
        await AnalysedRideAsync();

        var list = Render<RideList>();

        list.WaitForAssertion(() => Assert.Single(list.FindAll("[data-testid=ride-rider]")));
        Assert.Equal("Rider", list.Find("[data-testid=ride-rider]").TextContent.Trim());
        Assert.NotEmpty(list.FindAll("[data-testid=filter-rider]"));
    }

    private async Task<string> RawKeyAsync(Guid rideId)
    {
        await using var db = OpenCatalog();
        return (await db.Rides.AsNoTracking().SingleAsync(r => r.Id == rideId)).RawKey;
    }
}
