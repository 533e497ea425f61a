using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Playwright;
using Portal.Identity;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Browser.Rides;

/// <summary>
/// The ride page explored in Chromium: the cursor's read-out agrees with the stored traces, the cursor moves the map
/// and g-g points, zoom narrows the visible range, distance is an axis, channels hide; offline the plain track plot
/// stays. Screenshots at 1440 and 390 px.
/// </summary>
[Trait("Category", "Browser")]
public sealed class RideExplorerBrowserTests : IAsyncLifetime
{
    private static readonly TimeSpan AnalysisDeadline = TimeSpan.FromSeconds(120);

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
    public async Task Cursor_ReadsEveryChannel_MovesMapAndGg_AndZoomNarrowsTheVisibleRange()
    {
        var rideId = await UploadAndAnalyseAsync(DemoAccounts.RiderEmail, "crash-lowside-iso-100hz.csv");
        var page = await LogInAsync(DemoAccounts.RiderEmail, 1440, 900);
        await page.GotoAsync($"/rides/{rideId}");
        await page.WaitForSelectorAsync("[data-testid=ride-explorer][data-state=ready]", new() { Timeout = 90_000 });

        var explorer = page.Locator("[data-testid=ride-explorer]");
        var duration = Seconds(await explorer.GetAttributeAsync("data-x-to"));
        Assert.Equal(0, Seconds(await explorer.GetAttributeAsync("data-x-from")));
        Assert.True(duration > 30, $"whole ride shown: {duration} s");
        Assert.Contains(await explorer.GetAttributeAsync("data-map"), new[] { "plain", "tiles" }); // tests run offline: plain

        // Cursor at 40 % of the plot: the read-out names every channel, and its speed is the stored trace's there.
        var plot = await page.Locator(".rx-traces .rx-plot .nsewdrag").First.BoundingBoxAsync();
        Assert.NotNull(plot);
        await page.Mouse.MoveAsync(plot.X + (plot.Width * 0.4f), plot.Y + (plot.Height / 2));
        await page.WaitForFunctionAsync("() => document.querySelector('[data-testid=ride-explorer]').dataset.cursorS !== undefined");
        var cursorS = Seconds(await explorer.GetAttributeAsync("data-cursor-s"));
        Assert.InRange(cursorS, duration * 0.35, duration * 0.45);
        var readout = page.Locator("[data-testid=explorer-readout]");
        foreach (var channel in new[] { "time", "distance", "speed", "accel_long", "accel_lat", "lean" })
        {
            Assert.Equal(1, await readout.Locator($"[data-channel={channel}]").CountAsync());
        }

        var shownSpeed = double.Parse((await readout.Locator("[data-channel=speed] .rx-value").InnerTextAsync()).Replace('−', '-'), CultureInfo.InvariantCulture);
        var storedSpeed = await StoredValueAtAsync(page, rideId, "speed", cursorS);
        Assert.InRange(shownSpeed, storedSpeed - 1, storedSpeed + 1);
        Assert.Matches(@"^\d\d:\d\d\.\d$", (await readout.Locator("[data-channel=time]").InnerTextAsync()).Replace("Time", "").Trim());
        Assert.True(await page.Locator("[data-testid=map-cursor]").IsVisibleAsync());
        Assert.True(await page.Locator("[data-testid=gg-cursor]").IsVisibleAsync());
        var mapBefore = await explorer.GetAttributeAsync("data-map-cursor");
        await page.Mouse.MoveAsync(plot.X + (plot.Width * 0.7f), plot.Y + (plot.Height / 2));
        await page.WaitForFunctionAsync($"() => document.querySelector('[data-testid=ride-explorer]').dataset.mapCursor !== '{mapBefore}'");

        // Drag-zoom from 25 % to 50 % of the width: the visible range is that quarter of the ride.
        await page.Mouse.MoveAsync(plot.X + (plot.Width * 0.25f), plot.Y + (plot.Height / 2));
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync(plot.X + (plot.Width * 0.375f), plot.Y + (plot.Height / 2), new() { Steps = 5 });
        await page.Mouse.MoveAsync(plot.X + (plot.Width * 0.5f), plot.Y + (plot.Height / 2), new() { Steps = 5 });
        await page.Mouse.UpAsync();
        await page.WaitForFunctionAsync("() => document.querySelector('[data-testid=ride-explorer]').dataset.xFrom !== '0.00'");
        var from = Seconds(await explorer.GetAttributeAsync("data-x-from"));
        var to = Seconds(await explorer.GetAttributeAsync("data-x-to"));
        Assert.InRange(from, duration * 0.22, duration * 0.28);
        Assert.InRange(to, duration * 0.47, duration * 0.53);
        Assert.StartsWith("Showing ", await page.Locator("[data-testid=explorer-range]").InnerTextAsync(), StringComparison.Ordinal);

        // The wheel zooms further in around the pointer.
        await page.Mouse.MoveAsync(plot.X + (plot.Width * 0.5f), plot.Y + (plot.Height / 2));
        await page.Mouse.WheelAsync(0, -400);
        await page.WaitForFunctionAsync($"() => {{ const d = document.querySelector('[data-testid=ride-explorer]').dataset; return d.xTo - d.xFrom < {(to - from).ToString(CultureInfo.InvariantCulture)} * 0.9; }}");

        await page.ClickAsync("[data-testid=zoom-reset]");
        await page.WaitForFunctionAsync("() => document.querySelector('[data-testid=ride-explorer]').dataset.xFrom === '0.00'");

        // Distance as the axis, and a channel hidden from the chart and the read-out.
        await page.ClickAsync("[data-testid=axis-distance]");
        await page.WaitForSelectorAsync("[data-testid=ride-explorer][data-axis=distance]");
        Assert.Contains("Distance (km)", await page.Locator(".rx-traces .xtitle").TextContentAsync() ?? "", StringComparison.Ordinal);
        await page.UncheckAsync("[data-testid=channel-lean]");
        await page.Mouse.MoveAsync(plot.X + (plot.Width * 0.3f), plot.Y + (plot.Height / 2));
        await page.WaitForFunctionAsync("() => !document.querySelector('[data-testid=explorer-readout] [data-channel=lean]')");
        Assert.Equal(1, await readout.Locator("[data-channel=speed]").CountAsync());

        await ScreenshotAsync(page, "RideExplorer-1440");
        await page.SetViewportSizeAsync(390, 844);
        await page.ReloadAsync();
        await page.WaitForSelectorAsync("[data-testid=ride-explorer][data-state=ready]", new() { Timeout = 90_000 });
        await ScreenshotAsync(page, "RideExplorer-390");
    }

