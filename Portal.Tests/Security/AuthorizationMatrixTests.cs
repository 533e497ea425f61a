using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Endpoints;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Portal.Identity;
using Xunit.Abstractions;
using static Portal.Tests.Security.SecurityPortal;

namespace Portal.Tests.Security;

/// <summary>Which kind of object an endpoint's route or body names, deciding who may reach it.</summary>
public enum Scope
{
    /// <summary>No object: the role decides.</summary>
    None,

    /// <summary>A ride: its owner, the owner's approved technician, R&amp;D and admins; others get 404.</summary>
    Ride,

    /// <summary>
    /// A ride to change or delete (a fresh one per call): its owner and admins; others who see it (the owner's
    /// technician, R&amp;D) get 403; the rest 404.
    /// </summary>
    OwnRide,

    /// <summary>A rider to upload for: oneself, a technician's approved professional team rider, anyone for admins; others get 403.</summary>
    UploadTarget,

    /// <summary>A resumable upload session: only the account that opened it; others (admins too) get 404.</summary>
    UploadSession,

    /// <summary>A crash: everyone the role admits (R&amp;D, admins).</summary>
    Crash,

    /// <summary>A notification: the person it was sent to, or the holders of the role it was sent to; others get 404.</summary>
    Notification,

    /// <summary>A rider to register a device for: admins, the rider's approved technician; others get 403.</summary>
    DeviceTarget,

    /// <summary>A device to manage: admins, the rider's approved technician; others (the rider too) get 403.</summary>
    Device,

    /// <summary>A stored device profile (a fresh one per call, since DELETE removes it): the role decides.</summary>
    DeviceProfile,

    /// <summary>An account (rider A's): the role decides.</summary>
    Account,
}

/// <param name="Roles">Roles that may call it; null = every signed-in account.</param>
/// <param name="Public">Anonymous callers are let in (login, registration, API reference).</param>
/// <param name="Allowed">The exact status a caller who may use the endpoint gets for the matrix's well-formed request.</param>
public sealed record Access(string[]? Roles, Scope Scope = Scope.None, bool Public = false, HttpStatusCode Allowed = HttpStatusCode.OK);

[Trait("Category", "Security")]
public sealed class AuthorizationMatrixTests(SecurityPortal portal, ITestOutputHelper output) : IClassFixture<SecurityPortal>
{
    private static readonly string[] Everybody = null!;
    private static readonly string[] AdminOnly = [PortalRoles.Admin];
    private static readonly string[] RnDAndAdmin = [PortalRoles.RnD, PortalRoles.Admin];
    private static readonly string[] TechnicianAndAdmin = [PortalRoles.Technician, PortalRoles.Admin];
    private static readonly string[] Staff = [PortalRoles.Technician, PortalRoles.RnD, PortalRoles.Admin];

