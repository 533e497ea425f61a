using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Portal.Tests.Security;

/// <summary>
/// What the foundation's tests leave out: lockout reached through the token API (not the login form),
/// and what a locked account can still do with the token it had.
/// </summary>
[Trait("Category", "Security")]
public sealed class LockoutTests(SecurityPortal portal) : IClassFixture<SecurityPortal>
{
    private const string Password = "a perfectly long passphrase";

    [Fact]
    public async Task FiveFailedApiLogins_LockTheAccount_ForTheApiAndTheLoginForm()
    {
        var email = await RegisterAsync();
        using var api = portal.Factory.CreateClient();
        for (var attempt = 1; attempt <= 5; attempt++)
        {
            using var failed = await api.PostAsJsonAsync("/api/auth/login", new { email, password = $"wrong passphrase {attempt}" });
            Assert.Equal(HttpStatusCode.Unauthorized, failed.StatusCode);
        }

        using var refused = await api.PostAsJsonAsync("/api/auth/login", new { email, password = Password });
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.DoesNotContain("accessToken", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var browser = portal.Factory.CreateBrowserLikeClient();
        using var form = await Infrastructure.PortalFactory.PostLoginFormAsync(browser, email, Password);
        Assert.NotEqual(HttpStatusCode.Redirect, form.StatusCode);
        Assert.Contains("locked", await form.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task FourFailedApiLogins_DoNotLock_AndASuccessResetsTheCount()
    {
        var email = await RegisterAsync();
        using var api = portal.Factory.CreateClient();
        for (var round = 0; round < 2; round++)
        {
            for (var attempt = 1; attempt <= 4; attempt++)
            {
                using var failed = await api.PostAsJsonAsync("/api/auth/login", new { email, password = $"wrong passphrase {attempt}" });
                Assert.Equal(HttpStatusCode.Unauthorized, failed.StatusCode);
            }

            using var accepted = await api.PostAsJsonAsync("/api/auth/login", new { email, password = Password });
            Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        }
    }

    [Fact]
    public async Task LockedAccount_CannotGetANewTokenByLoginOrRefresh_AndItsEarlierTokenStopsWorking()
    {
        var email = await RegisterAsync();
        using var api = portal.Factory.CreateClient();
        using var login = await api.PostAsJsonAsync("/api/auth/login", new { email, password = Password });
        var tokens = await login.Content.ReadFromJsonAsync<JsonElement>();
        for (var attempt = 1; attempt <= 5; attempt++)
        {
            using var failed = await api.PostAsJsonAsync("/api/auth/login", new { email, password = $"wrong passphrase {attempt}" });
        }

        using var relogin = await api.PostAsJsonAsync("/api/auth/login", new { email, password = Password });
        Assert.Equal(HttpStatusCode.Unauthorized, relogin.StatusCode);
        using var refresh = await api.PostAsJsonAsync("/api/auth/refresh", new { refreshToken = tokens.GetProperty("refreshToken").GetString() });
        Assert.Equal(HttpStatusCode.Unauthorized, refresh.StatusCode);

        // A lockout ends the sessions the account already had: the token issued before it is refused too.
        using var withToken = portal.Factory.CreateClient();
        withToken.DefaultRequestHeaders.Authorization = new("Bearer", tokens.GetProperty("accessToken").GetString());
        using var me = await withToken.GetAsync("/api/me");
        Assert.Equal(HttpStatusCode.Unauthorized, me.StatusCode);
    }

    [Fact]
    public async Task UnlockedAccount_RefreshesItsToken()
    {
        var email = await RegisterAsync();
        using var api = portal.Factory.CreateClient();
        using var login = await api.PostAsJsonAsync("/api/auth/login", new { email, password = Password });
        var tokens = await login.Content.ReadFromJsonAsync<JsonElement>();

        using var refresh = await api.PostAsJsonAsync("/api/auth/refresh", new { refreshToken = tokens.GetProperty("refreshToken").GetString() });

        Assert.Equal(HttpStatusCode.OK, refresh.StatusCode);
        Assert.False(string.IsNullOrEmpty((await refresh.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()));
    }

    [Fact]
    public async Task TamperedToken_IsRefused()
    {
        using var api = portal.Factory.CreateClient();
        var token = await portal.Factory.GetTokenAsync(SecurityPortal.RiderA.Email!);
        var tampered = token[..^4] + (token[^4] == 'A' ? "BBBB" : "AAAA");
        api.DefaultRequestHeaders.Authorization = new("Bearer", tampered);

        using var response = await api.GetAsync("/api/me");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory]
    [InlineData("purplemountainsundermoon")]
    [InlineData("ALL CAPITALS AND SPACES")]
    [InlineData("314159265358979")]
    [InlineData("ünïcödé pässphrasé 🏍️")]
    public async Task PasswordPolicy_HasNoCompositionRules(string password)
    {
        using var api = portal.Factory.CreateClient();
        using var response = await api.PostAsJsonAsync("/api/auth/register", new { email = $"policy-{Guid.NewGuid():N}@example.test", password });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private async Task<string> RegisterAsync()
    {
        var email = $"lockout-{Guid.NewGuid():N}@example.test";
        await portal.Factory.RegisterConfirmedAsync(email, Password);
        return email;
    }
}
