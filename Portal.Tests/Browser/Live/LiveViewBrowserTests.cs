using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Portal.Core.Simulation;
using Portal.Identity;
using Portal.Jobs.Live;
using Portal.Tests.Infrastructure;
using Portal.Tests.Live;

namespace Portal.Tests.Browser.Live;

/// <summary>
/// The whole portal on a real port with its embedded broker: a registered suit streams through the simulator while its
/// rider watches /live?device=ID in Chromium, and the charts appear and move on.
/// </summary>
[Trait("Category", "Browser")]
public sealed class LiveViewBrowserTests : IAsyncLifetime
{
    private static readonly (int Width, int Height)[] Widths = [(1280, 800), (390, 844)];
    private readonly int mqttPort = LiveTestPorts.FreeLoopbackPort();
    private readonly PortalFactory factory = new();
    private Uri baseAddress = default!;
    private IPlaywright playwright = default!;
    private IBrowser browser = default!;

    public async Task InitializeAsync()
    {
        factory.WithSetting("Mqtt:Embedded:Port", mqttPort.ToString(CultureInfo.InvariantCulture));
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
    public async Task Rider_WatchesTheirSuitRidingLive_AndTheChartsUpdate()
    {
        using var pro = await factory.CreateBearerClientAsync(DemoAccounts.ProEmail);
        var proId = (await pro.GetFromJsonAsync<JsonElement>("/api/me")).GetProperty("id").GetGuid();
        using var technician = await factory.CreateBearerClientAsync(DemoAccounts.TechnicianEmail);
        using var registered = await technician.PostAsJsonAsync("/api/devices", new { name = "Pro's suit", riderId = proId });
        Assert.True(registered.IsSuccessStatusCode, await registered.Content.ReadAsStringAsync());
        var body = await registered.Content.ReadFromJsonAsync<JsonElement>();
        var deviceId = body.GetProperty("id").GetString()!;
        var secret = body.GetProperty("secret").GetString()!;

        var page = await LogInAsync(DemoAccounts.ProEmail);
        await page.GotoAsync($"/live?device={deviceId}");
        await page.WaitForSelectorAsync(".portal-root[data-interactive=true]");
        await page.WaitForSelectorAsync("[data-testid=live-waiting]");

        using var stop = new CancellationTokenSource();
        var simulator = DeviceSimulator.RunAsync(new SimulatedDevice(deviceId, secret),
            new DeviceSimulationOptions { Port = mqttPort, RateHz = 50, Batch = 10, Duration = TimeSpan.FromSeconds(30), Scenario = RideScenario.Track },
            TimeProvider.System, stop.Token);
        try
        {
            await page.WaitForSelectorAsync("[data-testid=live-chart-speed] .svg-chart-wide svg", new PageWaitForSelectorOptions { Timeout = 30_000 });
            Assert.Equal(3, await page.Locator("[data-testid=live-panel] .svg-chart-wide svg").CountAsync());
            Assert.Equal("Streaming", await page.Locator("[data-testid=live-state]").GetAttributeAsync("data-state"));
            var firstDraw = await page.Locator("[data-testid=live-chart-speed] .svg-chart-wide").InnerHTMLAsync();
            var firstFacts = await page.Locator("[data-testid=live-last-sample]").InnerTextAsync();

            // The page refreshes about once a second: new samples, a newer drawing.
            await page.WaitForFunctionAsync(
                "previous => document.querySelector('[data-testid=live-last-sample]')?.innerText !== previous", firstFacts,
                new PageWaitForFunctionOptions { Timeout = 15_000 });
            Assert.NotEqual(firstDraw, await page.Locator("[data-testid=live-chart-speed] .svg-chart-wide").InnerHTMLAsync());
            var rate = double.Parse(await page.Locator("[data-testid=live-rate] .metric-value-number").InnerTextAsync(), CultureInfo.InvariantCulture);
            Assert.InRange(rate, 45, 55);

            foreach (var (width, height) in Widths)
            {
                await page.SetViewportSizeAsync(width, height);
                await page.ScreenshotAsync(new PageScreenshotOptions { Path = ScreenshotPath($"{nameof(Rider_WatchesTheirSuitRidingLive_AndTheChartsUpdate)}-{width}"), FullPage = true });
            }
        }
        finally
        {
            await stop.CancelAsync();
            try
            {
                await simulator;
            }
            catch (OperationCanceledException)
            {
            }
        }
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
