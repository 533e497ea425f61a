using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Playwright;
using Portal.Identity;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Browser.Rides;

/// <summary>
/// Real Chromium against the whole portal on a real port (SQLite catalog, local-disk storage, the Hangfire server
/// of the portal's own host running the analysis): a rider's rides, charts and privacy, with screenshots.
/// </summary>
[Trait("Category", "Browser")]
public sealed class RiderPagesBrowserTests : IAsyncLifetime
{
    private static readonly TimeSpan AnalysisDeadline = TimeSpan.FromSeconds(120);
    private static readonly (int Width, int Height)[] Widths = [(1280, 800), (390, 844)];

    private readonly PortalFactory factory = new();
    private Uri baseAddress = default!;
    private IPlaywright playwright = default!;
    private IBrowser browser = default!;

    public async Task InitializeAsync()
    {
        baseAddress = await factory.StartKestrelAsync();
        playwright = await Playwright.CreateAsync();
        browser = await HeadlessChromium.LaunchAsync(playwright);
    }

    public async Task DisposeAsync()
    {
        await browser.DisposeAsync();
        playwright.Dispose();
        await factory.DisposeAsync();
    }

    [Fact]
    public async Task Rider_UploadsASample_AndSeesItsCharts()
    {
        var rideId = await UploadSampleAsync(DemoAccounts.RiderEmail, "city-iso-100hz.csv");
        var page = await LogInAsync(DemoAccounts.RiderEmail);

        // Opened straight after the upload: the page follows the analysis until the charts arrive.
        await page.GotoAsync($"/rides/{rideId}");
        await page.WaitForSelectorAsync(".portal-root[data-interactive=true]");
        await page.WaitForSelectorAsync("[data-testid=ride-traces] .svg-chart-wide svg",
            new PageWaitForSelectorOptions { Timeout = (float)AnalysisDeadline.TotalMilliseconds });

        Assert.Equal("analyzed", await page.Locator("[data-testid=ride-status]").GetAttributeAsync("data-status"));
        Assert.Equal(3, await page.Locator("[data-testid=ride-traces-static] .svg-chart-wide svg").CountAsync());
        Assert.Equal(1, await page.Locator("[data-testid=ride-gg] .svg-chart-wide svg").CountAsync());
        Assert.True(await page.Locator("[data-testid=ride-map] svg").CountAsync() > 0);
        Assert.NotEqual("—", (await page.Locator("[data-metric=distance_km] .metric-value-number").InnerTextAsync()).Trim());
        Assert.Contains("deleted in", await page.Locator("[data-testid=raw-window-title]").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal($"/api/rides/{rideId}/raw", await page.Locator("[data-testid=raw-download]").GetAttributeAsync("href"));

        await ScreenshotsAsync(page, nameof(Rider_UploadsASample_AndSeesItsCharts), "[data-testid=ride-traces] .svg-chart-wide svg");
    }

    [Fact]
    public async Task Rider_CannotOpenAnotherRidersRideUrl()
    {
        var proRide = await UploadSampleAsync(DemoAccounts.ProEmail, "country-epochms-100hz.csv");
        var page = await LogInAsync(DemoAccounts.RiderEmail);

        await page.GotoAsync($"/rides/{proRide}");
        await page.WaitForSelectorAsync(".portal-root[data-interactive=true]");

        Assert.True(await page.Locator("[data-testid=ride-not-found]").IsVisibleAsync());
        Assert.Equal(0, await page.Locator("[data-testid=ride-title]").CountAsync());
        Assert.DoesNotContain("country-epochms-100hz.csv", await page.ContentAsync(), StringComparison.Ordinal);

        // The same cookie gets the API's 404 for the ride and its raw file.
        var cookies = await page.Context.CookiesAsync();
        using var api = new HttpClient { BaseAddress = baseAddress };
        api.DefaultRequestHeaders.Add("Cookie", string.Join("; ", cookies.Select(c => $"{c.Name}={c.Value}")));
        using var ride = await api.GetAsync($"/api/rides/{proRide}");
        using var raw = await api.GetAsync($"/api/rides/{proRide}/raw");
        Assert.Equal(HttpStatusCode.NotFound, ride.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, raw.StatusCode);
    }

    [Fact]
    public async Task RiderDashboard_AndRideList_ShowTheRidersRides()
    {
        var crashRide = await UploadSampleAsync(DemoAccounts.RiderEmail, "crash-highside-iso-100hz.csv");
        var trackRide = await UploadSampleAsync(DemoAccounts.RiderEmail, "track-iso-200hz.csv");
        await WaitForAnalysisAsync(DemoAccounts.RiderEmail, crashRide);
        await WaitForAnalysisAsync(DemoAccounts.RiderEmail, trackRide);
        var page = await LogInAsync(DemoAccounts.RiderEmail);

        await page.GotoAsync("/");
        await page.WaitForSelectorAsync(".portal-root[data-interactive=true]");
        await page.WaitForSelectorAsync("[data-testid=last-rides]");
        Assert.Equal(1, await page.Locator("[data-testid=crash-alert]").CountAsync());
        // Rides are listed by title (place and time from their own clock); both are there.
        Assert.Equal(2, await page.Locator("[data-testid=last-ride-link]").CountAsync());
        // Both samples were recorded in May 2026 by their own clock, outside the trend window of the last 12 weeks:
        // the weekly distance chart is drawn (with empty weeks), the three per-ride trends say they have no ride.
        Assert.Equal(1, await page.Locator("[data-testid=dashboard-trends] .svg-chart-wide svg").CountAsync());
        Assert.Equal(3, await page.Locator("[data-testid=dashboard-trends] .svg-chart-empty").CountAsync());
        Assert.Equal(4, await page.Locator("[data-testid=dashboard-trends] [data-testid=chart-summary]").CountAsync());
        await ScreenshotsAsync(page, "RiderDashboard", "[data-testid=last-rides]");

        await page.GotoAsync("/rides");
        await page.WaitForSelectorAsync(".portal-root[data-interactive=true]");
        await page.WaitForSelectorAsync("[data-testid=ride-link]");
        var names = await page.Locator("[data-testid=ride-file]").AllInnerTextsAsync();
        Assert.Contains("track-iso-200hz.csv", names);
        Assert.Contains("crash-highside-iso-100hz.csv", names);
        await ScreenshotsAsync(page, "RideList", "[data-testid=ride-link]");
    }

    private async Task<IPage> LogInAsync(string email)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = Widths[0].Width, Height = Widths[0].Height },
        });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/account/login");
        await page.FillAsync("#login-email", email);
        await page.FillAsync("#login-password", PortalFactory.DemoPassword);
        await page.ClickAsync("button[type=submit]");
        await page.WaitForSelectorAsync(".portal-root[data-interactive=true]");
        return page;
    }

    /// <summary>Uploads a golden sample through the API with the user's bearer token; returns the ride id.</summary>
    private async Task<Guid> UploadSampleAsync(string email, string sample)
    {
        using var client = await factory.CreateBearerClientAsync(email);
        await using var file = File.OpenRead(Path.Combine(TestServices.SamplesDir, sample));
        using var content = new StreamContent(file);
        content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        using var response = await client.PostAsync($"/api/rides?fileName={Uri.EscapeDataString(sample)}", content);
        Assert.True(response.IsSuccessStatusCode, $"Upload of {sample} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("ride").GetProperty("id").GetGuid();
    }

    /// <summary>Waits (bounded) for the portal's Hangfire server to finish the ride's analysis.</summary>
    private async Task WaitForAnalysisAsync(string email, Guid rideId)
    {
        using var client = await factory.CreateBearerClientAsync(email);
        var deadline = DateTime.UtcNow + AnalysisDeadline;
        string? status = null;
        while (DateTime.UtcNow < deadline)
        {
            using var body = JsonDocument.Parse(await client.GetStringAsync($"/api/rides/{rideId}"));
            status = body.RootElement.GetProperty("status").ToString();
            if (status is "Analyzed" or "Failed" or "2" or "3")
            {
                return;
            }

            await Task.Delay(250);
        }

        Assert.Fail($"Ride {rideId} was still {status} after {AnalysisDeadline.TotalSeconds} s.");
    }

    /// <summary>Full-page screenshots at desktop and phone widths: TestResults/screenshots/{name}-{width}.png.</summary>
    private static async Task ScreenshotsAsync(IPage page, string name, string readySelector)
    {
        foreach (var (width, height) in Widths)
        {
            await page.SetViewportSizeAsync(width, height);
            await page.ReloadAsync();
            await page.WaitForSelectorAsync(".portal-root[data-interactive=true]");
            // Attached, not visible: at phone width the charts show their narrow drawing and hide the wide one.
            await page.WaitForSelectorAsync(readySelector, new PageWaitForSelectorOptions { State = WaitForSelectorState.Attached });
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = ScreenshotPath($"{name}-{width}"), FullPage = true });
        }
    }

    private static string ScreenshotPath(string name)
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Portal.sln")))
        {
            root = root.Parent;
        }

        var folder = Path.Combine(root?.FullName ?? AppContext.BaseDirectory, "TestResults", "screenshots");
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, $"{name}.png");
    }
}
