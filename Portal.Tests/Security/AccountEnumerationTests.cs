using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Portal.Identity;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Security;

/// <summary>
/// Nobody learns which e-mails have accounts: login answers (and works) alike for unknown, wrong and locked;
/// registration answers alike for new and known addresses and signs nobody in; an account is usable only once its
/// address is confirmed through the mailed link; common passwords are refused.
/// </summary>
[Trait("Category", "Security")]
public sealed class AccountEnumerationTests : IAsyncLifetime
{
    private const string Password = "a passphrase for enumeration";

    private readonly CountingHasherFactory factory = new();

    public async Task InitializeAsync()
    {
        using var warmUp = factory.CreateClient();
        await warmUp.GetAsync("/health/live");
    }

    public async Task DisposeAsync() => await factory.DisposeAsync();

    [Fact]
    public async Task Login_AnswersUnknownWrongAndLockedAlike_AndChecksOneHashForEach()
    {
        var locked = $"locked-{Guid.NewGuid():N}@example.test";
        await factory.RegisterConfirmedAsync(locked, Password);
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
            var user = (await users.FindByEmailAsync(locked))!;
            await users.SetLockoutEndDateAsync(user, DateTimeOffset.UtcNow.AddHours(1));
        }

        using var api = factory.CreateClient();
        var answers = new List<(HttpStatusCode Status, string? Code, string? Title, int Hashes)>();
        foreach (var (email, password) in new[] { ($"unknown-{Guid.NewGuid():N}@example.test", Password), (DemoAccounts.RnDEmail, "a wrong passphrase"), (locked, Password) })
        {
            var before = CountingHasher.Verifications;
            using var response = await api.PostAsJsonAsync("/api/auth/login", new { email, password });
            using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            answers.Add((response.StatusCode, problem.RootElement.GetProperty("code").GetString(), problem.RootElement.GetProperty("title").GetString(), CountingHasher.Verifications - before));
        }

        Assert.All(answers, answer => Assert.Equal((HttpStatusCode.Unauthorized, "invalid_credentials", PortalSignIn.RefusedMessage, 1), answer));

        using var browser = factory.CreateBrowserLikeClient();
        var pages = new List<string>();
        foreach (var (email, password) in new[] { ($"unknown-{Guid.NewGuid():N}@example.test", Password), (DemoAccounts.RnDEmail, "a wrong passphrase"), (locked, Password) })
        {
            using var form = await PortalFactory.PostLoginFormAsync(browser, email, password);
            Assert.Equal(HttpStatusCode.OK, form.StatusCode);
            var html = await form.Content.ReadAsStringAsync();
            pages.Add(html.Contains(WebUtility.HtmlEncode(PortalSignIn.RefusedMessage), StringComparison.Ordinal) ? "refused" : html);
        }

