using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Api;
using Portal.Core.Catalog;
using Portal.Core.Devices;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Live;

/// <summary>/api/device-profiles and profile checks of /api/devices over HTTP (TestServer, header identity, real PostgreSQL).</summary>
[Trait("Category", "Live")]
public sealed class DeviceProfilesApiTests : IAsyncLifetime
{
    private readonly Guid _admin = Guid.NewGuid();
    private readonly Guid _technician = Guid.NewGuid();
    private readonly Guid _rnd = Guid.NewGuid();
    private readonly Guid _rider = Guid.NewGuid();
    private WebApplication _app = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        var connectionString = await TestServices.CreatePostgresDatabaseAsync("profiles_api");
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Services.AddDbContext<CatalogDbContext>(o => o.UseNpgsql(connectionString));
        builder.Services.AddDeviceRegistry();
        builder.Services.AddAuthentication("Test").AddScheme<AuthenticationSchemeOptions, HeaderAuthenticationHandler>("Test", null);
        builder.Services.AddAuthorization();
        builder.Services.AddProblemDetails();
        _app = builder.Build();
        _app.UseAuthentication();
        _app.UseAuthorization();
        _app.MapDevicesApi();
        _app.MapDeviceProfilesApi();
        await using (var scope = _app.Services.CreateAsyncScope())
        {
            var catalog = scope.ServiceProvider.GetRequiredService<CatalogDbContext>();
            await catalog.Database.EnsureCreatedAsync();
            catalog.Riders.Add(new RiderProfile { UserId = _rider, Email = "rider@example.test", TechnicianId = _technician, TeamMembershipApproved = true });
            await catalog.SaveChangesAsync();
        }

