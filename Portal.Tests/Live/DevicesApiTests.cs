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

namespace Portal.Tests.Live;

/// <summary>/api/devices over HTTP (TestServer) with a header-driven test identity and a SQLite catalog.</summary>
[Trait("Category", "Live")]
public sealed class DevicesApiTests : IAsyncLifetime
{
    private readonly Guid _technician = Guid.NewGuid();
    private readonly Guid _otherTechnician = Guid.NewGuid();
    private readonly Guid _teamRider = Guid.NewGuid();
    private readonly Guid _pendingRider = Guid.NewGuid();
    private readonly Guid _admin = Guid.NewGuid();
    private WebApplication _app = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        var databasePath = Path.Combine(LiveTestHost.NewDirectory(), "catalog.db");
        builder.Services.AddDbContext<CatalogDbContext>(o => o.UseSqlite($"Data Source={databasePath}"));
        builder.Services.AddDeviceRegistry();
        builder.Services.AddAuthentication("Test").AddScheme<AuthenticationSchemeOptions, HeaderAuthenticationHandler>("Test", null);
        builder.Services.AddAuthorization();
        builder.Services.AddProblemDetails();
        _app = builder.Build();
        _app.UseAuthentication();
        _app.UseAuthorization();
        _app.MapDevicesApi();
        await using (var scope = _app.Services.CreateAsyncScope())
        {
            var catalog = scope.ServiceProvider.GetRequiredService<CatalogDbContext>();
            await catalog.Database.EnsureCreatedAsync();
            catalog.Riders.AddRange(
                new RiderProfile { UserId = _teamRider, Email = "team@example.test", TechnicianId = _technician, TeamMembershipApproved = true },
                new RiderProfile { UserId = _pendingRider, Email = "pending@example.test", TechnicianId = _technician, TeamMembershipApproved = false });
            // Registration refuses unknown profile names; the devices here are bound to this one.
            catalog.Set<StoredDeviceProfile>().Add(new StoredDeviceProfile { Id = Guid.NewGuid(), Name = "default", ProfileJson = """{"name":"default"}""" });
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

    private HttpRequestMessage Request(HttpMethod method, string url, Guid user, string role, object? body = null)
    {
        var request = new HttpRequestMessage(method, url);
        request.Headers.Add("X-Test-User", user.ToString());
        request.Headers.Add("X-Test-Role", role);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        return request;
    }

    private async Task<DeviceSecretResponse> RegisterAsync(Guid caller, string role, Guid riderId)
    {
        var response = await _client.SendAsync(Request(HttpMethod.Post, "/api/devices", caller, role, new { name = "Suit", riderId, profile = "default" }));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<DeviceSecretResponse>())!;
    }

