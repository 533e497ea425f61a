using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Catalog;
using Portal.Core.Devices;
using Portal.Core.Rides;
using Portal.Core.Storage;
using Portal.Identity;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Security;

/// <summary>Who calls: a demo account (or nobody) and the role it has.</summary>
public sealed record Caller(string Name, string? Email, string? Role)
{
    public bool IsAnonymous => Email is null;

    public override string ToString() => Name;
}

/// <summary>
/// One portal (SQLite, local disk storage, small upload limits) with two riders and the demo staff:
/// rider A (professional, in the technician's team) and rider B (private, in nobody's team), and
/// rides, crashes, notifications owned by each, seeded through the real API and services.
/// </summary>
public sealed class SecurityPortal : IAsyncLifetime
{
    public const long MaxFileBytes = 64 * 1024;
    public const long MaxPartBytes = 16 * 1024;

    public static readonly Caller Anonymous = new("anonymous", null, null);
    public static readonly Caller RiderA = new("riderA", DemoAccounts.ProEmail, PortalRoles.Rider);
    public static readonly Caller RiderB = new("riderB", DemoAccounts.RiderEmail, PortalRoles.Rider);
    public static readonly Caller Technician = new("technician", DemoAccounts.TechnicianEmail, PortalRoles.Technician);
    public static readonly Caller RnD = new("rnd", DemoAccounts.RnDEmail, PortalRoles.RnD);
    public static readonly Caller Admin = new("admin", DemoAccounts.AdminEmail, PortalRoles.Admin);

    public static readonly IReadOnlyList<Caller> SignedIn = [RiderA, RiderB, Technician, RnD, Admin];
    public static readonly IReadOnlyList<Caller> Everyone = [Anonymous, RiderA, RiderB, Technician, RnD, Admin];

    private readonly Dictionary<string, HttpClient> bearerClients = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Guid> userIds = new(StringComparer.Ordinal);
    private int uniqueCounter;

    public PortalFactory Factory { get; } = new PortalFactory()
        .WithSetting("Uploads:MaxFileBytes", MaxFileBytes.ToString(System.Globalization.CultureInfo.InvariantCulture))
        .WithSetting("Uploads:MaxPartBytes", MaxPartBytes.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>A's and B's seeded objects, and the markers (file names) that must never show to the wrong person.</summary>
    public OwnedObjects A { get; private set; } = null!;
    public OwnedObjects B { get; private set; } = null!;

    /// <summary>A notification for the Admin role (not for a person).</summary>
    public Guid AdminRoleNotificationId { get; private set; }

    public async Task InitializeAsync()
    {
        using var warmUp = Factory.CreateClient();
        await using (var scope = Factory.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
            foreach (var caller in SignedIn)
            {
                userIds[caller.Name] = (await users.FindByEmailAsync(caller.Email!))!.Id;
            }
        }

        foreach (var caller in SignedIn)
        {
            bearerClients[caller.Name] = await Factory.CreateBearerClientAsync(caller.Email!);
        }

        A = await SeedAsync(RiderA);
        B = await SeedAsync(RiderB);
        await using var notifyScope = Factory.Services.CreateAsyncScope();
        var sink = notifyScope.ServiceProvider.GetRequiredService<INotificationSink>();
        await sink.NotifyRoleAsync(PortalRoles.Admin, new NotificationMessage(NotificationKind.RideFailed, "for admins", "role notification", null), CancellationToken.None);
        var catalog = notifyScope.ServiceProvider.GetRequiredService<CatalogDbContext>();
        AdminRoleNotificationId = await catalog.Set<Notification>().Where(n => n.Role == PortalRoles.Admin).Select(n => n.Id).FirstAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var client in bearerClients.Values)
        {
            client.Dispose();
        }

        await Factory.DisposeAsync();
    }

    public Guid UserId(Caller caller) => userIds[caller.Name];

    /// <summary>Gives the caller's shared bearer client a fresh token (after a call that renewed the account's security stamp).</summary>
    public async Task RenewBearerAsync(Caller caller) =>
        bearerClients[caller.Name].DefaultRequestHeaders.Authorization =
            new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", await Factory.GetTokenAsync(caller.Email!));

    /// <summary>A client carrying the caller's bearer token (none for anonymous). Do not dispose shared ones.</summary>
    public HttpClient Api(Caller caller) => caller.IsAnonymous ? Factory.CreateClient() : bearerClients[caller.Name];

    public string UniqueCsv(string what) =>
        $"time_s,lat,lon,speed_kmh\n0.0,45.0,9.0,{Interlocked.Increment(ref uniqueCounter)}\n# {what} {Guid.NewGuid():N}\n";