        Assert.Equal(["refused", "refused", "refused"], pages);
    }

    [Fact]
    public async Task Registration_OfAKnownAddress_AnswersLikeANewOne_SignsNobodyIn_AndMailsTheOwner()
    {
        using var api = factory.CreateClient();
        var fresh = $"fresh-{Guid.NewGuid():N}@example.test";
        using var forNew = await api.PostAsJsonAsync("/api/auth/register", new { email = fresh, password = Password });
        using var forKnown = await api.PostAsJsonAsync("/api/auth/register", new { email = DemoAccounts.RiderEmail, password = Password });

        Assert.Equal(HttpStatusCode.OK, forNew.StatusCode);
        Assert.Equal(HttpStatusCode.OK, forKnown.StatusCode);
        Assert.Equal(await forNew.Content.ReadAsStringAsync(), await forKnown.Content.ReadAsStringAsync());
        Assert.False(forKnown.Headers.Contains("Set-Cookie"));
        Assert.Contains(factory.MailsTo(DemoAccounts.RiderEmail), mail => mail.Contains("already has one", StringComparison.Ordinal));

        // The existing account is untouched: its own password still signs in, the attacker's does not.
        using var owner = await api.PostAsJsonAsync("/api/auth/login", new { email = DemoAccounts.RiderEmail, password = PortalFactory.DemoPassword });
        Assert.Equal(HttpStatusCode.OK, owner.StatusCode);
        using var attacker = await api.PostAsJsonAsync("/api/auth/login", new { email = DemoAccounts.RiderEmail, password = Password });
        Assert.Equal(HttpStatusCode.Unauthorized, attacker.StatusCode);
    }

    [Fact]
    public async Task AWebRegistration_SignsNobodyIn_UntilTheMailedLinkConfirmsTheAddress()
    {
        var email = $"web-{Guid.NewGuid():N}@example.test";
        using var browser = factory.CreateBrowserLikeClient();
        var page = await browser.GetStringAsync("/account/register");
        var token = WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Match(page, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value);
        using var registered = await browser.PostAsync("/account/register", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "register",
            ["__RequestVerificationToken"] = token,
            ["Input.Email"] = email,
            ["Input.Password"] = Password,
            ["Input.ConfirmPassword"] = Password,
        }));
        Assert.Equal(HttpStatusCode.OK, registered.StatusCode);
        Assert.Contains("data-testid=\"register-done\"", await registered.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync("/api/me")).StatusCode);

        using var api = factory.CreateClient();
        using var early = await api.PostAsJsonAsync("/api/auth/login", new { email, password = Password });
        Assert.Equal(HttpStatusCode.Forbidden, early.StatusCode);
        using (var problem = JsonDocument.Parse(await early.Content.ReadAsStringAsync()))
        {
            Assert.Equal("email_not_confirmed", problem.RootElement.GetProperty("code").GetString());
        }

        using var wrongEarly = await api.PostAsJsonAsync("/api/auth/login", new { email, password = "not the passphrase" });
        Assert.Equal(HttpStatusCode.Unauthorized, wrongEarly.StatusCode);

        using var confirmed = await api.GetAsync(factory.MailLink(email, "/account/confirm-email").PathAndQuery);
        Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);
        using var login = await api.PostAsJsonAsync("/api/auth/login", new { email, password = Password });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
    }

    [Fact]
    public async Task ATamperedConfirmationLink_ConfirmsNothing()
    {
        var email = $"tamper-{Guid.NewGuid():N}@example.test";
        using var api = factory.CreateClient();
        (await api.PostAsJsonAsync("/api/auth/register", new { email, password = Password })).EnsureSuccessStatusCode();
        var link = factory.MailLink(email, "/account/confirm-email").PathAndQuery;

        using var tampered = await api.GetAsync(link[..^3] + (link[^3] == 'A' ? "BBB" : "AAA"));

        Assert.Equal(HttpStatusCode.BadRequest, tampered.StatusCode);
        using var login = await api.PostAsJsonAsync("/api/auth/login", new { email, password = Password });
        Assert.Equal(HttpStatusCode.Forbidden, login.StatusCode);
    }

    [Theory]
    [InlineData("passwordpassword")]
    [InlineData("123456789012")]
    [InlineData("Qwertyuiop123")]
    [InlineData("iloveyou2024")]
    [InlineData("abcabcabcabcabc")]
    public async Task CommonPasswords_AreRefused_WithTheirOwnCode(string password)
    {
        using var api = factory.CreateClient();
        using var response = await api.PostAsJsonAsync("/api/auth/register", new { email = $"common-{Guid.NewGuid():N}@example.test", password });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty("PasswordTooCommon", out _));
    }

    [Fact]
    public async Task SignInsPerAccount_AreThrottled_WhateverTheAddress()
    {
        await using var throttled = new PortalFactory().WithSetting("Security:RateLimits:LoginPerAccount:PermitLimit", "2");
        using var api = throttled.CreateClient();
        for (var attempt = 0; attempt < 2; attempt++)
        {
            using var failed = await api.PostAsJsonAsync("/api/auth/login", new { email = DemoAccounts.TechnicianEmail, password = $"guess {attempt}" });
            Assert.Equal(HttpStatusCode.Unauthorized, failed.StatusCode);
        }

        using var refused = await api.PostAsJsonAsync("/api/auth/login", new { email = DemoAccounts.TechnicianEmail, password = PortalFactory.DemoPassword });
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.NotNull(refused.Headers.RetryAfter?.Delta);
        using var other = await api.PostAsJsonAsync("/api/auth/login", new { email = DemoAccounts.RnDEmail, password = PortalFactory.DemoPassword });
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }

    /// <summary>The portal with a password hasher that counts verifications (the real hashing still happens).</summary>
    private sealed class CountingHasherFactory : PortalFactory
    {
        protected override void ConfigureWebHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureServices(services =>
            {
                services.RemoveAll<IPasswordHasher<PortalUser>>();
                services.AddScoped<IPasswordHasher<PortalUser>, CountingHasher>();
            });
        }
    }

    private sealed class CountingHasher(Microsoft.Extensions.Options.IOptions<PasswordHasherOptions> options) : PasswordHasher<PortalUser>(options)
    {
        private static int verifications;

        public static int Verifications => Volatile.Read(ref verifications);

        public override PasswordVerificationResult VerifyHashedPassword(PortalUser user, string hashedPassword, string providedPassword)
        {
            Interlocked.Increment(ref verifications);
            return base.VerifyHashedPassword(user, hashedPassword, providedPassword);
        }
    }
}
