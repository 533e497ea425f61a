using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Browser.Ops;

/// <summary>
/// The portal on a real port with one crash ride seeded the real way: the rider uploads the golden crash sample
/// through the API, the analysis and crash jobs run on Hangfire, then people look at it in Chromium.
/// </summary>
public sealed class OpsBrowserFixture : IAsyncLifetime
{
    public const string CrashSample = "crash-highside-iso-100hz.csv";

    public PortalFactory Factory { get; } = new();

    public Uri BaseAddress { get; private set; } = default!;

    public IBrowser Browser { get; private set; } = default!;

    public Guid CrashRideId { get; private set; }

    public Guid CrashId { get; private set; }

    public string SamplePath => Path.Combine(TestServices.SamplesDir, CrashSample);

    private IPlaywright playwright = default!;

    public async Task InitializeAsync()
    {
        BaseAddress = await Factory.StartKestrelAsync();
        playwright = await Playwright.CreateAsync();
        Browser = await HeadlessChromium.LaunchAsync(playwright);
        await SeedCrashAsync();
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        playwright.Dispose();
        await Factory.DisposeAsync();
    }

    private async Task SeedCrashAsync()
    {
        using var rider = await BearerClientAsync("rider@demo.local");
        await using var file = File.OpenRead(SamplePath);
        using var content = new StreamContent(file);
        content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        using var uploaded = await rider.PostAsync($"/api/rides?fileName={CrashSample}", content);
        uploaded.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await uploaded.Content.ReadAsStringAsync());
        CrashRideId = body.RootElement.GetProperty("ride").GetProperty("id").GetGuid();

        // Waiting for the two jobs is part of the set-up, not of an assertion: a minute is far more than they need.
        using var rnd = await BearerClientAsync("rnd@demo.local");
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (DateTime.UtcNow < deadline)
        {
            using var crashes = JsonDocument.Parse(await rnd.GetStringAsync("/api/crashes"));
            var crash = crashes.RootElement.GetProperty("items").EnumerateArray()
                .FirstOrDefault(c => c.GetProperty("rideId").GetGuid() == CrashRideId);
            if (crash.ValueKind == JsonValueKind.Object)
            {
                CrashId = crash.GetProperty("id").GetGuid();
                return;
            }

            await Task.Delay(250);
        }

