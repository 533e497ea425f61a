using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Security;

/// <summary>
/// Two portal instances on one PostgreSQL database with Security:DataProtectionKeys=Database share the key ring:
/// a cookie issued by one is accepted by the other, and so is the antiforgery token of one's login form.
/// </summary>
[Trait("Category", "Security")]
public sealed partial class SharedKeysTests : IAsyncLifetime
{
    private readonly PortalFactory first = new PortalFactory(TestDatabase.PostgreSql).WithSetting("Security:DataProtectionKeys", "Database");
    private readonly PortalFactory second = new PortalFactory(TestDatabase.PostgreSql).WithSetting("Security:DataProtectionKeys", "Database");

    public async Task InitializeAsync()
    {
        await first.InitializeDatabasesAsync();
        second.UsePostgres(first.PostgresConnectionString!);
        using var warmFirst = first.CreateClient();
        await warmFirst.GetAsync("/account/login");
        using var warmSecond = second.CreateClient();
        await warmSecond.GetAsync("/health/live");
    }

    public async Task DisposeAsync()
    {
        await second.DisposeAsync();
        await first.DisposeAsync();
    }

    [Fact]
    public async Task ASignInOnOneInstance_IsAcceptedByTheOther_AndSoIsItsAntiforgeryToken()
    {
        using var onFirst = Client(first);
        using var onSecond = Client(second);

        // The login form comes from the first instance and is posted to the second.
        using var page = await onFirst.GetAsync("/account/login");
        var token = WebUtility.HtmlDecode(Token().Match(await page.Content.ReadAsStringAsync()).Groups[1].Value);
        var antiforgeryCookie = Cookies(page).Single(c => c.StartsWith(".AspNetCore.Antiforgery", StringComparison.Ordinal));
        using var login = new HttpRequestMessage(HttpMethod.Post, "/account/login")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["_handler"] = "login",
                ["__RequestVerificationToken"] = token,
                ["Input.Email"] = "rider@demo.local",
                ["Input.Password"] = PortalFactory.DemoPassword,
            }),
        };
        login.Headers.Add("Cookie", antiforgeryCookie);
        using var signedIn = await onSecond.SendAsync(login);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);

        // The cookie the second instance set is read by the first.
        var authCookie = string.Join("; ", Cookies(signedIn).Where(c => c.StartsWith("ride-portal.auth", StringComparison.Ordinal)));
        using var me = new HttpRequestMessage(HttpMethod.Get, "/api/me");
        me.Headers.Add("Cookie", authCookie);
        using var answer = await onFirst.SendAsync(me);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
    }

    private static HttpClient Client(PortalFactory factory) =>
        factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });

    private static IEnumerable<string> Cookies(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Set-Cookie", out var values) ? values.Select(v => v.Split(';')[0]) : [];

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex Token();
}
