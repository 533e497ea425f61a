using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Portal.Components.Pages.Admin;
using Portal.Identity;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Security;

/// <summary>
/// Sessions end when they should (OWASP ASVS 5.0 V7): sign-out, password change and lock end cookies, bearer tokens
/// and refresh tokens issued before; a refresh token works once, and its reuse ends every session of the account.
/// </summary>
[Trait("Category", "Security")]
public sealed partial class SessionEndTests : IAsyncLifetime
{
    private const string Password = "a passphrase for session tests";

    private readonly PortalFactory factory = new();

    public async Task InitializeAsync()
    {
        using var warmUp = factory.CreateClient();
        await warmUp.GetAsync("/health/live");
    }

    public async Task DisposeAsync() => await factory.DisposeAsync();

    [Fact]
    public async Task ACookieReplayedAfterLogout_IsRefused()
    {
        var email = await NewAccountAsync();
        var browser = new CookieJarClient(factory);
        var cookie = await browser.LogInAsync(email, Password);
        Assert.Equal(HttpStatusCode.OK, (await GetMeWithCookieAsync(cookie)).StatusCode);

        using var logout = await browser.LogOutAsync();
        Assert.Equal(HttpStatusCode.Redirect, logout.StatusCode);

        using var replayed = await GetMeWithCookieAsync(cookie);
        Assert.Equal(HttpStatusCode.Unauthorized, replayed.StatusCode);
    }

    [Fact]
    public async Task SigningOutOfTheWeb_EndsTheAccountsBearerToken_AndItsRefreshToken()
    {
        var email = await NewAccountAsync();
        var tokens = await LogInAsync(email, Password);
        var browser = new CookieJarClient(factory);
        await browser.LogInAsync(email, Password);

        using var logout = await browser.LogOutAsync();
        Assert.Equal(HttpStatusCode.Redirect, logout.StatusCode);

        using var bearer = BearerClient(tokens.Access);
        using var me = await bearer.GetAsync("/api/me");
        Assert.Equal(HttpStatusCode.Unauthorized, me.StatusCode);
        using var anonymous = factory.CreateClient();
        using var refresh = await anonymous.PostAsJsonAsync("/api/auth/refresh", new { refreshToken = tokens.Refresh });
        Assert.Equal(HttpStatusCode.Unauthorized, refresh.StatusCode);
    }

    [Fact]
    public async Task APasswordChange_EndsEarlierBearerTokensAndCookies()
    {
        var email = await NewAccountAsync();
        var tokens = await LogInAsync(email, Password);
        var cookie = await new CookieJarClient(factory).LogInAsync(email, Password);
        using var bearer = BearerClient(tokens.Access);

        using var changed = await bearer.PostAsJsonAsync("/api/auth/manage/info", new { oldPassword = Password, newPassword = "a brand new passphrase here" });
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);

