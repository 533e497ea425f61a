using System.Net;
using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text.Json;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using Portal.Components.Layout;
using Portal.Identity;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Browser.Product;

/// <summary>
/// The finished product in real Chromium, one portal for the class: every page of every role passes axe-core
/// (no serious or critical violation) and fits a 390 px phone without horizontal scrolling; ride dates are the
/// rides' own; screenshots of each role's home and ride list at 1440 and 390 px.
/// </summary>
[Trait("Category", "Browser")]
public sealed class ProductPagesBrowserTests : IAsyncLifetime
{
    private const int Desktop = 1440;
    private const int Phone = 390;
    private static readonly TimeSpan AnalysisDeadline = TimeSpan.FromSeconds(120);

    /// <summary>The demo accounts and the roles they hold (a professional rider is a rider).</summary>
    private static readonly (string Email, string Role)[] Accounts =
    [
        (DemoAccounts.RiderEmail, PortalRoles.Rider),
        (DemoAccounts.ProEmail, PortalRoles.Rider),
        (DemoAccounts.TechnicianEmail, PortalRoles.Technician),
        (DemoAccounts.RnDEmail, PortalRoles.RnD),
        (DemoAccounts.AdminEmail, PortalRoles.Admin),
    ];

    private readonly PortalFactory factory = new();
    private Uri baseAddress = default!;
    private IPlaywright playwright = default!;
    private IBrowser browser = default!;
    private Guid crashRide;
    private Guid cityRide;
    private Guid proRide;

    public async Task InitializeAsync()
    {
        baseAddress = await factory.StartKestrelAsync();
        playwright = await Playwright.CreateAsync();
        browser = await HeadlessChromium.LaunchAsync(playwright);

        // Recorded on 4 and 23 May 2026 (their own clocks), uploaded now.
        crashRide = await UploadSampleAsync(DemoAccounts.RiderEmail, "crash-highside-iso-100hz.csv");
        cityRide = await UploadSampleAsync(DemoAccounts.RiderEmail, "city-iso-100hz.csv");
        proRide = await UploadSampleAsync(DemoAccounts.ProEmail, "track-iso-200hz.csv");
        await WaitForAnalysisAsync(DemoAccounts.RiderEmail, crashRide);
        await WaitForAnalysisAsync(DemoAccounts.RiderEmail, cityRide);
        await WaitForAnalysisAsync(DemoAccounts.ProEmail, proRide);
    }

    public async Task DisposeAsync()
    {
        await browser.DisposeAsync();
        playwright.Dispose();
        await factory.DisposeAsync();
    }

