using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Portal.Identity;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Foundation;

/// <summary>One portal (SQLite, demo accounts) shared by the class; tests that change accounts use their own.</summary>
public sealed class SeededPortalFixture : IAsyncLifetime
{
    public PortalFactory Factory { get; } = new();

    public Task InitializeAsync()
    {
        using var warmUp = Factory.CreateClient();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await Factory.DisposeAsync();
}

[Trait("Category", "Foundation")]
public sealed class AuthorizationTests(SeededPortalFixture fixture) : IClassFixture<SeededPortalFixture>
{
    private PortalFactory Factory => fixture.Factory;

    private static string UniqueEmail(string what) => $"{what}-{Guid.NewGuid():N}@example.test";

    [Theory]
    [InlineData("/")]
    [InlineData("/admin/jobs")]
    public async Task AnonymousPage_RedirectsToLogin(string path)
    {
        using var client = Factory.CreateBrowserLikeClient();
        using var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/account/login", response.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnonymousApi_Returns401ProblemWithStableCode()
    {
        using var client = Factory.CreateBrowserLikeClient();
        using var response = await client.GetAsync("/api/me");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("unauthenticated", problem.RootElement.GetProperty("code").GetString());
    }

    [Theory]
    [InlineData("rider@demo.local", "Rider", "Private")]
    [InlineData("pro@demo.local", "Rider", "Professional")]
    [InlineData("tech@demo.local", "Technician", null)]
    [InlineData("rnd@demo.local", "RnD", null)]
    [InlineData("admin@demo.local", "Admin", null)]
    public async Task EachRolesToken_ReadsItsOwnAccountFromApiMe(string email, string role, string? category)
    {
        using var client = await Factory.CreateBearerClientAsync(email);
        var me = await client.GetFromJsonAsync<JsonElement>("/api/me");

        Assert.Equal(email, me.GetProperty("email").GetString());
        Assert.Equal([role], me.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(category, me.GetProperty("category").GetString());
        Assert.True(Guid.TryParse(me.GetProperty("id").GetString(), out _));
    }

    [Fact]
    public async Task ProfessionalDemoRider_IsInTheDemoTechniciansTeam()
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        var catalog = scope.ServiceProvider.GetRequiredService<Core.Catalog.CatalogDbContext>();
        var tech = await users.FindByEmailAsync("tech@demo.local");
        var pro = await users.FindByEmailAsync("pro@demo.local");

        var profile = await catalog.Riders.FindAsync(pro!.Id);
        Assert.Equal(tech!.Id, profile!.TechnicianId);
        Assert.True(profile.TeamMembershipApproved);
    }

    [Fact]
    public async Task HangfireDashboard_IsServedToAdmins()
    {
        using var admin = await Factory.CreateCookieClientAsync("admin@demo.local");
        using var response = await admin.GetAsync("/hangfire");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Ride Portal jobs", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("rider@demo.local")]
    [InlineData("tech@demo.local")]
    [InlineData("rnd@demo.local")]
    public async Task HangfireDashboard_IsForbiddenToOtherRoles(string email)
    {
        using var client = await Factory.CreateCookieClientAsync(email);
        using var response = await client.GetAsync("/hangfire");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.DoesNotContain("Ride Portal jobs", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task HangfireDashboard_SendsAnonymousVisitorsToLogin()
    {
        using var client = Factory.CreateBrowserLikeClient();
        using var response = await client.GetAsync("/hangfire");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/account/login", response.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HangfireDashboard_IgnoresBearerTokensOfNonAdmins()
    {
        using var rider = await Factory.CreateBearerClientAsync("rider@demo.local");
        using var response = await rider.GetAsync("/hangfire");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task AdminJobsPage_IsServedToAdmins_AndFramesTheDashboard()
    {
        using var admin = await Factory.CreateCookieClientAsync("admin@demo.local");
        var html = await admin.GetStringAsync("/admin/jobs");

        Assert.Contains("src=\"/hangfire\"", html);
    }

    [Fact]
    public async Task AdminJobsPage_SendsOtherRolesToAccessDenied()
    {
        using var rider = await Factory.CreateCookieClientAsync("rider@demo.local");
        using var response = await rider.GetAsync("/admin/jobs");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/account/access-denied", response.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("rider@demo.local", "home-rider", "home-admin")]
    [InlineData("tech@demo.local", "home-technician", "home-rider")]
    [InlineData("rnd@demo.local", "home-rnd", "home-admin")]
    [InlineData("admin@demo.local", "home-admin", "home-rider")]
    public async Task EachRole_SeesItsOwnHome(string email, string expectedCard, string absentCard)
    {
        using var client = await Factory.CreateCookieClientAsync(email);
        var html = await client.GetStringAsync("/");

        Assert.Contains($"data-testid=\"{expectedCard}\"", html);
        Assert.DoesNotContain($"data-testid=\"{absentCard}\"", html);
    }

    [Fact]
    public async Task RenderedNavigation_LinksAdminPagesForAdminsOnly()
    {
        using var admin = await Factory.CreateCookieClientAsync("admin@demo.local");
        using var rider = await Factory.CreateCookieClientAsync("rider@demo.local");

        Assert.Contains("href=\"/admin/jobs\"", await admin.GetStringAsync("/"));
        Assert.DoesNotContain("href=\"/admin/jobs\"", await rider.GetStringAsync("/"));
    }

    [Fact]
    public async Task Login_LocksTheAccount_AfterFiveFailures()
    {
        var email = UniqueEmail("lockout");
        const string password = "a lockout test passphrase";
        await Factory.RegisterConfirmedAsync(email, password);

        using var browser = Factory.CreateBrowserLikeClient();
        for (var attempt = 1; attempt <= 5; attempt++)
        {
            using var failed = await PortalFactory.PostLoginFormAsync(browser, email, "wrong password " + attempt);
            Assert.Equal(HttpStatusCode.OK, failed.StatusCode);
        }

        using var refused = await PortalFactory.PostLoginFormAsync(browser, email, password);
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.Contains("locked", await refused.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);

        using var api2 = Factory.CreateClient();
        using var tokenRefused = await api2.PostAsJsonAsync("/api/auth/login", new { email, password });
        Assert.Equal(HttpStatusCode.Unauthorized, tokenRefused.StatusCode);
    }

    [Fact]
    public async Task Login_WithTheRightPassword_SetsAnHttpOnlyLaxCookie()
    {
        using var browser = Factory.CreateBrowserLikeClient();
        using var response = await PortalFactory.PostLoginFormAsync(browser, "rider@demo.local", PortalFactory.DemoPassword);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var cookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("ride-portal.auth=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", cookie, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData(11, false)]
    [InlineData(12, true)]
    [InlineData(64, true)]
    [InlineData(PasswordPolicy.MaxLength, true)]
    [InlineData(PasswordPolicy.MaxLength + 1, false)]
    public async Task Registration_EnforcesLengthOnly(int length, bool accepted)
    {
        // Lowercase letters only: no composition rule may refuse it.
        var password = new string('q', length - 3) + "xyz";
        using var client = Factory.CreateClient();
        using var response = await client.PostAsJsonAsync("/api/auth/register", new { email = UniqueEmail("policy"), password });

        if (accepted)
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        else
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.Equal("account_rejected", problem.RootElement.GetProperty("code").GetString());
            var errors = problem.RootElement.GetProperty("errors").EnumerateObject().Select(e => e.Name).ToList();
            Assert.Contains(length < PasswordPolicy.MinLength ? "PasswordTooShort" : "PasswordTooLong", errors);
        }
    }

    [Fact]
    public async Task ApiRegistration_CreatesAPrivateRider()
    {
        var email = UniqueEmail("self");
        const string password = "a long enough passphrase";
        await Factory.RegisterConfirmedAsync(email, password);

        using var client = await Factory.CreateBearerClientAsync(email, password);
        var me = await client.GetFromJsonAsync<JsonElement>("/api/me");
        Assert.Equal(["Rider"], me.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal("Private", me.GetProperty("category").GetString());
    }

    [Fact]
    public async Task Passwords_AreHashedWithAtLeast210000Pbkdf2Iterations()
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        var hash = Convert.FromBase64String((await users.FindByEmailAsync("rider@demo.local"))!.PasswordHash!);

        // Identity v3 format: 0x01, PRF (4 bytes), iteration count (4 bytes, big-endian), ...
        Assert.Equal(0x01, hash[0]);
        Assert.True(BinaryPrimitives.ReadUInt32BigEndian(hash.AsSpan(5, 4)) >= 210_000);
    }

    [Fact]
    public async Task OnlyAdmins_CreateStaffAccounts()
    {
        var request = new { email = UniqueEmail("tech"), password = "technician passphrase", role = "Technician" };
        using (var rider = await Factory.CreateBearerClientAsync("rider@demo.local"))
        {
            using var refused = await rider.PostAsJsonAsync("/api/admin/users", request);
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }

        using (var anonymous = Factory.CreateClient())
        {
            using var refused = await anonymous.PostAsJsonAsync("/api/admin/users", request);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        using (var admin = await Factory.CreateBearerClientAsync("admin@demo.local"))
        {
            using var created = await admin.PostAsJsonAsync("/api/admin/users", request);
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        using var technician = await Factory.CreateBearerClientAsync(request.email, request.password);
        var me = await technician.GetFromJsonAsync<JsonElement>("/api/me");
        Assert.Equal(["Technician"], me.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
    }

    [Fact]
    public async Task DemoSeeding_IsIdempotent()
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<DemoAccounts>().SeedAsync(CancellationToken.None);
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();

        Assert.Single(users.Users.Where(u => u.Email == "admin@demo.local"));
        Assert.Equal(5, users.Users.Count(u => u.Email!.EndsWith("@demo.local")));
    }
}
