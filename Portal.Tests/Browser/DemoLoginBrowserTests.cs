using Microsoft.Playwright;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Browser;

/// <summary>One portal on a real port and one headless Chromium, shared by the class's tests.</summary>
public sealed class BrowserPortalFixture : IAsyncLifetime
{
    public PortalFactory Factory { get; } = new();

    public Uri BaseAddress { get; private set; } = default!;

    public IBrowser Browser { get; private set; } = default!;

    private IPlaywright playwright = default!;

    public async Task InitializeAsync()
    {
        BaseAddress = await Factory.StartKestrelAsync();
        playwright = await Playwright.CreateAsync();
        Browser = await HeadlessChromium.LaunchAsync(playwright);
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        playwright.Dispose();
        await Factory.DisposeAsync();
    }
}

/// <summary>Real Chromium against the portal on a real port: each demo role logs in through the form and lands on its home.</summary>
[Trait("Category", "Browser")]
public sealed class DemoLoginBrowserTests(BrowserPortalFixture fixture) : IClassFixture<BrowserPortalFixture>
{
    private Uri BaseAddress => fixture.BaseAddress;

    private IBrowser Browser => fixture.Browser;

    [Theory]
    [InlineData("rider@demo.local", "home-rider")]
    [InlineData("pro@demo.local", "home-rider")]
    [InlineData("tech@demo.local", "home-technician")]
    [InlineData("rnd@demo.local", "home-rnd")]
    [InlineData("admin@demo.local", "home-admin")]
    public async Task DemoAccount_LogsIn_AndSeesItsRolesHome(string email, string homeCard)
    {
        await using var context = await Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = BaseAddress.ToString() });
        var page = await context.NewPageAsync();

        await page.GotoAsync("/");
        await page.WaitForURLAsync("**/account/login**");
        await page.FillAsync("#login-email", email);
        await page.FillAsync("#login-password", PortalFactory.DemoPassword);
        await page.ClickAsync("button[type=submit]");

        // The home page, then its circuit: the layout flags itself once interactive.
        await page.WaitForSelectorAsync(".portal-root[data-interactive=true]");
        Assert.Equal(new Uri(BaseAddress, "/").ToString(), page.Url);
        Assert.True(await page.Locator($"[data-testid={homeCard}]").IsVisibleAsync());
        Assert.Equal(email, (await page.Locator("[data-testid=current-user]").InnerTextAsync()).Trim());
        if (email.StartsWith("pro@", StringComparison.Ordinal))
        {
            Assert.Equal("Professional", (await page.Locator("[data-testid=rider-category]").InnerTextAsync()).Trim());
        }

        await page.ScreenshotAsync(new PageScreenshotOptions { Path = ScreenshotPath(email), FullPage = true });
    }

    private static string ScreenshotPath(string email)
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Portal.sln")))
        {
            root = root.Parent;
        }

        var folder = Path.Combine(root?.FullName ?? AppContext.BaseDirectory, "TestResults", "screenshots");
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, $"home-{email.Split('@')[0]}.png");
    }
}
