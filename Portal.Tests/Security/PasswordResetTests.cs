using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Security;

/// <summary>
/// Forgot password → the mail in the pickup folder → the reset page → log in with the new password; the old
/// password and the sessions from before stop working, and an unknown address gets the same page and no mail.
/// </summary>
[Trait("Category", "Security")]
public sealed partial class PasswordResetTests : IAsyncLifetime
{
    private const string OldPassword = "the passphrase before the reset";
    private const string NewPassword = "the passphrase after the reset";

    private readonly PortalFactory factory = new();

    public async Task InitializeAsync()
    {
        using var warmUp = factory.CreateClient();
        await warmUp.GetAsync("/health/live");
    }

    public async Task DisposeAsync() => await factory.DisposeAsync();

    [Fact]
    public async Task ForgotPassword_MailsALink_ThatSetsANewPassword_AndEndsTheOldSessions()
    {
        var email = $"reset-{Guid.NewGuid():N}@example.test";
        await factory.RegisterConfirmedAsync(email, OldPassword);
        using var oldSession = await factory.CreateBearerClientAsync(email, OldPassword);

        using var browser = factory.CreateBrowserLikeClient();
        using var asked = await PostFormAsync(browser, "/account/forgot-password", "forgot-password", new() { ["Input.Email"] = email });
        Assert.Equal(HttpStatusCode.OK, asked.StatusCode);
        Assert.Contains("data-testid=\"forgot-done\"", await asked.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var link = factory.MailLink(email, "/account/reset-password");
        using var reset = await PostFormAsync(browser, link.PathAndQuery, "reset-password", new()
        {
            ["Input.Password"] = NewPassword,
            ["Input.ConfirmPassword"] = NewPassword,
        });
        Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
        Assert.Contains("data-testid=\"reset-done\"", await reset.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var api = factory.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await api.PostAsJsonAsync("/api/auth/login", new { email, password = NewPassword })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.PostAsJsonAsync("/api/auth/login", new { email, password = OldPassword })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await oldSession.GetAsync("/api/me")).StatusCode);

        // The link works once.
        using var again = await PostFormAsync(factory.CreateBrowserLikeClient(), link.PathAndQuery, "reset-password", new()
        {
            ["Input.Password"] = "a third passphrase entirely",
            ["Input.ConfirmPassword"] = "a third passphrase entirely",
        });
        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await api.PostAsJsonAsync("/api/auth/login", new { email, password = NewPassword })).StatusCode);
    }

    [Fact]
    public async Task ForgotPassword_ForAnUnknownAddress_AnswersTheSame_AndMailsNobody()
    {
        var email = $"nobody-{Guid.NewGuid():N}@example.test";
        using var browser = factory.CreateBrowserLikeClient();

        using var asked = await PostFormAsync(browser, "/account/forgot-password", "forgot-password", new() { ["Input.Email"] = email });

        Assert.Equal(HttpStatusCode.OK, asked.StatusCode);
        Assert.Contains("data-testid=\"forgot-done\"", await asked.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(factory.MailsTo(email));
    }

    /// <summary>Loads the page (for its antiforgery token and hidden fields) and posts its form with these fields.</summary>
    private static async Task<HttpResponseMessage> PostFormAsync(HttpClient browser, string path, string handler, Dictionary<string, string> fields)
    {
        var page = await browser.GetStringAsync(path);
        var form = new Dictionary<string, string>
        {
            ["_handler"] = handler,
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(Token().Match(page).Groups[1].Value),
        };
        foreach (Match hidden in Hidden().Matches(page))
        {
            form[WebUtility.HtmlDecode(hidden.Groups[1].Value)] = WebUtility.HtmlDecode(hidden.Groups[2].Value);
        }

        foreach (var (key, value) in fields)
        {
            form[key] = value;
        }

        return await browser.PostAsync(path, new FormUrlEncodedContent(form));
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex Token();

    [GeneratedRegex("<input type=\"hidden\" name=\"(Input\\.[A-Za-z]+)\" value=\"([^\"]*)\"")]
    private static partial Regex Hidden();
}