        using var oldBearer = await bearer.GetAsync("/api/me");
        Assert.Equal(HttpStatusCode.Unauthorized, oldBearer.StatusCode);
        using var oldCookie = await GetMeWithCookieAsync(cookie);
        Assert.Equal(HttpStatusCode.Unauthorized, oldCookie.StatusCode);
    }

    [Fact]
    public async Task AnAdminLock_EndsTheAccountsCookieAndBearerToken_AtOnce()
    {
        var email = await NewAccountAsync();
        var tokens = await LogInAsync(email, Password);
        var cookie = await new CookieJarClient(factory).LogInAsync(email, Password);

        var directory = new UserDirectory(factory.Services.GetRequiredService<IServiceScopeFactory>(), factory.Services.GetRequiredService<SessionRevocation>());
        Assert.True((await directory.LockAsync(await UserIdAsync(email))).Succeeded);

        using var bearer = BearerClient(tokens.Access);
        Assert.Equal(HttpStatusCode.Unauthorized, (await bearer.GetAsync("/api/me")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetMeWithCookieAsync(cookie)).StatusCode);
    }

    [Fact]
    public async Task ARefreshToken_WorksOnce_AndItsReuseEndsEverySessionOfTheAccount()
    {
        var email = await NewAccountAsync();
        var first = await LogInAsync(email, Password);
        using var anonymous = factory.CreateClient();

        using var refreshed = await anonymous.PostAsJsonAsync("/api/auth/refresh", new { refreshToken = first.Refresh });
        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        var second = await refreshed.Content.ReadFromJsonAsync<JsonElement>();
        using var secondBearer = BearerClient(second.GetProperty("accessToken").GetString()!);
        Assert.Equal(HttpStatusCode.OK, (await secondBearer.GetAsync("/api/me")).StatusCode);

        using var replayed = await anonymous.PostAsJsonAsync("/api/auth/refresh", new { refreshToken = first.Refresh });
        Assert.Equal(HttpStatusCode.Unauthorized, replayed.StatusCode);
        using (var problem = JsonDocument.Parse(await replayed.Content.ReadAsStringAsync()))
        {
            Assert.Equal("refresh_token_reused", problem.RootElement.GetProperty("code").GetString());
        }

        // The family is revoked: the tokens the first refresh handed out stop working too.
        Assert.Equal(HttpStatusCode.Unauthorized, (await secondBearer.GetAsync("/api/me")).StatusCode);
        using var secondRefresh = await anonymous.PostAsJsonAsync("/api/auth/refresh", new { refreshToken = second.GetProperty("refreshToken").GetString() });
        Assert.Equal(HttpStatusCode.Unauthorized, secondRefresh.StatusCode);
    }

    private async Task<string> NewAccountAsync()
    {
        var email = $"session-{Guid.NewGuid():N}@example.test";
        await factory.RegisterConfirmedAsync(email, Password);
        return email;
    }

    private async Task<Guid> UserIdAsync(string email)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<PortalUser>>();
        return (await users.FindByEmailAsync(email))!.Id;
    }

    private async Task<(string Access, string Refresh)> LogInAsync(string email, string password)
    {
        using var client = factory.CreateClient();
        using var response = await client.PostAsJsonAsync("/api/auth/login", new { email, password });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (body.GetProperty("accessToken").GetString()!, body.GetProperty("refreshToken").GetString()!);
    }

    private HttpClient BearerClient(string token)
    {
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", token);
        return client;
    }

    /// <summary>GET /api/me with only this cookie, as an attacker replaying a copied cookie would.</summary>
    private async Task<HttpResponseMessage> GetMeWithCookieAsync(string cookie)
    {
        using var client = factory.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = false, AllowAutoRedirect = false });
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/me");
        request.Headers.Add("Cookie", cookie);
        return await client.SendAsync(request);
    }

    /// <summary>A browser whose cookies the test can read: logs in through the form and out through the layout's button.</summary>
    private sealed partial class CookieJarClient(PortalFactory factory)
    {
        private readonly Dictionary<string, string> cookies = new(StringComparer.Ordinal);
        private readonly HttpClient client = factory.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = false, AllowAutoRedirect = false });

        /// <summary>Logs in and returns the auth cookie as a Cookie header value.</summary>
        public async Task<string> LogInAsync(string email, string password)
        {
            var token = await AntiforgeryTokenAsync("/account/login");
            using var response = await SendAsync(HttpMethod.Post, "/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["_handler"] = "login",
                ["__RequestVerificationToken"] = token,
                ["Input.Email"] = email,
                ["Input.Password"] = password,
            }));
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            return string.Join("; ", cookies.Where(c => c.Key.StartsWith("ride-portal.auth", StringComparison.Ordinal)).Select(c => $"{c.Key}={c.Value}"));
        }

        public async Task<HttpResponseMessage> LogOutAsync()
        {
            var token = await AntiforgeryTokenAsync("/");
            return await SendAsync(HttpMethod.Post, "/account/logout", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }));
        }

        private async Task<string> AntiforgeryTokenAsync(string page)
        {
            using var response = await SendAsync(HttpMethod.Get, page, null);
            var html = await response.Content.ReadAsStringAsync();
            return WebUtility.HtmlDecode(Token().Match(html).Groups[1].Value);
        }

        private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, HttpContent? content)
        {
            using var request = new HttpRequestMessage(method, path) { Content = content };
            if (cookies.Count > 0)
            {
                request.Headers.Add("Cookie", string.Join("; ", cookies.Select(c => $"{c.Key}={c.Value}")));
            }

            var response = await client.SendAsync(request);
            if (response.Headers.TryGetValues("Set-Cookie", out var setCookies))
            {
                foreach (var setCookie in setCookies)
                {
                    var pair = setCookie.Split(';', 2)[0];
                    var equals = pair.IndexOf('=', StringComparison.Ordinal);
                    var (name, value) = (pair[..equals], pair[(equals + 1)..]);
                    if (value.Length == 0 || setCookie.Contains("expires=Thu, 01 Jan 1970", StringComparison.OrdinalIgnoreCase))
                    {
                        cookies.Remove(name);
                    }
                    else
                    {
                        cookies[name] = value;
                    }
                }
            }

            return response;
        }

        [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
        private static partial Regex Token();
    }
}