    /// <summary>
    /// The expectations table: every /api endpoint (method + route pattern) with who may call it.
    /// A new endpoint missing here fails <see cref="EveryApiEndpoint_IsClassified_AndLeaksNothing"/>.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, Access> ApiTable = new Dictionary<string, Access>(StringComparer.Ordinal)
    {
        // Identity's token endpoints: reachable before signing in.
        ["POST /api/auth/register"] = new(Everybody, Public: true),
        ["POST /api/auth/login"] = new(Everybody, Public: true),
        ["POST /api/auth/refresh"] = new(Everybody, Public: true),
        ["GET /api/auth/confirmEmail"] = new(Everybody, Public: true),
        ["POST /api/auth/resendConfirmationEmail"] = new(Everybody, Public: true),
        ["POST /api/auth/forgotPassword"] = new(Everybody, Public: true),
        ["POST /api/auth/resetPassword"] = new(Everybody, Public: true),
        ["POST /api/auth/manage/2fa"] = new(Everybody),
        ["GET /api/auth/manage/info"] = new(Everybody),
        ["POST /api/auth/manage/info"] = new(Everybody),
        ["GET /api/me"] = new(Everybody),
        ["POST /api/admin/users"] = new(AdminOnly, Allowed: HttpStatusCode.Created),
        ["POST /api/admin/users/{id:guid}/approve"] = new(AdminOnly, Scope.Account, Allowed: HttpStatusCode.NoContent),

        ["POST /api/rides"] = new(Everybody, Scope.UploadTarget, Allowed: HttpStatusCode.Created),
        ["GET /api/rides"] = new(Everybody),
        ["GET /api/rides/{id:guid}"] = new(Everybody, Scope.Ride),
        // The seeded rides are one-line files whose analysis fails: their analytics and traces answer 409.
        ["GET /api/rides/{id:guid}/analytics"] = new(Everybody, Scope.Ride, Allowed: HttpStatusCode.Conflict),
        ["GET /api/rides/{id:guid}/traces"] = new(Everybody, Scope.Ride, Allowed: HttpStatusCode.Conflict),
        ["POST /api/rides/{id:guid}/analyze"] = new(Everybody, Scope.Ride, Allowed: HttpStatusCode.Accepted),
        ["POST /api/rides/analyze"] = new(AdminOnly, Allowed: HttpStatusCode.Accepted),
        ["GET /api/rides/{id:guid}/raw"] = new(Everybody, Scope.Ride),
        ["PATCH /api/rides/{id:guid}"] = new(Everybody, Scope.OwnRide),
        ["DELETE /api/rides/{id:guid}"] = new(Everybody, Scope.OwnRide, Allowed: HttpStatusCode.NoContent),

        ["POST /api/uploads"] = new(Everybody, Scope.UploadTarget, Allowed: HttpStatusCode.Created),
        ["GET /api/uploads/{id:guid}"] = new(Everybody, Scope.UploadSession),
        ["HEAD /api/uploads/{id:guid}"] = new(Everybody, Scope.UploadSession),
        ["PUT /api/uploads/{id:guid}/parts/{number:int}"] = new(Everybody, Scope.UploadSession),
        ["PATCH /api/uploads/{id:guid}"] = new(Everybody, Scope.UploadSession),
        ["POST /api/uploads/{id:guid}/complete"] = new(Everybody, Scope.UploadSession, Allowed: HttpStatusCode.Conflict),
        ["DELETE /api/uploads/{id:guid}"] = new(Everybody, Scope.UploadSession, Allowed: HttpStatusCode.NoContent),

        ["GET /api/crashes"] = new(RnDAndAdmin),
        ["GET /api/crashes/{id:guid}"] = new(RnDAndAdmin, Scope.Crash),
        ["PUT /api/crashes/{id:guid}/label"] = new(RnDAndAdmin, Scope.Crash),
        ["GET /api/crashes/{id:guid}/raw"] = new(RnDAndAdmin, Scope.Crash),
        ["GET /api/crashes/{id:guid}/window"] = new(RnDAndAdmin, Scope.Crash),

        ["GET /api/notifications"] = new(Everybody),
        ["POST /api/notifications/{id:guid}/read"] = new(Everybody, Scope.Notification, Allowed: HttpStatusCode.NoContent),

        ["POST /api/devices"] = new(Everybody, Scope.DeviceTarget, Allowed: HttpStatusCode.Created),
        ["GET /api/devices"] = new(Everybody),
        ["POST /api/devices/{id}/secret"] = new(Everybody, Scope.Device),
        ["POST /api/devices/{id}/disable"] = new(Everybody, Scope.Device, Allowed: HttpStatusCode.NoContent),

        ["GET /api/device-profiles"] = new(Staff),
        ["POST /api/device-profiles"] = new(AdminOnly, Allowed: HttpStatusCode.Created),
        ["POST /api/device-profiles/suggest"] = new(AdminOnly),
        ["PUT /api/device-profiles/{name}"] = new(AdminOnly, Scope.DeviceProfile),
        ["DELETE /api/device-profiles/{name}"] = new(AdminOnly, Scope.DeviceProfile, Allowed: HttpStatusCode.NoContent),
    };

    /// <summary>Pages anyone may open (signing in, registering, errors).</summary>
    private static readonly HashSet<string> PublicPages = new(StringComparer.OrdinalIgnoreCase)
    {
        "/account/login", "/account/register", "/account/access-denied", "/error", "/not-found",
        "/account/confirm-email", "/account/forgot-password", "/account/reset-password",
    };