        throw new InvalidOperationException($"The crash sample's ride {CrashRideId} was not filed as a crash within a minute.");
    }

    private async Task<HttpClient> BearerClientAsync(string email)
    {
        var client = new HttpClient { BaseAddress = BaseAddress };
        using var login = await client.PostAsJsonAsync("/api/auth/login", new { email, password = PortalFactory.DemoPassword });
        login.EnsureSuccessStatusCode();
        var token = (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}

[Trait("Category", "Browser")]
public sealed class OpsBrowserTests(OpsBrowserFixture fixture) : IClassFixture<OpsBrowserFixture>
{
    private static readonly (int Width, int Height)[] Widths = [(1280, 800), (390, 844)];

    [Fact]
    public async Task RnD_OpensACrash_AndDownloadsIt()
    {
        var page = await LogInAsync("rnd@demo.local");

        await page.GotoAsync("/crashes");
        await WaitForCircuitAsync(page);
        var link = page.Locator($"a[href='/crashes/{fixture.CrashId}']");
        await link.WaitForAsync();
        Assert.Contains("highside", await page.Locator("[data-testid=crash-table]").InnerTextAsync(), StringComparison.Ordinal);
        await ScreenshotsAsync(page, nameof(RnD_OpensACrash_AndDownloadsIt) + "-crashes");

        await link.ClickAsync();
        await page.WaitForURLAsync($"**/crashes/{fixture.CrashId}");
        await page.Locator("[data-testid=crash-window] svg").First.WaitForAsync();
        Assert.Contains("highside", await page.Locator("[data-testid=crash-title]").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(0, await page.Locator("[data-testid=crash-window-problem]").CountAsync());
        await ScreenshotsAsync(page, nameof(RnD_OpensACrash_AndDownloadsIt) + "-crash-detail");

        var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("[data-testid=download-crash-raw]").ClickAsync());
        var downloaded = await File.ReadAllBytesAsync(await download.PathAsync());
        Assert.Equal(await File.ReadAllBytesAsync(fixture.SamplePath), downloaded);
    }

    [Fact]
    public async Task Admin_OpensTheHangfirePanel()
    {
        var page = await LogInAsync("admin@demo.local");

        var response = await page.GotoAsync("/hangfire");

        Assert.Equal(200, response!.Status);
        await page.Locator("text=Ride Portal jobs").First.WaitForAsync();
        await page.Locator("a[href$='/hangfire/jobs/enqueued']").First.WaitForAsync();
        await ScreenshotsAsync(page, nameof(Admin_OpensTheHangfirePanel));
    }

    [Fact]
    public async Task Admin_SeesEveryonesJobsAndTheUsers()
    {
        var page = await LogInAsync("admin@demo.local");

        await page.GotoAsync("/jobs");
        await WaitForCircuitAsync(page);
        await page.Locator("[data-testid=jobs-table]").WaitForAsync();
        var jobs = await page.Locator("[data-testid=jobs-table]").InnerTextAsync();
        Assert.Contains("Ride analysis", jobs, StringComparison.Ordinal);
        Assert.Contains("Crash filing", jobs, StringComparison.Ordinal);
        Assert.True(await page.Locator("[data-testid=open-hangfire]").IsVisibleAsync());
        await ScreenshotsAsync(page, nameof(Admin_SeesEveryonesJobsAndTheUsers) + "-jobs");

        await page.GotoAsync("/admin/users");
        await WaitForCircuitAsync(page);
        await page.Locator("[data-testid=users-table]").WaitForAsync();
        var emails = await page.Locator("[data-testid=user-email]").AllInnerTextsAsync();
        Assert.Contains("rider@demo.local", emails);
        Assert.Contains("rnd@demo.local", emails);
        await ScreenshotsAsync(page, nameof(Admin_SeesEveryonesJobsAndTheUsers) + "-users");

        await page.GotoAsync("/admin/health");
        await WaitForCircuitAsync(page);
        await page.Locator("[data-testid=queue-name]").First.WaitForAsync();
        var queues = await page.Locator("[data-testid=queue-name]").AllInnerTextsAsync();
        Assert.Contains("analytics", queues);
        Assert.Contains("crash", queues);
    }

    [Fact]
    public async Task Admin_OpensTheDevicesAndDeviceProfilesPages()
    {
        var page = await LogInAsync("admin@demo.local");

        await page.GotoAsync("/admin/devices");
        await WaitForCircuitAsync(page);
        await page.Locator("[data-testid=broker-panel]").WaitForAsync();
        Assert.Equal("running (embedded)", await page.Locator("[data-testid=broker-running]").InnerTextAsync());
        Assert.True(await page.GetByText("Register a device").IsVisibleAsync());
        await ScreenshotsAsync(page, nameof(Admin_OpensTheDevicesAndDeviceProfilesPages) + "-devices");

        await page.GotoAsync("/admin/device-profiles");
        await WaitForCircuitAsync(page);
        await page.Locator("[data-testid=profile-new]").ClickAsync();
        await page.GetByText("New device profile").WaitForAsync();
        await ScreenshotsAsync(page, nameof(Admin_OpensTheDevicesAndDeviceProfilesPages) + "-profiles");
    }

    [Fact]
    public async Task Rider_SeesTheJobsOfTheirRide_WithoutTheHangfireLink()
    {
        var page = await LogInAsync("rider@demo.local");

        await page.GotoAsync("/jobs");
        await WaitForCircuitAsync(page);
        await page.Locator("[data-testid=jobs-table]").WaitForAsync();

        Assert.Contains(OpsBrowserFixture.CrashSample, await page.Locator("[data-testid=jobs-table]").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(0, await page.Locator("[data-testid=open-hangfire]").CountAsync());
    }

    private async Task<IPage> LogInAsync(string email)
    {
        var context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = fixture.BaseAddress.ToString(),
            AcceptDownloads = true,
            ViewportSize = new ViewportSize { Width = 1280, Height = 800 },
        });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/account/login");
        await page.FillAsync("#login-email", email);
        await page.FillAsync("#login-password", PortalFactory.DemoPassword);
        await page.ClickAsync("button[type=submit]");
        await WaitForCircuitAsync(page);
        return page;
    }

    private static Task WaitForCircuitAsync(IPage page) => page.WaitForSelectorAsync(".portal-root[data-interactive=true]");

    private static async Task ScreenshotsAsync(IPage page, string name)
    {
        foreach (var (width, height) in Widths)
        {
            await page.SetViewportSizeAsync(width, height);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = ScreenshotPath($"{name}-{width}"), FullPage = true });
        }

        await page.SetViewportSizeAsync(Widths[0].Width, Widths[0].Height);
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
        return Path.Combine(folder, name + ".png");
    }
}