    /// <summary>Uploads a small ride file as <paramref name="caller"/> for <paramref name="owner"/>.</summary>
    public async Task<JsonElement> UploadRideAsync(Caller caller, Caller owner, string fileName)
    {
        using var content = new StringContent(UniqueCsv(fileName), Encoding.UTF8, "text/csv");
        using var response = await Api(caller).PostAsync($"/api/rides?fileName={Uri.EscapeDataString(fileName)}&riderId={UserId(owner)}", content);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("ride");
    }

    /// <summary>
    /// Waits until the owner's ride has left the analysis queue (analysed or failed): a ride being analysed
    /// cannot be changed (409), and the matrix checks who may change a ride, not when.
    /// </summary>
    public async Task WaitUntilSettledAsync(Caller owner, string rideId)
    {
        var deadline = TimeProvider.System.GetUtcNow().AddSeconds(60);
        while (true)
        {
            var ride = await Api(owner).GetFromJsonAsync<JsonElement>($"/api/rides/{rideId}");
            var status = ride.GetProperty("status").GetString();
            if (status is not ("Queued" or "Processing"))
            {
                return;
            }

            Assert.True(TimeProvider.System.GetUtcNow() < deadline, $"Ride {rideId} was still {status} after 60 s.");
            await Task.Delay(100);
        }
    }

    /// <summary>A fresh resumable upload session created by <paramref name="caller"/> for themselves.</summary>
    public async Task<Guid> CreateUploadSessionAsync(Caller caller)
    {
        using var response = await Api(caller).PostAsJsonAsync("/api/uploads", new { fileName = "session.csv" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    /// <summary>A fresh device of <paramref name="owner"/>, registered through the device registry.</summary>
    public async Task<string> RegisterDeviceAsync(Caller owner)
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        var registry = scope.ServiceProvider.GetService<DeviceRegistry>() ?? ActivatorUtilities.CreateInstance<DeviceRegistry>(scope.ServiceProvider);
        var registered = await registry.RegisterAsync(new DeviceRegistration($"suit of {owner.Name}", UserId(owner)), CancellationToken.None);
        return registered.Device.Id;
    }

    private async Task<OwnedObjects> SeedAsync(Caller owner)
    {
        var marker = $"secret-{owner.Name}-{Guid.NewGuid():N}.csv";
        var ride = await UploadRideAsync(owner, owner, marker);
        var rideId = ride.GetProperty("id").GetGuid();

        await using var scope = Factory.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var catalog = services.GetRequiredService<CatalogDbContext>();
        var storage = services.GetRequiredService<IObjectStorage>();
        var rawKey = await catalog.Rides.Where(r => r.Id == rideId).Select(r => r.RawKey).SingleAsync();

        // A crash as the analysis records it: the catalog row and its two objects in the crash bucket.
        var crash = new CrashRecord
        {
            Id = Guid.CreateVersion7(),
            RideId = rideId,
            RiderId = UserId(owner),
            DetectedAt = DateTimeOffset.UnixEpoch.AddYears(56),
            CrashTimeS = 1,
            Kind = "lowside",
            PeakG = 9,
            PeakRateDps = 300,
            SpeedBeforeKmh = 60,
            Explanation = $"seeded for {owner.Name}",
            RawCopyKey = PipelineKeys.CrashRaw(rideId, rawKey),
            WindowKey = PipelineKeys.CrashWindow(rideId),
        };
        foreach (var key in new[] { crash.RawCopyKey, crash.WindowKey })
        {
            using var bytes = new MemoryStream(Encoding.UTF8.GetBytes(UniqueCsv("crash")));
            await storage.PutAsync(BucketKind.Crash, key, bytes, "text/csv", CancellationToken.None);
        }

        catalog.Set<CrashRecord>().Add(crash);
        await catalog.SaveChangesAsync();

        var sink = services.GetRequiredService<INotificationSink>();
        await sink.NotifyUserAsync(UserId(owner), new NotificationMessage(NotificationKind.RideAnalyzed, marker, "personal", null), CancellationToken.None);
        var notificationId = await catalog.Set<Notification>().Where(n => n.UserId == UserId(owner)).Select(n => n.Id).FirstAsync();
        return new OwnedObjects(owner, UserId(owner), rideId, crash.Id, notificationId, marker);
    }
}

public sealed record OwnedObjects(Caller Owner, Guid OwnerId, Guid RideId, Guid CrashId, Guid NotificationId, string Marker);
