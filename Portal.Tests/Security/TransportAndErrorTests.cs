using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Security;

/// <summary>
/// A production-safe default: no exception details in any answer, bad query input is the caller's 400; security
/// headers (CSP, no-store on private answers); /health without counters for anonymous callers; forwarded headers
/// from a TLS proxy make the cookie Secure; HSTS outside Development.
/// </summary>
[Trait("Category", "Security")]
public sealed class TransportAndErrorTests(SecurityPortal portal) : IClassFixture<SecurityPortal>
{
    [Fact]
    public async Task APageWithUnreadableQueryInput_Answers400_WithoutExceptionDetails()
    {
        using var rider = await portal.Factory.CreateCookieClientAsync(SecurityPortal.RiderA.Email!);

        using var response = await rider.GetAsync("/rides/compare?a=x");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("Exception", body, StringComparison.Ordinal);
        Assert.DoesNotContain(".cs:line", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LogoutWithoutItsAntiforgeryToken_Answers400_AndKeepsTheSession()
    {
        using var rider = await portal.Factory.CreateCookieClientAsync(SecurityPortal.RiderA.Email!);

        using var response = await rider.PostAsync("/account/logout", new FormUrlEncodedContent(new Dictionary<string, string>()));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.DoesNotContain("Exception", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await rider.GetAsync("/api/me")).StatusCode);
    }

    [Fact]
    public async Task Pages_CarryAContentSecurityPolicy_WithoutInlineScript()
    {
        using var anonymous = portal.Factory.CreateClient();
        using var response = await anonymous.GetAsync("/account/login");

        var policy = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("default-src 'self'", policy, StringComparison.Ordinal);
        Assert.Contains("script-src 'self';", policy, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'self'", policy, StringComparison.Ordinal);
        Assert.Contains("object-src 'none'", policy, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/me")]
    [InlineData("/api/rides")]
    [InlineData("/api/notifications")]
    public async Task AuthenticatedApiAnswers_AreNoStore(string path)
    {
        using var response = await portal.Api(SecurityPortal.RiderA).GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Headers.CacheControl?.NoStore, $"{path}: Cache-Control is '{response.Headers.CacheControl}'");
    }

    [Fact]
    public async Task TheRawDownload_IsNoStore()
    {
        using var response = await portal.Api(SecurityPortal.RiderA).GetAsync($"/api/rides/{portal.A.RideId}/raw");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Headers.CacheControl?.NoStore, $"Cache-Control is '{response.Headers.CacheControl}'");
    }

    [Fact]
    public async Task AnonymousHealth_ShowsStatusesOnly_AdminsSeeTheCounters()
    {
        using var anonymous = portal.Factory.CreateClient();
        var open = await anonymous.GetFromJsonAsync<JsonElement>("/health");
        var hangfire = open.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "hangfire");
        Assert.Equal(JsonValueKind.Null, hangfire.GetProperty("data").ValueKind);
        Assert.Equal(JsonValueKind.Null, hangfire.GetProperty("description").ValueKind);

        var admin = await portal.Api(SecurityPortal.Admin).GetFromJsonAsync<JsonElement>("/health");
        var detailed = admin.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "hangfire");
        Assert.True(detailed.GetProperty("data").TryGetProperty("enqueued", out _));
    }

    [Fact]
    public async Task BehindATlsProxy_TheSignInCookieIsSecure()
    {
        using var browser = portal.Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        using var page = new HttpRequestMessage(HttpMethod.Get, "/account/login");
        page.Headers.Add("X-Forwarded-Proto", "https");
        using var form = await browser.SendAsync(page);
        var html = await form.Content.ReadAsStringAsync();
        var token = WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Match(html, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value);
        var antiforgeryCookie = form.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]).Single(c => c.StartsWith(".AspNetCore.Antiforgery", StringComparison.Ordinal));

        using var login = new HttpRequestMessage(HttpMethod.Post, "/account/login")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["_handler"] = "login",
                ["__RequestVerificationToken"] = token,
                ["Input.Email"] = SecurityPortal.RiderA.Email!,
                ["Input.Password"] = PortalFactory.DemoPassword,
            }),
        };
        login.Headers.Add("X-Forwarded-Proto", "https");
        login.Headers.Add("Cookie", antiforgeryCookie);
        using var response = await browser.SendAsync(login);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var authCookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("ride-portal.auth=", StringComparison.Ordinal));
        Assert.Contains("secure", authCookie, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task OutsideDevelopment_HttpsAnswersCarryHsts()
    {
        await using var production = new PortalFactory().WithWebHostBuilder(builder => builder.UseEnvironment("Production"));
        using var client = production.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/health/live");
        request.Headers.Host = "rides.example.com";
        request.Headers.Add("X-Forwarded-Proto", "https");

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("max-age=31536000", string.Join(",", response.Headers.GetValues("Strict-Transport-Security")), StringComparison.Ordinal);
    }
}