    [Fact]
    public async Task EveryPageOfEveryRole_HasNoSeriousOrCriticalAxeViolation_AndNoHorizontalScrollingOnAPhone()
    {
        var failures = new List<string>();
        foreach (var (email, role) in Accounts)
        {
            var pages = PagesOf(role, email);
            var desktop = await LogInAsync(email, Desktop, 900);
            var phone = await LogInAsync(email, Phone, 844);
            foreach (var path in pages)
            {
                await OpenAsync(desktop, path);
                var axe = await desktop.RunAxe(new AxeRunContext { Exclude = [new AxeSelector("iframe")] });
                failures.AddRange(axe.Violations
                    .Where(v => v.Impact is "serious" or "critical")
                    .Select(v => $"{email} {path}: {v.Impact} {v.Id} ({v.Help}) at {string.Join(" | ", v.Nodes.Take(3).Select(n => n.Html))}"));

                await OpenAsync(phone, path);
                var (scrollWidth, innerWidth) = await WidthsAsync(phone);
                if (scrollWidth > innerWidth)
                {
                    failures.Add($"{email} {path}: scrolls horizontally at {Phone} px (document {scrollWidth} px wide)");
                }
            }

            await desktop.Context.CloseAsync();
            await phone.Context.CloseAsync();
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    [Fact]
    public async Task RideList_AndHomeTotals_UseTheRidesOwnTime_InTheBrowsersTimeZone()
    {
        var page = await LogInAsync(DemoAccounts.RiderEmail, Desktop, 900, timeZone: "Europe/Rome");

        await OpenAsync(page, "/rides");
        var rows = page.Locator("[data-testid=ride-table] tbody tr");
        Assert.Equal(2, await rows.CountAsync());
        // Newest ridden first: city (23 May) before the crash (4 May, 10:18:08 UTC = 12:18 in Rome).
        Assert.Contains("23 May 2026", await rows.Nth(0).Locator("[data-testid=ride-started]").InnerTextAsync(), StringComparison.Ordinal);
        var browserZone = await page.EvaluateAsync<string>("() => typeof window.portalTimeZone === 'function' ? window.portalTimeZone() : 'portalTimeZone missing'");
        Assert.Equal("Europe/Rome", browserZone);
        Assert.Equal("Mon 4 May 2026 12:18", (await rows.Nth(1).Locator("[data-testid=ride-started]").InnerTextAsync()).Trim());
        Assert.Contains("crash-highside-iso-100hz.csv", await rows.Nth(1).Locator("[data-testid=ride-file]").InnerTextAsync(), StringComparison.Ordinal);

        await OpenAsync(page, "/");
        await page.WaitForSelectorAsync("[data-testid=dashboard-totals]");
        // Uploaded this week, ridden in May: nothing this week, both in the season.
        Assert.Equal("0", (await page.Locator("[data-period=week] .metric-value-number").Last.InnerTextAsync()).Trim());
        Assert.Equal("2", (await page.Locator("[data-period=season] .metric-value-number").Last.InnerTextAsync()).Trim());
    }

    [Fact]
    public async Task Technician_SeesTheRiderColumn_TheTeamsProfessionalSessions_AndRefusalsInsideTheLayout()
    {
        var page = await LogInAsync(DemoAccounts.TechnicianEmail, Desktop, 900);

        await OpenAsync(page, "/rides");
        Assert.True(await page.Locator("[data-testid=filter-rider]").IsVisibleAsync());
        Assert.Contains("pro", (await page.Locator("[data-testid=ride-rider]").First.InnerTextAsync()).ToLowerInvariant(), StringComparison.Ordinal);

        await OpenAsync(page, "/pro-sessions");
        Assert.Equal(1, await page.Locator("[data-testid=pro-sessions-table] tbody tr").CountAsync());

        await OpenAsync(page, "/admin/users");
        Assert.Contains("/account/access-denied", page.Url, StringComparison.Ordinal);
        Assert.True(await page.Locator(".portal-appbar").IsVisibleAsync());
        Assert.Equal("/", await page.Locator("[data-testid=access-denied] a").First.GetAttributeAsync("href"));

        var missing = await page.GotoAsync("/no-such-page");
        Assert.Equal((int)HttpStatusCode.NotFound, missing!.Status);
        Assert.True(await page.Locator("[data-testid=not-found]").IsVisibleAsync());
        Assert.True(await page.Locator(".portal-appbar").IsVisibleAsync());
    }

    [Fact]
    public async Task EveryRolesHome_AndRideList_AreScreenshotAtDesktopAndPhoneWidths()
    {
        foreach (var (email, _) in Accounts)
        {
            var name = email[..email.IndexOf('@', StringComparison.Ordinal)];
            foreach (var (width, height) in new[] { (Desktop, 900), (Phone, 844) })
            {
                var page = await LogInAsync(email, width, height);
                foreach (var (path, label) in new[] { ("/", "Home"), ("/rides", "RideList") })
                {
                    await OpenAsync(page, path);
                    var file = ScreenshotPath($"{label}-{name}-{width}");
                    await page.ScreenshotAsync(new PageScreenshotOptions { Path = file, FullPage = true });
                    Assert.True(new FileInfo(file).Length > 0, file);
                }

                await page.Context.CloseAsync();
            }
        }
    }

    /// <summary>The pages in the role's menu (except the API reference, a third-party page), a ride, a refusal and a missing page.</summary>
    private List<string> PagesOf(string role, string email)
    {
        var user = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Role, role)], "test"));
        var pages = PortalNavigation.For(user).Select(item => item.Href).Where(href => !href.StartsWith("/api/", StringComparison.Ordinal)).ToList();
        if (email == DemoAccounts.RiderEmail)
        {
            pages.Add($"/rides/{crashRide}");
        }

        pages.Add(role == PortalRoles.Admin ? "/account/access-denied" : "/admin/users");
        pages.Add("/no-such-page");
        return pages;
    }

    private async Task<IPage> LogInAsync(string email, int width, int height, string? timeZone = null)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = width, Height = height },
            TimezoneId = timeZone ?? "UTC",
        });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/account/login");
        await page.FillAsync("#login-email", email);
        await page.FillAsync("#login-password", PortalFactory.DemoPassword);
        await page.ClickAsync("button[type=submit]");
        await page.WaitForSelectorAsync(".portal-root[data-interactive=true]");
        return page;
    }

    /// <summary>Opens a page and lets it settle: interactive (for pages that are), data loaded (no progress bar left).</summary>
    private static async Task OpenAsync(IPage page, string path)
    {
        await page.GotoAsync(path);
        await page.WaitForSelectorAsync(".portal-root", new PageWaitForSelectorOptions { State = WaitForSelectorState.Attached });
        try
        {
            await page.WaitForSelectorAsync(".portal-root[data-interactive=true]", new PageWaitForSelectorOptions { Timeout = 5000 });
            await page.WaitForFunctionAsync("() => document.querySelectorAll('.mud-progress-linear').length === 0", null, new PageWaitForFunctionOptions { Timeout = 5000 });
        }
        catch (TimeoutException)
        {
            // Static pages (account, refusal) never turn interactive; a page may keep a progress bar for a queued ride.
        }
    }

    private static async Task<(int ScrollWidth, int InnerWidth)> WidthsAsync(IPage page)
    {
        var widths = await page.EvaluateAsync<int[]>("() => [document.documentElement.scrollWidth, window.innerWidth]");
        return (widths[0], widths[1]);
    }

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

    private async Task WaitForAnalysisAsync(string email, Guid rideId)
    {
        using var client = await factory.CreateBearerClientAsync(email);
        var deadline = TimeProvider.System.GetUtcNow() + AnalysisDeadline;
        string? status = null;
        while (TimeProvider.System.GetUtcNow() < deadline)
        {
            using var body = JsonDocument.Parse(await client.GetStringAsync($"/api/rides/{rideId}"));
            status = body.RootElement.GetProperty("status").ToString();
            if (status is "Analyzed" or "Failed")
            {
                return;
            }

            await Task.Delay(250);
        }

        Assert.Fail($"Ride {rideId} was still {status} after {AnalysisDeadline.TotalSeconds} s.");
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
