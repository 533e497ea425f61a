using Bunit;
using MudBlazor;
using Portal.Components.Pages.Rides;
using Portal.Core.Catalog;

namespace Portal.Tests.Ui.Rides;

[Trait("Category", "Ui")]
public sealed class RideListPageTests : RidePagesTestContext
{
    private async Task SeedAsync()
    {
        await AddRideAsync(r =>
        {
            r.FileName = "analysed-a.csv";
            r.DeviceId = "suit-a";
            r.UploadedAt = Start.AddDays(-3);
            Analysed(r, CompleteMetrics());
        });
        await AddRideAsync(r =>
        {
            r.FileName = "failed-b.csv";
            r.DeviceId = "suit-b";
            r.UploadedAt = Start.AddDays(-2);
            r.Status = RideStatus.Failed;
            r.FailureCode = "no_time_column";
            r.FailureMessage = "The file has no time column.";
        });
        await AddRideAsync(r =>
        {
            r.FileName = "crash-a.csv";
            r.DeviceId = "suit-a";
            r.UploadedAt = Start.AddDays(-1);
            Analysed(r, CompleteMetrics() with { CrashDetected = true, CrashTimeS = 12 });
        });
        await AddRideAsync(r =>
        {
            r.OwnerId = Guid.NewGuid();
            r.FileName = "someone-elses.csv";
            r.DeviceId = "suit-a";
            Analysed(r, CompleteMetrics());
        });
    }

    private IRenderedComponent<RideList> RenderList()
    {
        RenderPopoverProvider();
        return Render<RideList>();
    }

    private static IReadOnlyList<string> FileNames(IRenderedComponent<RideList> page) =>
        page.FindAll("[data-testid=ride-file]").Select(a => a.TextContent.Trim()).ToList();

    [Fact]
    public async Task Lists_OnlyTheRidersOwnRides_NewestFirst()
    {
        SignIn();
        await SeedAsync();

        var page = RenderList();

        // Failed uploads are not listed among the rides (the status filter still finds them).
        page.WaitForAssertion(() => Assert.Equal(["crash-a.csv", "analysed-a.csv"], FileNames(page)));
    }

    [Fact]
    public async Task StatusFilter_KeepsOnlyRidesWithThatStatus()
    {
        SignIn();
        await SeedAsync();
        var page = RenderList();
        page.WaitForAssertion(() => Assert.Equal(2, FileNames(page).Count));

        var status = page.FindComponents<MudSelect<RideStatus?>>().Single();
        await page.InvokeAsync(() => status.Instance.ValueChanged.InvokeAsync(RideStatus.Failed));

        page.WaitForAssertion(() => Assert.Equal(["failed-b.csv"], FileNames(page)));
    }

    [Fact]
    public async Task CrashAndDeviceFilters_Combine()
    {
        SignIn();
        await SeedAsync();
        var page = RenderList();
        page.WaitForAssertion(() => Assert.Equal(2, FileNames(page).Count));

        var device = page.FindComponents<MudSelect<string>>().Single();
        await page.InvokeAsync(() => device.Instance.ValueChanged.InvokeAsync("suit-a"));
        page.WaitForAssertion(() => Assert.Equal(["crash-a.csv", "analysed-a.csv"], FileNames(page)));

        var crash = page.FindComponents<MudSelect<bool?>>().Single();
        await page.InvokeAsync(() => crash.Instance.ValueChanged.InvokeAsync(false));
        page.WaitForAssertion(() => Assert.Equal(["analysed-a.csv"], FileNames(page)));
    }

    [Fact]
    public async Task DateRange_IncludesTheLastDay()
    {
        SignIn();
        await SeedAsync();
        var page = RenderList();
        page.WaitForAssertion(() => Assert.Equal(2, FileNames(page).Count));

        var pickers = page.FindComponents<MudDatePicker>();
        await page.InvokeAsync(() => pickers[0].Instance.DateChanged.InvokeAsync(Start.AddDays(-3).UtcDateTime.Date));
        await page.InvokeAsync(() => pickers[1].Instance.DateChanged.InvokeAsync(Start.AddDays(-3).UtcDateTime.Date));

        page.WaitForAssertion(() => Assert.Equal(["analysed-a.csv"], FileNames(page)));
    }

