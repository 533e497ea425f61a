using System.Net;
using static Portal.Tests.Security.SecurityPortal;

namespace Portal.Tests.Security;

/// <summary>The Hangfire dashboard, every sub-path and its JSON endpoints: admins only.</summary>
[Trait("Category", "Security")]
public sealed partial class HangfirePanelTests(SecurityPortal portal) : IClassFixture<SecurityPortal>
{
    public static readonly TheoryData<string> DashboardPaths = new()
    {
        "/hangfire",
        "/hangfire/",
        "/hangfire/jobs/enqueued",
        "/hangfire/jobs/failed",
        "/hangfire/jobs/succeeded",
        "/hangfire/recurring",
        "/hangfire/servers",
        "/hangfire/retries",
        "/hangfire/stats",
        "/hangfire/jobs/details/1",
        "/HANGFIRE/Servers",
        "/hangfire/js0",
        "/hangfire/css0",
    };

    [Theory]
    [MemberData(nameof(DashboardPaths))]
    public async Task Dashboard_IsServedToAdminsOnly(string path)
    {
        using var admin = await portal.Factory.CreateCookieClientAsync(Admin.Email!);
        using var adminResponse = await admin.GetAsync(path);
        Assert.NotEqual(HttpStatusCode.Forbidden, adminResponse.StatusCode);
        Assert.NotEqual(HttpStatusCode.Redirect, adminResponse.StatusCode);
        Assert.True((int)adminResponse.StatusCode < 500, $"{path} as admin: {(int)adminResponse.StatusCode}");

        foreach (var caller in new[] { RiderA, RiderB, Technician, RnD })
        {
            using var cookie = await portal.Factory.CreateCookieClientAsync(caller.Email!);
            using var refused = await cookie.GetAsync(path);
            Assert.True(refused.StatusCode == HttpStatusCode.Forbidden, $"{path} as {caller} (cookie): {(int)refused.StatusCode}");
            Assert.DoesNotContain("Ride Portal jobs", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);

            using var bearerRefused = await portal.Api(caller).GetAsync(path);
            Assert.True(bearerRefused.StatusCode == HttpStatusCode.Forbidden, $"{path} as {caller} (bearer): {(int)bearerRefused.StatusCode}");
        }

        using var anonymous = portal.Factory.CreateBrowserLikeClient();
        using var redirected = await anonymous.GetAsync(path);
        Assert.Equal(HttpStatusCode.Redirect, redirected.StatusCode);
        Assert.StartsWith("/account/login", redirected.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StatsJson_IsServedToAdmins_AndRefusedToOthers()
    {
        // The dashboard's POSTs carry the portal's antiforgery token (any admin page's logout form has one).
        using var admin = await portal.Factory.CreateCookieClientAsync(Admin.Email!);
        var home = await admin.GetStringAsync("/");
        var token = System.Net.WebUtility.HtmlDecode(AntiforgeryField().Match(home).Groups[1].Value);
        using var adminForm = new FormUrlEncodedContent([new("metrics[]", "enqueued:count"), new("__RequestVerificationToken", token)]);
        using var stats = await admin.PostAsync("/hangfire/stats", adminForm);
        Assert.Equal(HttpStatusCode.OK, stats.StatusCode);
        Assert.Equal("application/json", stats.Content.Headers.ContentType?.MediaType);

        using var form = new FormUrlEncodedContent([new("metrics[]", "enqueued:count")]);
        using var rnd = await portal.Factory.CreateCookieClientAsync(RnD.Email!);
        using var refusedPost = await rnd.PostAsync("/hangfire/stats", form);
        Assert.Equal(HttpStatusCode.Forbidden, refusedPost.StatusCode);
        Assert.NotEqual("application/json", refusedPost.Content.Headers.ContentType?.MediaType);

        using var anonymous = portal.Factory.CreateBrowserLikeClient();
        using var anonymousPost = await anonymous.PostAsync("/hangfire/stats", form);
        Assert.True(anonymousPost.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.Unauthorized, $"anonymous POST /hangfire/stats: {(int)anonymousPost.StatusCode}");
        Assert.NotEqual("application/json", anonymousPost.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task StatsJson_ReadWithGet_AnswersMethodNotAllowed_ToAdmins()
    {
        using var admin = await portal.Factory.CreateCookieClientAsync(Admin.Email!);

        using var response = await admin.GetAsync("/hangfire/stats");

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal("POST", string.Join(",", response.Content.Headers.Allow));
    }

    [Fact]
    public async Task JobActions_AreRefusedToNonAdmins()
    {
        using var form = new FormUrlEncodedContent([new("jobs[]", "1")]);
        using var technician = await portal.Factory.CreateCookieClientAsync(Technician.Email!);
        using var response = await technician.PostAsync("/hangfire/jobs/enqueued/delete", form);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [System.Text.RegularExpressions.GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial System.Text.RegularExpressions.Regex AntiforgeryField();
}