        await _app.StartAsync();
        _client = _app.GetTestClient();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static object Profile(string name, string acceleration = "G") => new
    {
        name,
        description = "Logger with ms since boot",
        columns = new Dictionary<string, string> { ["timestamp"] = "T_boot", ["ax"] = "c1", ["ay"] = "c2", ["az"] = "c3" },
        acceleration,
        angularRate = "RadiansPerSecond",
        speed = "MetersPerSecond",
        time = "RelativeMilliseconds",
    };

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string url, Guid user, string role, object? body = null)
    {
        var request = new HttpRequestMessage(method, url);
        request.Headers.Add("X-Test-User", user.ToString());
        request.Headers.Add("X-Test-Role", role);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        return _client.SendAsync(request);
    }

    [Fact]
    public async Task Admin_CreatesEditsAndDeletesAProfile_AndStaffSeeIt()
    {
        var created = await SendAsync(HttpMethod.Post, "/api/device-profiles", _admin, "Admin", Profile("boot-logger"));
        var updated = await SendAsync(HttpMethod.Put, "/api/device-profiles/boot-logger", _admin, "Admin", Profile("boot-logger", acceleration: "MetersPerSecondSquared"));
        var listedByTechnician = await SendAsync(HttpMethod.Get, "/api/device-profiles", _technician, "Technician");
        var listedByRnD = await SendAsync(HttpMethod.Get, "/api/device-profiles", _rnd, "RnD");
        var profiles = await listedByTechnician.Content.ReadFromJsonAsync<JsonElement>();
        var deleted = await SendAsync(HttpMethod.Delete, "/api/device-profiles/boot-logger", _admin, "Admin");
        var afterDelete = await (await SendAsync(HttpMethod.Get, "/api/device-profiles", _admin, "Admin")).Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("/api/device-profiles/boot-logger", created.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        Assert.Equal(HttpStatusCode.OK, listedByRnD.StatusCode);
        var profile = Assert.Single(profiles.EnumerateArray());
        Assert.Equal("boot-logger", profile.GetProperty("name").GetString());
        Assert.Equal("T_boot", profile.GetProperty("columns").GetProperty("timestamp").GetString());
        Assert.Equal("MetersPerSecondSquared", profile.GetProperty("acceleration").GetString());
        Assert.Equal("RelativeMilliseconds", profile.GetProperty("time").GetString());
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Empty(afterDelete.EnumerateArray());
    }

    [Fact]
    public async Task InvalidProfile_Is400_NamingEachWrongField()
    {
        var response = await SendAsync(HttpMethod.Post, "/api/device-profiles", _admin, "Admin", new
        {
            name = " ",
            columns = new Dictionary<string, string> { ["accel"] = "c1", ["ax"] = "c2", ["ay"] = "c2" },
            acceleration = "furlongs",
            time = "sundial",
        });
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        var errors = problem.GetProperty("errors");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(DeviceProfilesApi.InvalidProfile, problem.GetProperty("code").GetString());
        Assert.Equal(
            ["acceleration", "columns.accel", "columns.ay", "name", "time"],
            errors.EnumerateObject().Select(e => e.Name).Order(StringComparer.Ordinal).ToArray());
        Assert.Contains("furlongs", errors.GetProperty("acceleration")[0].GetString(), StringComparison.Ordinal);
        Assert.Contains("already feeds ax", errors.GetProperty("columns.ay")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TakenName_Is409_AndRenamingOnEdit_Is400()
    {
        await SendAsync(HttpMethod.Post, "/api/device-profiles", _admin, "Admin", Profile("twice"));

        var again = await SendAsync(HttpMethod.Post, "/api/device-profiles", _admin, "Admin", Profile("twice"));
        var renamed = await SendAsync(HttpMethod.Put, "/api/device-profiles/twice", _admin, "Admin", Profile("other-name"));
        var missing = await SendAsync(HttpMethod.Put, "/api/device-profiles/nowhere", _admin, "Admin", Profile("nowhere"));

        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal(DeviceProfilesApi.ProfileNameTaken, await CodeOf(again));
        Assert.Equal(HttpStatusCode.BadRequest, renamed.StatusCode);
        Assert.True((await renamed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("name", out _));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(DeviceProfilesApi.ProfileNotFound, await CodeOf(missing));
    }

    [Fact]
    public async Task OnlyAdmins_ChangeProfiles_AndRidersDoNotSeeThem()
    {
        var byTechnician = await SendAsync(HttpMethod.Post, "/api/device-profiles", _technician, "Technician", Profile("tech-made"));
        var byRnD = await SendAsync(HttpMethod.Delete, "/api/device-profiles/tech-made", _rnd, "RnD");
        var riderList = await SendAsync(HttpMethod.Get, "/api/device-profiles", _rider, "Rider");
        var anonymous = await _client.GetAsync(new Uri("/api/device-profiles", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Forbidden, byTechnician.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, byRnD.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, riderList.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    [Fact]
    public async Task DeletingAProfileADeviceUses_Is409ProfileInUse_AndKeepsIt()
    {
        await SendAsync(HttpMethod.Post, "/api/device-profiles", _admin, "Admin", Profile("in-use"));
        var device = await SendAsync(HttpMethod.Post, "/api/devices", _technician, "Technician", new { name = "Suit", riderId = _rider, profile = "in-use" });

        var delete = await SendAsync(HttpMethod.Delete, "/api/device-profiles/in-use", _admin, "Admin");
        var listed = await (await SendAsync(HttpMethod.Get, "/api/device-profiles", _admin, "Admin")).Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.Created, device.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, delete.StatusCode);
        Assert.Equal(DeviceProfilesApi.ProfileInUse, await CodeOf(delete));
        var kept = Assert.Single(listed.EnumerateArray(), p => p.GetProperty("name").GetString() == "in-use");
        Assert.Equal(1, kept.GetProperty("devices").GetInt32());
    }

    [Fact]
    public async Task RegisteringADevice_WithAnUnknownProfile_Is400UnknownProfile_AndRegistersNothing()
    {
        var response = await SendAsync(HttpMethod.Post, "/api/devices", _admin, "Admin", new { name = "Suit", riderId = _rider, profile = "no-such-profile" });
        var devices = await (await SendAsync(HttpMethod.Get, "/api/devices", _admin, "Admin")).Content.ReadFromJsonAsync<DeviceResponse[]>();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(DeviceErrorCodes.UnknownProfile, await CodeOf(response));
        Assert.DoesNotContain(devices!, d => d.Name == "Suit" && d.Profile == "no-such-profile");
    }

    [Fact]
    public async Task SuggestFromASample_Is200_WithTheMappingUnitsHowTheyWereDecided_AndAMetricsPreview()
    {
        var response = await SendSampleAsync(_admin, "Admin", SampleFiles.RaceBox(rows: 500));
        var suggestion = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var draft = suggestion.GetProperty("draft");
        Assert.Equal("GForceX", draft.GetProperty("columns").GetProperty("ax").GetString());
        Assert.Equal("Time", draft.GetProperty("columns").GetProperty("timestamp").GetString());
        Assert.Equal("MilesPerHour", draft.GetProperty("speed").GetString());
        Assert.Equal("G", draft.GetProperty("acceleration").GetString());
        Assert.Equal("Iso8601", draft.GetProperty("time").GetString());
        Assert.Equal("racebox", suggestion.GetProperty("facts").GetProperty("format").GetString());
        Assert.Equal("format", suggestion.GetProperty("facts").GetProperty("speedSource").GetString());
        Assert.Equal(500, suggestion.GetProperty("metrics").GetProperty("samples").GetInt64());
        Assert.Equal(JsonValueKind.Null, suggestion.GetProperty("rejection").ValueKind);
        Assert.Contains(suggestion.GetProperty("columns").EnumerateArray(), c => c.GetProperty("name").GetString() == "Lap" && c.GetProperty("channel").ValueKind == JsonValueKind.Null);
    }

    [Fact]
    public async Task SuggestFromAnUnreadableSample_Is200_WithTheRejectionAndTheColumnsToMapByHand()
    {
        var response = await SendSampleAsync(_admin, "Admin", SampleFiles.OpaqueLogger(rows: 50));
        var suggestion = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("no_time_column", suggestion.GetProperty("rejection").GetProperty("code").GetString());
        Assert.Equal(["T_boot", "c1", "c2", "c3", "c4", "c5", "c6"], suggestion.GetProperty("columns").EnumerateArray().Select(c => c.GetProperty("name").GetString() ?? "").ToArray());
        Assert.Equal(JsonValueKind.Null, suggestion.GetProperty("metrics").ValueKind);
    }

    [Fact]
    public async Task SuggestWithoutASample_Is400EmptySample_AndOnlyAdminsMaySuggest()
    {
        var empty = await SendSampleAsync(_admin, "Admin", "");
        var byTechnician = await SendSampleAsync(_technician, "Technician", SampleFiles.RaceBox(rows: 20));
        var byRider = await SendSampleAsync(_rider, "Rider", SampleFiles.RaceBox(rows: 20));
        var anonymous = await _client.PostAsync(new Uri("/api/device-profiles/suggest", UriKind.Relative), new StringContent(SampleFiles.RaceBox(rows: 20)));

        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.Equal(DeviceProfilesApi.EmptySample, await CodeOf(empty));
        Assert.Equal(HttpStatusCode.Forbidden, byTechnician.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, byRider.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    [Fact]
    public async Task ProfileWithAMount_IsStoredAndReturned_AndAHalfStatedMount_Is400()
    {
        var withMount = await SendAsync(HttpMethod.Post, "/api/device-profiles", _admin, "Admin", new { name = "pitched-suit", mount = new { roll = 0, pitch = 35, yaw = 180 } });
        var halfMount = await SendAsync(HttpMethod.Post, "/api/device-profiles", _admin, "Admin", new { name = "half", mount = new { roll = 5 } });
        var outOfRange = await SendAsync(HttpMethod.Post, "/api/device-profiles", _admin, "Admin", new { name = "wild", mount = new { roll = 0, pitch = 200, yaw = 0 } });
        var created = await withMount.Content.ReadFromJsonAsync<JsonElement>();
        var errors = (await halfMount.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");

        Assert.Equal(HttpStatusCode.Created, withMount.StatusCode);
        Assert.Equal(35, created.GetProperty("mount").GetProperty("pitch").GetDouble());
        Assert.Equal(180, created.GetProperty("mount").GetProperty("yaw").GetDouble());
        Assert.Equal(HttpStatusCode.BadRequest, halfMount.StatusCode);
        Assert.Equal(["mount.pitch", "mount.yaw"], errors.EnumerateObject().Select(e => e.Name).Order(StringComparer.Ordinal).ToArray());
        Assert.Equal(HttpStatusCode.BadRequest, outOfRange.StatusCode);
        await using var scope = _app.Services.CreateAsyncScope();
        var stored = await scope.ServiceProvider.GetRequiredService<CatalogDbContext>().Set<StoredDeviceProfile>().SingleAsync(p => p.Name == "pitched-suit");
        Assert.Contains("\"mount\":{\"roll\":0,\"pitch\":35,\"yaw\":180}", stored.ProfileJson, StringComparison.Ordinal);
    }

    private Task<HttpResponseMessage> SendSampleAsync(Guid user, string role, string csv)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/device-profiles/suggest") { Content = new StringContent(csv, System.Text.Encoding.UTF8, "text/csv") };
        request.Headers.Add("X-Test-User", user.ToString());
        request.Headers.Add("X-Test-Role", role);
        return _client.SendAsync(request);
    }

    private static async Task<string?> CodeOf(HttpResponseMessage response)
    {
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return problem.RootElement.GetProperty("code").GetString();
    }

    private sealed class HeaderAuthenticationHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            if (!Request.Headers.TryGetValue("X-Test-User", out var user))
            {
                return Task.FromResult(AuthenticateResult.NoResult());
            }

            var identity = new ClaimsIdentity(
                [new Claim(ClaimTypes.NameIdentifier, user.ToString()), new Claim(ClaimTypes.Role, Request.Headers["X-Test-Role"].ToString())], "Test");
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), "Test")));
        }
    }
}