    /// <summary>Route prefixes whose pages only these roles may open, whatever the page itself declares.</summary>
    private static readonly (string Prefix, string[] Roles)[] PagePrefixRules =
    [
        ("/admin/devices", TechnicianAndAdmin),
        ("/admin", AdminOnly),
        ("/hangfire", AdminOnly),
        ("/crashes", RnDAndAdmin),
    ];

    private static readonly Regex RouteParameter = new(@"\{\*{0,2}(?<name>\w+)(?<constraint>[:?][^}]*)?\}");

    [Fact]
    public async Task EveryApiEndpoint_IsClassified_AndLeaksNothing()
    {
        var endpoints = ApiEndpoints();
        var unclassified = endpoints.Where(e => Classify(e) is null).ToList();
        Assert.True(unclassified.Count == 0, "API endpoints missing from the authorization table: " + string.Join(", ", unclassified));

        var absent = ApiTable.Keys.Where(k => !endpoints.Contains(k)).ToList();
        if (absent.Count > 0)
        {
            output.WriteLine("Classified but not mapped in this build: " + string.Join(", ", absent));
        }

        var leaks = new List<string>();
        var cells = 0;
        foreach (var endpoint in endpoints)
        {
            var access = Classify(endpoint)!;
            var (method, pattern) = Split(endpoint);
            if (access.Public)
            {
                continue;
            }

            // Anonymous: 401 everywhere (the object id does not matter, it must not be looked at).
            using (var anonymous = portal.Factory.CreateClient())
            {
                var target = (await TargetsAsync(access.Scope, RiderA))[0];
                using var response = await SendAsync(anonymous, method, pattern, access.Scope, target.Id);
                cells++;
                Check(leaks, endpoint, Anonymous, target.Label, response.StatusCode, HttpStatusCode.Unauthorized);
            }

            foreach (var caller in SignedIn)
            {
                var roleAllowed = access.Roles is null || access.Roles.Contains(caller.Role!);
                foreach (var target in await TargetsAsync(access.Scope, caller))
                {
                    using var response = await SendAsync(portal.Api(caller), method, pattern, access.Scope, target.Id);
                    cells++;
                    if (endpoint == "POST /api/auth/manage/2fa" && response.StatusCode == HttpStatusCode.OK)
                    {
                        // Identity creates the authenticator key on the first call and renews the security stamp,
                        // which ends the caller's earlier tokens: the shared client signs in again.
                        await portal.RenewBearerAsync(caller);
                    }

                    if (!roleAllowed)
                    {
                        Check(leaks, endpoint, caller, target.Label, response.StatusCode, HttpStatusCode.Forbidden);
                    }
                    else if (target.Refused is { } refused)
                    {
                        Check(leaks, endpoint, caller, target.Label, response.StatusCode, refused);
                    }
                    else if (!target.Visible)
                    {
                        Check(leaks, endpoint, caller, target.Label, response.StatusCode, HiddenStatus(access.Scope));
                    }
                    else
                    {
                        // Allowed: the one status the endpoint documents for this request (a 500 or a 400 is a failure too).
                        Check(leaks, endpoint, caller, target.Label, response.StatusCode, access.Allowed);
                    }
                }
            }
        }

        output.WriteLine($"API matrix: {endpoints.Count} endpoints, {cells} cells checked, {leaks.Count} failures.");
        Assert.True(leaks.Count == 0, string.Join("\n", leaks));
        Assert.True(cells > 100, $"only {cells} cells were checked");
    }

    [Fact]
    public async Task Lists_ShowEachCallerOnlyWhatTheyMaySee()
    {
        foreach (var caller in SignedIn)
        {
            var rides = await portal.Api(caller).GetFromJsonAsync<JsonElement>("/api/rides?pageSize=200");
            var rideIds = rides.GetProperty("items").EnumerateArray().Select(r => r.GetProperty("id").GetGuid()).ToHashSet();
            foreach (var owned in new[] { portal.A, portal.B })
            {
                Assert.True(SeesRidesOf(caller, owned.Owner) == rideIds.Contains(owned.RideId), $"{caller} listing rides, ride of {owned.Owner}");
            }

            var notifications = await portal.Api(caller).GetFromJsonAsync<JsonElement>("/api/notifications?take=200");
            var notificationIds = notifications.GetProperty("items").EnumerateArray().Select(n => n.GetProperty("id").GetGuid()).ToHashSet();
            foreach (var owned in new[] { portal.A, portal.B })
            {
                Assert.True((caller == owned.Owner) == notificationIds.Contains(owned.NotificationId), $"{caller} listing notifications, {owned.Owner}'s");
            }

            Assert.True((caller == Admin) == notificationIds.Contains(portal.AdminRoleNotificationId), $"{caller} listing notifications, the admins' one");
        }
    }