    [Fact]
    public async Task TechnicianRegistersADeviceForAnApprovedTeamRider_AndGetsTheSecretOnlyThisOnce()
    {
        var created = await RegisterAsync(_technician, "Technician", _teamRider);

        var list = await _client.SendAsync(Request(HttpMethod.Get, "/api/devices", _technician, "Technician"));
        var listed = (await list.Content.ReadAsStringAsync());

        Assert.Matches("^dev-", created.Id);
        Assert.False(string.IsNullOrEmpty(created.Secret));
        Assert.Contains(created.Id, listed, StringComparison.Ordinal);
        Assert.DoesNotContain(created.Secret, listed, StringComparison.Ordinal);
        Assert.DoesNotContain("secretHash", listed, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Technician_CannotRegisterForARiderOutsideTheApprovedTeam()
    {
        var pending = await _client.SendAsync(Request(HttpMethod.Post, "/api/devices", _technician, "Technician", new { name = "Suit", riderId = _pendingRider }));
        var foreign = await _client.SendAsync(Request(HttpMethod.Post, "/api/devices", _otherTechnician, "Technician", new { name = "Suit", riderId = _teamRider }));
        var rider = await _client.SendAsync(Request(HttpMethod.Post, "/api/devices", _teamRider, "Rider", new { name = "Suit", riderId = _teamRider }));

        Assert.Equal(HttpStatusCode.Forbidden, pending.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, foreign.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, rider.StatusCode);
        Assert.Equal("not_your_rider", await CodeOf(pending));
    }

    [Fact]
    public async Task Admin_GetsAClearProblem_ForAMissingNameOrUnknownRider()
    {
        var noName = await _client.SendAsync(Request(HttpMethod.Post, "/api/devices", _admin, "Admin", new { name = " ", riderId = _teamRider }));
        var noRider = await _client.SendAsync(Request(HttpMethod.Post, "/api/devices", _admin, "Admin", new { name = "Suit", riderId = Guid.NewGuid() }));

        Assert.Equal(HttpStatusCode.BadRequest, noName.StatusCode);
        Assert.Equal("name_required", await CodeOf(noName));
        Assert.Equal(HttpStatusCode.BadRequest, noRider.StatusCode);
        Assert.Equal("rider_not_found", await CodeOf(noRider));
    }

    [Fact]
    public async Task ListDevices_ShowsEachRoleItsOwnScope()
    {
        var teamDevice = await RegisterAsync(_admin, "Admin", _teamRider);
        var pendingDevice = await RegisterAsync(_admin, "Admin", _pendingRider);

        async Task<string[]> Ids(Guid user, string role)
        {
            var response = await _client.SendAsync(Request(HttpMethod.Get, "/api/devices", user, role));
            var devices = await response.Content.ReadFromJsonAsync<DeviceResponse[]>();
            return [.. devices!.Select(d => d.Id).Order()];
        }

        Assert.Equal(new[] { teamDevice.Id, pendingDevice.Id }.Order(), await Ids(_admin, "Admin"));
        Assert.Equal([teamDevice.Id], await Ids(_technician, "Technician"));
        Assert.Equal([pendingDevice.Id], await Ids(_pendingRider, "Rider"));
        Assert.Empty(await Ids(_otherTechnician, "Technician"));
    }

    [Fact]
    public async Task RotateSecret_ReturnsANewSecret_AndTheOldOneStopsWorking_DisableRefusesTheDevice()
    {
        var created = await RegisterAsync(_technician, "Technician", _teamRider);

        var rotate = await _client.SendAsync(Request(HttpMethod.Post, $"/api/devices/{created.Id}/secret", _technician, "Technician"));
        var rotated = await rotate.Content.ReadFromJsonAsync<DeviceSecretResponse>();
        var foreignRotate = await _client.SendAsync(Request(HttpMethod.Post, $"/api/devices/{created.Id}/secret", _otherTechnician, "Technician"));
        var missing = await _client.SendAsync(Request(HttpMethod.Post, "/api/devices/dev-missing0/secret", _admin, "Admin"));
        var disable = await _client.SendAsync(Request(HttpMethod.Post, $"/api/devices/{created.Id}/disable", _admin, "Admin"));

        Assert.Equal(HttpStatusCode.OK, rotate.StatusCode);
        Assert.NotEqual(created.Secret, rotated!.Secret);
        Assert.Equal(HttpStatusCode.Forbidden, foreignRotate.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("device_not_found", await CodeOf(missing));
        Assert.Equal(HttpStatusCode.NoContent, disable.StatusCode);
        await using var scope = _app.Services.CreateAsyncScope();
        var registry = scope.ServiceProvider.GetRequiredService<DeviceRegistry>();
        Assert.Equal(DeviceAuthenticationOutcome.WrongSecret, (await registry.AuthenticateAsync(created.Id, created.Secret, CancellationToken.None)).Outcome);
        Assert.Equal(DeviceAuthenticationOutcome.Disabled, (await registry.AuthenticateAsync(created.Id, rotated.Secret, CancellationToken.None)).Outcome);
    }

    [Fact]
    public async Task AnonymousCaller_IsRejected()
    {
        var response = await _client.GetAsync(new Uri("/api/devices", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
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
