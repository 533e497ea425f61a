using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Portal.Identity;

namespace Portal.Tests.Infrastructure;

public enum TestDatabase
{
    Sqlite,
    PostgreSql,
}

/// <summary>
/// The whole portal in-process on a fresh temporary Embedded:DataDir, with the demo accounts seeded under
/// <see cref="DemoPassword"/>. Pick the database and Hangfire storage in the constructor; add or override
/// any configuration key by overriding <see cref="ConfigureSettings"/> (or <see cref="WithSetting"/>
/// before first use). <see cref="StartKestrelAsync"/> serves it on a real port for browsers.
/// </summary>
public partial class PortalFactory : WebApplicationFactory<Program>
{
    public const string DemoPassword = "demo-password-for-tests-only";

    private readonly Dictionary<string, string?> extraSettings = new(StringComparer.OrdinalIgnoreCase);

    public PortalFactory(TestDatabase database = TestDatabase.Sqlite, string hangfireStorage = "InMemory")
    {
        Database = database;
        HangfireStorage = hangfireStorage;
        DataDir = Path.Combine(Path.GetTempPath(), "portal-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(DataDir);
    }

    public TestDatabase Database { get; }

    /// <summary>InMemory (fast, default), Sqlite or PostgreSql.</summary>
    public string HangfireStorage { get; }

    public string DataDir { get; }

    /// <summary>Set by <see cref="InitializeDatabasesAsync"/> when <see cref="Database"/> or Hangfire is PostgreSql.</summary>
    public string? PostgresConnectionString { get; private set; }

    /// <summary>Adds or overrides one configuration key before the host is built.</summary>
    public PortalFactory WithSetting(string key, string? value)
    {
        extraSettings[key] = value;
        return this;
    }

    /// <summary>Uses this database (e.g. on a test's own PostgreSQL cluster) instead of a fresh one on the shared server.</summary>
    public PortalFactory UsePostgres(string connectionString)
    {
        PostgresConnectionString = connectionString;
        return this;
    }

    /// <summary>Creates a fresh PostgreSQL database when one is needed; call before the first client.</summary>
    public async Task InitializeDatabasesAsync()
    {
        if ((Database == TestDatabase.PostgreSql || HangfireStorage == "PostgreSql") && PostgresConnectionString is null)
        {
            PostgresConnectionString = await TestServices.CreatePostgresDatabaseAsync("portal_factory");
        }
    }

    /// <summary>The settings every test host starts from; override to add your own (call base first).</summary>
    protected virtual void ConfigureSettings(Dictionary<string, string?> settings)
    {
    }

    /// <summary>Serves the portal on a free loopback port (for Playwright) and returns its base address.</summary>
    public async Task<Uri> StartKestrelAsync()
    {
        await InitializeDatabasesAsync();
        UseKestrel(0);
        StartServer();
        var address = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal).Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal));
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["Embedded:DataDir"] = DataDir,
            ["Database:Provider"] = Database.ToString(),
            ["Hangfire:Storage"] = HangfireStorage,
            ["Hangfire:Server:Workers"] = "2",
            // Readiness waits for the analyzer warm-up; the tests measure no first-ride latency (AnalyzerWarmUpTests covers it).
            ["Hangfire:Server:WarmUp"] = "false",
            ["Demo:Seed"] = "true",
            ["Demo:Password"] = DemoPassword,
            ["Logging:LogLevel:Default"] = "Warning",
            // Each test portal hosts its own embedded MQTT broker: never the shared default port.
            ["Mqtt:Embedded:Port"] = Live.LiveTestPorts.FreeLoopbackPort().ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        // Test hosts all call from one address (none, in TestServer): the rate limits are out of the way unless a
        // test sets its own (RateLimitTests).
        foreach (var limit in new[] { "Login", "LoginPerAccount", "Register", "Refresh", "ForgotPassword", "Upload" })
        {
            settings[$"Security:RateLimits:{limit}:PermitLimit"] = "1000000";
        }

        if (Database == TestDatabase.PostgreSql || HangfireStorage == "PostgreSql")
        {
            var connectionString = PostgresConnectionString
                ?? throw new InvalidOperationException("Call InitializeDatabasesAsync() before using a PostgreSQL PortalFactory.");
            settings["ConnectionStrings:Portal"] = connectionString;
            settings["ConnectionStrings:Hangfire"] = connectionString;
        }

        ConfigureSettings(settings);
        foreach (var (key, value) in extraSettings)
        {
            settings[key] = value;
        }

        builder.UseEnvironment("Development");
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }
    }

    /// <summary>A client that keeps cookies and does not follow redirects (tests look at them).</summary>
    public HttpClient CreateBrowserLikeClient() =>
        CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    /// <summary>POST /api/auth/login; returns the bearer token.</summary>
    public async Task<string> GetTokenAsync(string email, string password = DemoPassword)
    {
        using var client = CreateClient();
        using var response = await client.PostAsJsonAsync("/api/auth/login", new { email, password });
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<TokenResponse>();
        return body!.AccessToken;
    }

    public async Task<HttpClient> CreateBearerClientAsync(string email, string password = DemoPassword)
    {
        var token = await GetTokenAsync(email, password);
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>POST /api/auth/register, then follows the confirmation link of the mail it wrote to the pickup folder.</summary>
    public async Task RegisterConfirmedAsync(string email, string password)
    {
        using var client = CreateClient();
        using (var registered = await client.PostAsJsonAsync("/api/auth/register", new { email, password }))
        {
            registered.EnsureSuccessStatusCode();
        }

        using var confirmed = await client.GetAsync(MailLink(email, "/account/confirm-email").PathAndQuery);
        confirmed.EnsureSuccessStatusCode();
    }

    /// <summary>The texts (headers and decoded body) of the mails written to the pickup folder for <paramref name="email"/>, newest first.</summary>
    public IReadOnlyList<string> MailsTo(string email)
    {
        var folder = new DirectoryInfo(Path.Combine(DataDir, "mail"));
        if (!folder.Exists)
        {
            return [];
        }

        return [.. folder.EnumerateFiles("*.eml")
            .OrderByDescending(f => f.LastWriteTimeUtc)
            .Select(f => DecodeQuotedPrintable(File.ReadAllText(f.FullName)))
            .Where(text => text.Split('\n').Any(line => line.StartsWith("To: ", StringComparison.Ordinal) && line.Contains(email, StringComparison.OrdinalIgnoreCase)))];
    }

    /// <summary>The link to <paramref name="path"/> in the newest mail to <paramref name="email"/>.</summary>
    public Uri MailLink(string email, string path)
    {
        foreach (var mail in MailsTo(email))
        {
            var link = MailLinkPattern().Matches(mail).Select(m => new Uri(m.Value)).FirstOrDefault(uri => uri.AbsolutePath == path);
            if (link is not null)
            {
                return link;
            }
        }

        throw new InvalidOperationException($"No mail to {email} links to {path}.");
    }

    private static string DecodeQuotedPrintable(string text)
    {
        var joined = text.Replace("=\r\n", "", StringComparison.Ordinal).Replace("=\n", "", StringComparison.Ordinal);
        return QuotedByte().Replace(joined, m => ((char)Convert.ToByte(m.Groups[1].Value, 16)).ToString());
    }

    [GeneratedRegex("=([0-9A-F]{2})")]
    private static partial Regex QuotedByte();

    [GeneratedRegex("https?://[^\\s]+")]
    private static partial Regex MailLinkPattern();

    /// <summary>Logs in through the login page's form (as a browser would) and returns the page's response.</summary>
    public static async Task<HttpResponseMessage> PostLoginFormAsync(HttpClient client, string email, string password)
    {
        var page = await client.GetStringAsync("/account/login");
        var token = AntiforgeryToken().Match(page).Groups[1].Value;
        return await client.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "login",
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token),
            ["Input.Email"] = email,
            ["Input.Password"] = password,
        }));
    }

    /// <summary>A cookie-carrying client logged in as <paramref name="email"/>.</summary>
    public async Task<HttpClient> CreateCookieClientAsync(string email, string password = DemoPassword)
    {
        var client = CreateBrowserLikeClient();
        using var response = await PostLoginFormAsync(client, email, password);
        if (response.StatusCode != HttpStatusCode.Redirect)
        {
            throw new InvalidOperationException($"Login of {email} answered {(int)response.StatusCode}, not a redirect.");
        }

        return client;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            TryDeleteDataDir();
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        TryDeleteDataDir();
        GC.SuppressFinalize(this);
    }

    private void TryDeleteDataDir()
    {
        try
        {
            Directory.Delete(DataDir, recursive: true);
        }
        catch (IOException)
        {
            // A file still open by a finishing background thread; the temp folder is cleaned eventually.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static Regex AntiforgeryToken() => new("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"");

    private sealed record TokenResponse(string AccessToken);

    public static IReadOnlyList<(string Email, string Role)> DemoAccountsWithRoles => DemoAccounts.All;
}
