using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Portal.Core.Catalog;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Browser.Upload;

/// <summary>One portal on a real port and one Chromium for the upload and team browser tests.</summary>
public sealed class UploadPortalFixture : IAsyncLifetime
{
    public static readonly (int Width, int Height) Desktop = (1280, 800);
    public static readonly (int Width, int Height) Phone = (390, 844);

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

    /// <summary>A fresh browser context logged in through the login form, on <paramref name="path"/> with its circuit up.</summary>
    public async Task<IPage> LoginAsync(string email, string path)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = BaseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = Desktop.Width, Height = Desktop.Height },
        });
        var page = await context.NewPageAsync();
        await page.GotoAsync(path);
        await page.WaitForURLAsync("**/account/login**");
        await page.FillAsync("#login-email", email);
        await page.FillAsync("#login-password", PortalFactory.DemoPassword);
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == path.Split('?')[0]);
        await WaitForCircuitAsync(page);
        return page;
    }

    public static Task WaitForCircuitAsync(IPage page) => page.WaitForSelectorAsync(".portal-root[data-interactive=true]");

    /// <summary>The uploader's browser module is loaded and listening (files set before that would go unnoticed).</summary>
    public static Task WaitForUploaderAsync(IPage page) => page.WaitForSelectorAsync("[data-testid=upload-dropzone][data-ready=true]");

    /// <summary>Full-page screenshots at desktop and phone width: TestResults/screenshots/{name}-{width}.png.</summary>
    public static async Task ScreenshotBothWidthsAsync(IPage page, string name)
    {
        foreach (var (width, height) in new[] { Desktop, Phone })
        {
            await page.SetViewportSizeAsync(width, height);
            await page.WaitForTimeoutAsync(300); // let MudBlazor's breakpoint service re-lay the drawer out
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = ScreenshotPath($"{name}-{width}"), FullPage = true });
        }

        await page.SetViewportSizeAsync(Desktop.Width, Desktop.Height);
    }

    public async Task<Guid> UserIdOfRiderAsync(string email)
    {
        await using var db = await Factory.Services.GetRequiredService<IDbContextFactory<CatalogDbContext>>().CreateDbContextAsync();
        return await db.Riders.Where(r => r.Email == email).Select(r => r.UserId).SingleAsync();
    }

    public static string SamplePath(string name) => Path.Combine(TestServices.SamplesDir, name);

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