    [Fact]
    public async Task RideFilters_CannotWidenWhatARiderSees()
    {
        var asRiderA = await portal.Api(RiderA).GetFromJsonAsync<JsonElement>($"/api/rides?rider={portal.B.OwnerId}&q={portal.B.Marker}");

        Assert.Equal(0, asRiderA.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task EveryPage_RedirectsAnonymousToLogin_AndRefusesWrongRoles_AndShowsNoOtherRidersData()
    {
        var pages = PageEndpoints();
        Assert.Contains(pages, p => p.Pattern == "/");
        var policyProvider = portal.Factory.Services.GetRequiredService<IAuthorizationPolicyProvider>();
        var authorization = portal.Factory.Services.GetRequiredService<IAuthorizationService>();
        var cookies = new Dictionary<string, HttpClient>(StringComparer.Ordinal);
        foreach (var caller in SignedIn)
        {
            cookies[caller.Name] = await portal.Factory.CreateCookieClientAsync(caller.Email!);
        }

        var failures = new List<string>();
        var cells = 0;
        try
        {
            foreach (var page in pages)
            {
                if (PublicPages.Contains(page.Pattern))
                {
                    continue;
                }

                using (var anonymous = portal.Factory.CreateBrowserLikeClient())
                {
                    using var response = await anonymous.GetAsync(PagePath(page.Pattern, portal.A));
                    cells++;
                    if (response.StatusCode != HttpStatusCode.Redirect || !response.Headers.Location!.OriginalString.Contains("/account/login", StringComparison.Ordinal))
                    {
                        failures.Add($"page {page.Pattern} as anonymous: {(int)response.StatusCode} {response.Headers.Location}, expected a login redirect");
                    }
                }

                var policy = await AuthorizationPolicy.CombineAsync(policyProvider, page.AuthorizeData);
                foreach (var caller in SignedIn)
                {
                    var principal = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, caller.Email!), new Claim(ClaimTypes.Role, caller.Role!)], "test"));
                    var declared = policy is null || (await authorization.AuthorizeAsync(principal, policy)).Succeeded;
                    var prefixRule = PagePrefixRules.FirstOrDefault(r => page.Pattern.StartsWith(r.Prefix, StringComparison.OrdinalIgnoreCase));
                    if (prefixRule.Roles is { } onlyRoles && declared && !onlyRoles.Contains(caller.Role!))
                    {
                        failures.Add($"page {page.Pattern} declares {caller.Role} allowed, but {prefixRule.Prefix} pages are for {string.Join("/", onlyRoles)} only");
                    }

                    foreach (var owned in new[] { portal.A, portal.B })
                    {
                        if (!page.HasParameters && owned == portal.B)
                        {
                            continue;
                        }

                        using var response = await cookies[caller.Name].GetAsync(PagePath(page.Pattern, owned));
                        cells++;
                        var html = await response.Content.ReadAsStringAsync();
                        if (!declared)
                        {
                            if (response.StatusCode != HttpStatusCode.Redirect || !response.Headers.Location!.OriginalString.Contains("/account/access-denied", StringComparison.Ordinal))
                            {
                                failures.Add($"page {page.Pattern} as {caller}: {(int)response.StatusCode}, expected the access-denied redirect");
                            }

                            continue;
                        }

                        if (response.StatusCode is not (HttpStatusCode.OK or HttpStatusCode.NotFound))
                        {
                            failures.Add($"page {page.Pattern} as {caller}: {(int)response.StatusCode}, expected the page");
                        }

                        // Whatever the page shows, it never shows a ride the caller may not see.
                        foreach (var other in new[] { portal.A, portal.B }.Where(o => !SeesRidesOf(caller, o.Owner)))
                        {
                            if (html.Contains(other.Marker, StringComparison.Ordinal))
                            {
                                failures.Add($"page {PagePath(page.Pattern, owned)} as {caller} shows {other.Owner}'s ride");
                            }
                        }
                    }
                }
            }
        }
        finally
        {
            foreach (var client in cookies.Values)
            {
                client.Dispose();
            }
        }

        output.WriteLine($"Page matrix: {pages.Count} pages, {cells} cells checked, {failures.Count} failures.");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public async Task RiderOpeningAnotherRidersRidePage_SeesNotFound()
    {
        var ridePage = PageEndpoints().FirstOrDefault(p => p.Pattern.StartsWith("/rides/{", StringComparison.OrdinalIgnoreCase));
        if (ridePage is null)
        {
            output.WriteLine("No /rides/{id} page in this build; the page matrix covers it once it exists.");
            Assert.DoesNotContain(PageEndpoints(), p => p.Pattern.Contains("ride", StringComparison.OrdinalIgnoreCase) && p.HasParameters);
            return;
        }

        using var riderA = await portal.Factory.CreateCookieClientAsync(RiderA.Email!);
        using var response = await riderA.GetAsync(PagePath(ridePage.Pattern, portal.B));
        var html = await response.Content.ReadAsStringAsync();

        Assert.DoesNotContain(portal.B.Marker, html, StringComparison.Ordinal);
        Assert.True(response.StatusCode == HttpStatusCode.NotFound || html.Contains("not found", StringComparison.OrdinalIgnoreCase),
            $"{ridePage.Pattern} for another rider's ride answered {(int)response.StatusCode} without saying not found");
    }

    /// <summary>Who may see <paramref name="owner"/>'s rides: the owner, R&amp;D, admins, and the technician for rider A (their team).</summary>
    private static bool SeesRidesOf(Caller caller, Caller owner) =>
        caller == owner || caller == RnD || caller == Admin || (caller == Technician && owner == RiderA);

    private static HttpStatusCode HiddenStatus(Scope scope) =>
        scope is Scope.UploadTarget or Scope.DeviceTarget or Scope.Device ? HttpStatusCode.Forbidden : HttpStatusCode.NotFound;

    /// <param name="Refused">The caller sees the object but may not do this to it: the exact status expected.</param>
    private sealed record Target(string Label, string Id, bool Visible, HttpStatusCode? Refused = null);

    /// <summary>The objects to try for one caller, each with whether this caller may reach it.</summary>
    private async Task<IReadOnlyList<Target>> TargetsAsync(Scope scope, Caller caller)
    {
        var a = portal.A;
        var b = portal.B;
        var isAdmin = caller == Admin;
        var isTechnician = caller == Technician;
        switch (scope)
        {
            case Scope.None:
                return [new Target("-", "", true)];
            case Scope.Ride:
                return [new("A's ride", a.RideId.ToString(), SeesRidesOf(caller, RiderA)), new("B's ride", b.RideId.ToString(), SeesRidesOf(caller, RiderB))];
            case Scope.OwnRide:
                var freshA = (await portal.UploadRideAsync(RiderA, RiderA, "own-a.csv")).GetProperty("id").GetString()!;
                var freshB = (await portal.UploadRideAsync(RiderB, RiderB, "own-b.csv")).GetProperty("id").GetString()!;
                await portal.WaitUntilSettledAsync(RiderA, freshA);
                await portal.WaitUntilSettledAsync(RiderB, freshB);
                return
                [
                    new("A's fresh ride", freshA, caller == RiderA || isAdmin, SeesRidesOf(caller, RiderA) && caller != RiderA && !isAdmin ? HttpStatusCode.Forbidden : null),
                    new("B's fresh ride", freshB, caller == RiderB || isAdmin, SeesRidesOf(caller, RiderB) && caller != RiderB && !isAdmin ? HttpStatusCode.Forbidden : null),
                ];
            case Scope.UploadTarget:
                return
                [
                    new("rider A", a.OwnerId.ToString(), caller == RiderA || isAdmin || isTechnician),
                    new("rider B", b.OwnerId.ToString(), caller == RiderB || isAdmin),
                    new("oneself", portal.UserId(caller).ToString(), true),
                ];
            case Scope.UploadSession:
                var stranger = caller == RiderB ? RiderA : RiderB;
                return
                [
                    new("own session", (await portal.CreateUploadSessionAsync(caller)).ToString(), true),
                    new($"{stranger}'s session", (await portal.CreateUploadSessionAsync(stranger)).ToString(), false),
                ];
            case Scope.Crash:
                return [new("A's crash", a.CrashId.ToString(), true), new("B's crash", b.CrashId.ToString(), true)];
            case Scope.Notification:
                return
                [
                    new("A's notification", a.NotificationId.ToString(), caller == RiderA),
                    new("B's notification", b.NotificationId.ToString(), caller == RiderB),
                    new("the admins' notification", portal.AdminRoleNotificationId.ToString(), isAdmin),
                ];
            case Scope.DeviceTarget:
                return [new("rider A", a.OwnerId.ToString(), isAdmin || isTechnician), new("rider B", b.OwnerId.ToString(), isAdmin)];
            case Scope.Device:
                return
                [
                    new("A's device", await portal.RegisterDeviceAsync(RiderA), isAdmin || isTechnician),
                    new("B's device", await portal.RegisterDeviceAsync(RiderB), isAdmin),
                ];
            case Scope.DeviceProfile:
                return [new("a device profile", await CreateDeviceProfileAsync(), true)];
            case Scope.Account:
                return [new("rider A's account", a.OwnerId.ToString(), true)];
            default:
                throw new ArgumentOutOfRangeException(nameof(scope), scope, null);
        }
    }

    /// <summary>A fresh stored device profile; its name is the route's {name}.</summary>
    private async Task<string> CreateDeviceProfileAsync()
    {
        await using var scope = portal.Factory.Services.CreateAsyncScope();
        var result = await scope.ServiceProvider.GetRequiredService<Portal.Core.Devices.DeviceProfileCatalog>()
            .CreateAsync(new Portal.Core.Devices.DeviceProfileDraft($"matrix-{Guid.NewGuid():N}"), CancellationToken.None);
        return result.Profile?.Name ?? throw new InvalidOperationException($"Could not create a matrix profile: {result.Outcome}");
    }

    /// <summary>Calls one endpoint with a well-formed request naming <paramref name="targetId"/>.</summary>
    private async Task<HttpResponseMessage> SendAsync(HttpClient client, string method, string pattern, Scope scope, string targetId)
    {
        var path = RouteParameter.Replace(pattern, m => m.Groups["name"].Value switch
        {
            "id" or "name" => targetId,
            "number" => "0",
            var other => throw new InvalidOperationException($"No value for route parameter '{other}' of {pattern}"),
        });
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        switch ($"{method} {pattern}", scope)
        {
            case ("POST /api/rides", _):
                request.RequestUri = new Uri($"{path}?riderId={targetId}", UriKind.Relative);
                request.Content = new StringContent(portal.UniqueCsv("matrix"), Encoding.UTF8, "text/csv");
                break;
            case ("PATCH /api/rides/{id:guid}", _):
                request.Content = JsonContent.Create(new { title = "matrix title" });
                break;
            case ("POST /api/rides/analyze", _):
                request.RequestUri = new Uri($"{path}?since=2999-01-01T00:00:00Z", UriKind.Relative);
                break;
            case ("POST /api/uploads", _):
                request.Content = JsonContent.Create(new { fileName = "matrix.csv", riderId = targetId });
                break;
            case ("POST /api/devices", _):
                request.Content = JsonContent.Create(new { name = "matrix suit", riderId = targetId });
                break;
            case ("POST /api/device-profiles", _):
                request.Content = JsonContent.Create(new { name = $"matrix-{Guid.NewGuid():N}", columns = new Dictionary<string, string> { ["timestamp"] = "t" } });
                break;
            case ("POST /api/device-profiles/suggest", _):
                request.Content = new StringContent(portal.UniqueCsv("suggest"), Encoding.UTF8, "text/csv");
                break;
            case ("PUT /api/device-profiles/{name}", _):
                request.Content = JsonContent.Create(new { description = "matrix", acceleration = "G" });
                break;
            case ("PUT /api/crashes/{id:guid}/label", _):
                request.Content = JsonContent.Create(new { label = "Confirmed", notes = "matrix" });
                break;
            case ("POST /api/admin/users", _):
                request.Content = JsonContent.Create(new { email = $"matrix-{Guid.NewGuid():N}@example.test", password = "matrix passphrase long", role = PortalRoles.RnD });
                break;
            case ("PATCH /api/uploads/{id:guid}", _):
                request.Headers.Add("Upload-Offset", "0");
                request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(portal.UniqueCsv("patch")));
                request.Content.Headers.ContentType = new("application/offset+octet-stream");
                break;
            case ("PUT /api/uploads/{id:guid}/parts/{number:int}", _):
                request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(portal.UniqueCsv("part")));
                request.Content.Headers.ContentType = new("application/octet-stream");
                break;
            case ("POST /api/auth/manage/info", _) or ("POST /api/auth/manage/2fa", _):
                request.Content = JsonContent.Create(new { });
                break;
        }

        return await client.SendAsync(request);
    }

    private static void Check(List<string> failures, string endpoint, Caller caller, string target, HttpStatusCode actual, HttpStatusCode expected)
    {
        if (actual != expected)
        {
            failures.Add($"{endpoint} as {caller} on {target}: {(int)actual}, expected {(int)expected}");
        }
    }

    private static Access? Classify(string endpoint)
    {
        if (ApiTable.TryGetValue(endpoint, out var access))
        {
            return access;
        }

        // The API reference (Scalar) documents the API; it holds no data.
        var (method, pattern) = Split(endpoint);
        return method == "GET" && pattern.StartsWith("/api/docs", StringComparison.OrdinalIgnoreCase) ? new Access(Everybody, Public: true) : null;
    }

    private static (string Method, string Pattern) Split(string endpoint)
    {
        var space = endpoint.IndexOf(' ', StringComparison.Ordinal);
        return (endpoint[..space], endpoint[(space + 1)..]);
    }

    private static string Normalize(string? pattern)
    {
        var path = "/" + (pattern ?? "").Trim('/');
        return path;
    }

    /// <summary>"METHOD /pattern" of every /api endpoint the running app maps.</summary>
    private List<string> ApiEndpoints()
    {
        var source = portal.Factory.Services.GetRequiredService<EndpointDataSource>();
        var result = new List<string>();
        foreach (var endpoint in source.Endpoints.OfType<RouteEndpoint>())
        {
            var pattern = Normalize(endpoint.RoutePattern.RawText);
            if (!pattern.StartsWith("/api", StringComparison.OrdinalIgnoreCase) || (pattern.Length > 4 && pattern[4] != '/'))
            {
                continue;
            }

            var methods = endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? ["*"];
            result.AddRange(methods.Select(m => $"{m} {pattern}"));
        }

        return result.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
    }

    private sealed record Page(string Pattern, IReadOnlyList<IAuthorizeData> AuthorizeData, bool HasParameters);

    /// <summary>Every routable Razor component page, with the authorization it declares.</summary>
    private List<Page> PageEndpoints()
    {
        var source = portal.Factory.Services.GetRequiredService<EndpointDataSource>();
        return source.Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<ComponentTypeMetadata>() is not null)
            .Select(e => new Page(
                Normalize(e.RoutePattern.RawText),
                e.Metadata.GetMetadata<IAllowAnonymous>() is null ? e.Metadata.GetOrderedMetadata<IAuthorizeData>().ToList() : [],
                e.RoutePattern.Parameters.Count > 0))
            .DistinctBy(p => p.Pattern, StringComparer.OrdinalIgnoreCase)
            .ToList();
    }

    /// <summary>The page's address for <paramref name="owned"/>'s objects: a crash id on crash pages, the ride id elsewhere.</summary>
    private static string PagePath(string pattern, OwnedObjects owned) =>
        RouteParameter.Replace(pattern, m =>
            m.Groups["constraint"].Value.StartsWith('?') ? "" :
            pattern.Contains("crash", StringComparison.OrdinalIgnoreCase) ? owned.CrashId.ToString() : owned.RideId.ToString());
}
