using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Portal.Identity;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Security;

/// <summary>
/// Rate limits (per client address, and per account for sign-ins): over the limit a request gets 429 with
/// Retry-After and the problem code rate_limited before any work (no password is checked, nothing is stored).
/// </summary>
[Trait("Category", "Security")]
public sealed class RateLimitTests : IAsyncLifetime
{
    private const string Password = "a passphrase for rate limits";
    private const int Limit = 3;

    private readonly PortalFactory factory = new PortalFactory()
        .WithSetting("Security:RateLimits:Login:PermitLimit", Limit.ToString(System.Globalization.CultureInfo.InvariantCulture))
        .WithSetting("Security:RateLimits:Login:WindowSeconds", "3600")
        .WithSetting("Security:RateLimits:Register:PermitLimit", Limit.ToString(System.Globalization.CultureInfo.InvariantCulture))
        .WithSetting("Security:RateLimits:Register:WindowSeconds", "3600")
        .WithSetting("Security:RateLimits:Refresh:PermitLimit", Limit.ToString(System.Globalization.CultureInfo.InvariantCulture))
        .WithSetting("Security:RateLimits:Refresh:WindowSeconds", "3600")
        .WithSetting("Security:RateLimits:ForgotPassword:PermitLimit", Limit.ToString(System.Globalization.CultureInfo.InvariantCulture))
        .WithSetting("Security:RateLimits:ForgotPassword:WindowSeconds", "3600")
        .WithSetting("Security:RateLimits:Upload:PermitLimit", Limit.ToString(System.Globalization.CultureInfo.InvariantCulture))
        .WithSetting("Security:RateLimits:Upload:WindowSeconds", "3600");

    public async Task InitializeAsync()
    {
        using var warmUp = factory.CreateClient();
        await warmUp.GetAsync("/health/live");
    }

    public async Task DisposeAsync() => await factory.DisposeAsync();

    [Fact]
    public async Task ALoginFlood_Gets429AfterTheLimit_AndOnlyTheAllowedAttemptsReachThePasswordCheck()
    {
        using var api = factory.CreateClient();
        var statuses = new List<HttpStatusCode>();
        for (var attempt = 0; attempt < Limit + 4; attempt++)
        {
            using var response = await api.PostAsJsonAsync("/api/auth/login", new { email = DemoAccounts.RiderEmail, password = $"wrong guess {attempt}" });
            statuses.Add(response.StatusCode);
            if (attempt == Limit)
            {
                await AssertRateLimitedAsync(response);
            }
        }

        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.Unauthorized, Limit), .. Enumerable.Repeat(HttpStatusCode.TooManyRequests, 4)], statuses);
        await using var scope = factory.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        Assert.Equal(Limit, (await users.FindByEmailAsync(DemoAccounts.RiderEmail))!.AccessFailedCount);

        // The flood is refused cheaply: the process keeps answering its liveness probe.
        using var live = await api.GetAsync("/health/live");
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);

        // The login form shares the address's budget.
        using var browser = factory.CreateBrowserLikeClient();
        using var form = await PortalFactory.PostLoginFormAsync(browser, DemoAccounts.TechnicianEmail, "another guess");
        Assert.Equal(HttpStatusCode.TooManyRequests, form.StatusCode);
    }

    [Fact]
    public async Task Registration_Gets429AfterTheLimit_AndCreatesNoAccountBeyondIt()
    {
        using var api = factory.CreateClient();
        var emails = Enumerable.Range(0, Limit + 1).Select(i => $"flood-{i}-{Guid.NewGuid():N}@example.test").ToList();
        for (var i = 0; i < Limit; i++)
        {
            using var accepted = await api.PostAsJsonAsync("/api/auth/register", new { email = emails[i], password = Password });
            Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        }

        using var refused = await api.PostAsJsonAsync("/api/auth/register", new { email = emails[Limit], password = Password });
        await AssertRateLimitedAsync(refused);
        await using var scope = factory.Services.CreateAsyncScope();
        Assert.Null(await scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>().FindByEmailAsync(emails[Limit]));
    }

    [Fact]
    public async Task RefreshAndForgotPassword_Get429AfterTheLimit()
    {
        using var api = factory.CreateClient();
        for (var i = 0; i < Limit; i++)
        {
            using var refresh = await api.PostAsJsonAsync("/api/auth/refresh", new { refreshToken = "not-a-token" });
            Assert.Equal(HttpStatusCode.Unauthorized, refresh.StatusCode);
            using var forgot = await api.PostAsJsonAsync("/api/auth/forgotPassword", new { email = $"nobody-{i}@example.test" });
            Assert.Equal(HttpStatusCode.OK, forgot.StatusCode);
        }

        await AssertRateLimitedAsync(await api.PostAsJsonAsync("/api/auth/refresh", new { refreshToken = "not-a-token" }));
        await AssertRateLimitedAsync(await api.PostAsJsonAsync("/api/auth/forgotPassword", new { email = "nobody@example.test" }));
    }

    [Fact]
    public async Task Uploads_Get429PerAccountAfterTheLimit_WhileAnotherAccountStillUploads()
    {
        // Two logins stay within the address's login budget of three.
        using var admin = await factory.CreateBearerClientAsync(DemoAccounts.RiderEmail);
        using var rider = await factory.CreateBearerClientAsync(DemoAccounts.ProEmail);
        for (var i = 0; i < Limit; i++)
        {
            using var accepted = await admin.PostAsync($"/api/rides?fileName=r{i}.csv", Csv(i));
            Assert.Equal(HttpStatusCode.Created, accepted.StatusCode);
        }

        using var refused = await admin.PostAsync("/api/rides?fileName=over.csv", Csv(99));
        await AssertRateLimitedAsync(refused);
        using var other = await rider.PostAsync("/api/rides?fileName=other.csv", Csv(100));
        Assert.Equal(HttpStatusCode.Created, other.StatusCode);
    }

    private static StringContent Csv(int i) =>
        new($"time_s,lat,lon,speed_kmh\n0.0,45.0,9.0,{i}\n# {Guid.NewGuid():N}\n", Encoding.UTF8, "text/csv");

    private static async Task AssertRateLimitedAsync(HttpResponseMessage response)
    {
        using (response)
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
            Assert.True(response.Headers.RetryAfter?.Delta is { TotalSeconds: >= 1 }, "429 without a Retry-After in seconds");
            using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.Equal("rate_limited", problem.RootElement.GetProperty("code").GetString());
        }
    }
}