    [Fact]
    public async Task TracesWindow_IsServedForAZoomedRange_AndABadWindowIsRefusedWithAReason()
    {
        var rideId = await UploadAndAnalyseAsync(DemoAccounts.RiderEmail, "city-iso-100hz.csv");
        using var client = await factory.CreateBearerClientAsync(DemoAccounts.RiderEmail);

        using var window = JsonDocument.Parse(await client.GetStringAsync($"/api/rides/{rideId}/traces?from=60&to=90&points=200"));
        var speed = window.RootElement.GetProperty("channels").EnumerateArray().First(c => c.GetProperty("name").GetString() == "speed");
        var times = speed.GetProperty("t").EnumerateArray().Select(t => t.GetDouble()).ToList();
        Assert.InRange(times.Count, 2, 202);
        Assert.True(times[1] >= 60 && times[^2] <= 90, $"window {times[1]}..{times[^2]}");

        using var bad = await client.GetAsync($"/api/rides/{rideId}/traces?from=90&to=60");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("must be greater than from", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static double Seconds(string? value) => double.Parse(value!, CultureInfo.InvariantCulture);

    /// <summary>The stored trace's value at <paramref name="seconds"/>, interpolated, read through the page's own session.</summary>
    private static async Task<double> StoredValueAtAsync(IPage page, Guid rideId, string channel, double seconds)
    {
        var script = $$"""
            async () => {
                const traces = await (await fetch('api/rides/{{rideId}}/traces')).json();
                const c = traces.channels.find(x => x.name === '{{channel}}');
                const s = {{seconds.ToString(CultureInfo.InvariantCulture)}};
                let i = c.t.findIndex(t => t >= s);
                if (i <= 0) return c.values[Math.max(0, i)];
                const f = (s - c.t[i - 1]) / (c.t[i] - c.t[i - 1]);
                return c.values[i - 1] + f * (c.values[i] - c.values[i - 1]);
            }
            """;
        return await page.EvaluateAsync<double>(script);
    }

    private async Task<IPage> LogInAsync(string email, int width, int height)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = width, Height = height },
        });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/account/login");
        await page.FillAsync("#login-email", email);
        await page.FillAsync("#login-password", PortalFactory.DemoPassword);
        await page.ClickAsync("button[type=submit]");
        await page.WaitForSelectorAsync(".portal-root[data-interactive=true]");
        return page;
    }

    private async Task<Guid> UploadAndAnalyseAsync(string email, string sample)
    {
        using var client = await factory.CreateBearerClientAsync(email);
        await using var file = File.OpenRead(Path.Combine(TestServices.SamplesDir, sample));
        using var content = new StreamContent(file);
        content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        using var response = await client.PostAsync($"/api/rides?fileName={Uri.EscapeDataString(sample)}", content);
        Assert.True(response.IsSuccessStatusCode, $"Upload of {sample} answered {(int)response.StatusCode}");
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var rideId = body.RootElement.GetProperty("ride").GetProperty("id").GetGuid();

        var deadline = TimeProvider.System.GetUtcNow() + AnalysisDeadline;
        while (TimeProvider.System.GetUtcNow() < deadline)
        {
            using var ride = JsonDocument.Parse(await client.GetStringAsync($"/api/rides/{rideId}"));
            if (ride.RootElement.GetProperty("status").ToString() is "Analyzed" or "2")
            {
                return rideId;
            }

            await Task.Delay(250);
        }

        Assert.Fail($"Ride {rideId} was not analysed within {AnalysisDeadline.TotalSeconds} s.");
        return rideId;
    }

    internal static async Task ScreenshotAsync(IPage page, string name)
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Portal.sln")))
        {
            root = root.Parent;
        }

        var folder = Path.Combine(root?.FullName ?? AppContext.BaseDirectory, "TestResults", "screenshots");
        Directory.CreateDirectory(folder);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, $"{name}.png"), FullPage = true });
    }
}
