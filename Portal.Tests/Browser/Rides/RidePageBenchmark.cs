using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Playwright;
using Portal.Core.Simulation;
using Portal.Identity;
using Portal.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Portal.Tests.Browser.Rides;

/// <summary>Runs only when <c>PORTAL_BENCH_RIDE_PAGE=1</c>: a benchmark, not a test of the suite (timings depend on the machine).</summary>
public sealed class BenchmarkFactAttribute : FactAttribute
{
    public const string Variable = "PORTAL_BENCH_RIDE_PAGE";

    public BenchmarkFactAttribute()
    {
        if (Environment.GetEnvironmentVariable(Variable) != "1")
        {
            Skip = $"Benchmark: set {Variable}=1 to run it (docs/charts.md).";
        }
    }
}

/// <summary>
/// The ride page of a 3-hour 100 Hz ride in Chromium: first paint of the interactive charts, and how long the cursor's
/// read-out takes to follow the pointer. Prints the figures; asserts only that the page worked.
/// </summary>
[Trait("Category", "Benchmark")]
public sealed class RidePageBenchmark(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly PortalFactory factory = new();
    private Uri baseAddress = default!;
    private IPlaywright playwright = default!;
    private IBrowser browser = default!;

    public async Task InitializeAsync()
    {
        if (Environment.GetEnvironmentVariable(BenchmarkFactAttribute.Variable) != "1")
        {
            return;
        }

        baseAddress = await factory.StartKestrelAsync();
        playwright = await Playwright.CreateAsync();
        browser = await HeadlessChromium.LaunchAsync(playwright);
    }

    public async Task DisposeAsync()
    {
        if (browser is not null)
        {
            await browser.DisposeAsync();
            playwright.Dispose();
        }

        await factory.DisposeAsync();
    }

    [BenchmarkFact]
    public async Task ThreeHourRideAt100Hz_FirstPaintAndCursorLag()
    {
        var file = Path.Combine(Path.GetTempPath(), $"bench-3h-{Guid.NewGuid():N}.csv");
        try
        {
            await using (var stream = File.Create(file))
            {
                await SimulatedRideCsvWriter.WriteAsync(stream, new SimulationOptions
                {
                    Scenario = RideScenario.Track, DurationSeconds = 3 * 3600, RateHz = 100, Seed = 42,
                }, gzip: false, maxContentBytes: null, CancellationToken.None);
            }

            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ride file: {new FileInfo(file).Length / 1e6:0} MB, 1 080 000 samples per channel"));
            var rideId = await UploadAndAnalyseAsync(file);

            var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = baseAddress.ToString(), ViewportSize = new ViewportSize { Width = 1440, Height = 900 } });
            var page = await context.NewPageAsync();
            await page.GotoAsync("/account/login");
            await page.FillAsync("#login-email", DemoAccounts.RiderEmail);
            await page.FillAsync("#login-password", PortalFactory.DemoPassword);
            await page.ClickAsync("button[type=submit]");
            await page.WaitForSelectorAsync(".portal-root[data-interactive=true]");

            for (var run = 1; run <= 3; run++)
            {
                await page.GotoAsync($"/rides/{rideId}");
                await page.WaitForSelectorAsync("[data-testid=ride-explorer][data-state=ready]", new() { Timeout = 120_000 });
                var sinceNavigation = await page.EvaluateAsync<double>("() => performance.now()");
                var mountToReady = await page.Locator("[data-testid=ride-explorer]").GetAttributeAsync("data-first-paint-ms");
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"run {run}: navigation → charts drawn ≤ {sinceNavigation:0} ms; explorer mount → drawn {mountToReady} ms"));
            }

            var box = await page.Locator(".rx-traces .rx-plot .nsewdrag").First.BoundingBoxAsync();
            const string Script = """
                async ({ left, top, width, height }) => {
                    const host = document.querySelector('.rx-traces');
                    const readout = document.querySelector('[data-testid=explorer-readout]');
                    const lags = [], frames = [];
                    let last = performance.now();
                    for (let i = 0; i < 300; i++) {
                        await new Promise(r => requestAnimationFrame(r));
                        const now = performance.now();
                        frames.push(now - last);
                        last = now;
                        const before = readout.innerHTML;
                        const start = performance.now();
                        host.dispatchEvent(new PointerEvent('pointermove', { clientX: left + width * (0.05 + 0.9 * i / 300), clientY: top + height / 2, bubbles: true }));
                        await new Promise(r => requestAnimationFrame(() => r()));
                        lags.push(performance.now() - start);
                        if (readout.innerHTML === before) lags[lags.length - 1] = Infinity;
                    }
                    const q = (a, p) => { const s = [...a].sort((x, y) => x - y); return s[Math.min(s.length - 1, Math.floor(p * s.length))]; };
                    return [q(lags, 0.5), q(lags, 0.95), Math.max(...lags), q(frames, 0.95), Math.max(...frames)];
                }
                """;
            var figures = await page.EvaluateAsync<double[]>(Script, new { left = (double)box!.X, top = (double)box.Y, width = (double)box.Width, height = (double)box.Height });
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"cursor: pointer move → read-out updated p50 {figures[0]:0.0} ms, p95 {figures[1]:0.0} ms, max {figures[2]:0.0} ms; frame interval p95 {figures[3]:0.0} ms, max {figures[4]:0.0} ms"));
            Assert.All(figures, f => Assert.True(double.IsFinite(f), "every pointer move updated the read-out"));
        }
        finally
        {
            File.Delete(file);
        }
    }

    private async Task<Guid> UploadAndAnalyseAsync(string file)
    {
        using var client = await factory.CreateBearerClientAsync(DemoAccounts.RiderEmail);
        client.Timeout = TimeSpan.FromMinutes(10);
        await using var stream = File.OpenRead(file);
        using var content = new StreamContent(stream);
        content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        using var response = await client.PostAsync("/api/rides?fileName=bench-3h-100hz.csv", content);
        response.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var rideId = body.RootElement.GetProperty("ride").GetProperty("id").GetGuid();
        var deadline = TimeProvider.System.GetUtcNow().AddMinutes(15);
        while (TimeProvider.System.GetUtcNow() < deadline)
        {
            using var ride = JsonDocument.Parse(await client.GetStringAsync($"/api/rides/{rideId}"));
            if (ride.RootElement.GetProperty("status").ToString() is "Analyzed" or "2")
            {
                return rideId;
            }

            await Task.Delay(1000);
        }

        throw new TimeoutException("The 3-hour ride was not analysed within 15 minutes.");
    }
}