    [Fact]
    public async Task ProcessingRow_UpdatesLive_AndTheListStopsPollingOnceItIsFinal()
    {
        SignIn();
        var ride = await AddRideAsync(r =>
        {
            r.FileName = "busy.csv";
            r.Status = RideStatus.Processing;
            r.ProgressPercent = 10;
        });
        var page = RenderList();
        page.WaitForAssertion(() => Assert.Contains("10 %", page.Find("[data-testid=ride-status]").TextContent, StringComparison.Ordinal));
        var timersWhilePolling = Clock.ActiveTimers;

        await using (var db = OpenCatalog())
        {
            var stored = await db.Rides.FindAsync(ride.Id);
            Analysed(stored!, CompleteMetrics());
            await db.SaveChangesAsync();
        }

        Time.Advance(RideList.RefreshInterval);
        page.WaitForAssertion(() => Assert.Equal("analyzed", page.Find("[data-testid=ride-status]").GetAttribute("data-status")));

        page.WaitForAssertion(() => Assert.Equal(timersWhilePolling - 1, Clock.ActiveTimers));
    }

    [Fact]
    public async Task PickingTwoRides_EnablesCompare_AndOpensTheComparison()
    {
        SignIn();
        await SeedAsync();
        var page = RenderList();
        page.WaitForAssertion(() => Assert.Equal(2, FileNames(page).Count));
        Assert.True(page.Find("[data-testid=compare-selected]").HasAttribute("disabled"));

        var picks = page.FindComponents<MudCheckBox<bool>>();
        await page.InvokeAsync(() => picks[0].Instance.ValueChanged.InvokeAsync(true));
        await page.InvokeAsync(() => picks[1].Instance.ValueChanged.InvokeAsync(true));
        page.WaitForAssertion(() => Assert.False(page.Find("[data-testid=compare-selected]").HasAttribute("disabled")));
        await page.Find("[data-testid=compare-selected]").ClickAsync(new());

        var navigation = Services.GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>();
        Assert.Contains("/rides/compare?a=", navigation.Uri, StringComparison.Ordinal);
        Assert.Contains("&b=", navigation.Uri, StringComparison.Ordinal);
    }
    [Fact]
    public async Task UrlWithFilters_ShowsTheFilteredList()
    {
        SignIn();
        await SeedAsync();
        NavigateTo("/rides?status=analyzed&crash=true&device=suit-a");

        var page = RenderList();

        page.WaitForAssertion(() => Assert.Equal(["crash-a.csv"], FileNames(page)));
    }

    [Fact]
    public async Task UrlWithADateRange_KeepsOnlyRidesOfThoseDays()
    {
        SignIn();
        await SeedAsync();
        var day = Start.AddDays(-3).UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        NavigateTo($"/rides?from={day}&to={day}");

        var page = RenderList();

        page.WaitForAssertion(() => Assert.Equal(["analysed-a.csv"], FileNames(page)));
    }

    [Fact]
    public async Task ChangingAFilter_PutsItInTheUrl_AndKeepsTheOtherParameters()
    {
        SignIn();
        await SeedAsync();
        NavigateTo("/rides?device=suit-a&page=2");
        var page = RenderList();
        page.WaitForAssertion(() => Assert.Equal(["crash-a.csv", "analysed-a.csv"], FileNames(page)));

        var crash = page.FindComponents<MudSelect<bool?>>().Single();
        await page.InvokeAsync(() => crash.Instance.ValueChanged.InvokeAsync(true));

        Assert.Contains("crash=true", CurrentUri, StringComparison.Ordinal);
        Assert.Contains("device=suit-a", CurrentUri, StringComparison.Ordinal);
        Assert.DoesNotContain("page=", CurrentUri, StringComparison.Ordinal);
        page.WaitForAssertion(() => Assert.Equal(["crash-a.csv"], FileNames(page)));
    }

    [Fact]
    public async Task ValuesThatDoNotParse_AreIgnored()
    {
        SignIn();
        await SeedAsync();
        NavigateTo("/rides?status=bogus&crash=maybe&from=yesterday&page=x");

        var page = RenderList();

        page.WaitForAssertion(() => Assert.Equal(2, FileNames(page).Count));
    }

    [Fact]
    public async Task SortFromTheUrl_OrdersTheList()
    {
        SignIn();
        await SeedAsync();
        NavigateTo("/rides?sort=fileName");

        var page = RenderList();

        page.WaitForAssertion(() => Assert.Equal(["analysed-a.csv", "crash-a.csv"], FileNames(page)));
    }
}
