using System.Security.Claims;
using Bunit;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using MudBlazor;
using MudBlazor.Services;
using Portal.Core.Catalog;
using Portal.Core.Storage;
using Portal.Identity;
using Portal.Tests.Pipeline;

namespace Portal.Tests.Ui.Ops;

/// <summary>
/// bUnit with MudBlazor, a signed-in R&amp;D user, the catalog on an in-memory SQLite database (the same
/// SqliteCatalogDbContext the embedded portal uses) and in-memory object storage.
/// </summary>
public abstract class OpsUiTestContext : BunitContext, IAsyncLifetime
{
    public static readonly DateTimeOffset Now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly SqliteConnection keepAlive = new($"Data Source=ops-ui-{Guid.NewGuid():N};Mode=Memory;Cache=Shared");

    protected OpsUiTestContext()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
        Services.AddScoped<Portal.Components.Shared.Time.BrowserTimeZone>();
        Services.AddScoped<Portal.Core.Rides.HomeOverview>();
        Storage = new InMemoryObjectStorage(Time);
        Services.AddSingleton<TimeProvider>(Time);
        Services.AddSingleton<IObjectStorage>(Storage);
        Services.AddSingleton<IDbContextFactory<CatalogDbContext>>(new SqliteCatalogFactory(keepAlive.ConnectionString));
        var auth = AddAuthorization();
        auth.SetAuthorized("rnd@test.local");
        auth.SetRoles(PortalRoles.RnD);
        auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, UserId.ToString()));
    }

    protected Guid UserId { get; } = Guid.NewGuid();

    protected FakeTimeProvider Time { get; } = new(Now);

    protected InMemoryObjectStorage Storage { get; }

    public async Task InitializeAsync()
    {
        await keepAlive.OpenAsync();
        await using var db = NewDb();
        await db.Database.EnsureCreatedAsync();
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        await keepAlive.DisposeAsync();
    }

    protected CatalogDbContext NewDb() => new SqliteCatalogFactory(keepAlive.ConnectionString).CreateDbContext();

    /// <summary>MudSelect and friends need a popover provider on the page.</summary>
    protected void RenderPopoverProvider() => Render<MudPopoverProvider>();

    /// <summary>A rider, their ride and the crash the pipeline filed for it.</summary>
    protected async Task<CrashRecord> AddCrashAsync(DateTimeOffset detectedAt, string explanation, RiderCategory category = RiderCategory.Private, string kind = "highside")
    {
        var riderId = Guid.NewGuid();
        var rideId = Guid.CreateVersion7(detectedAt);
        var crash = new CrashRecord
        {
            Id = Guid.CreateVersion7(detectedAt),
            RideId = rideId,
            RiderId = riderId,
            DetectedAt = detectedAt,
            CrashTimeS = 187.1,
            Kind = kind,
            PeakG = 6.4,
            PeakRateDps = 420,
            SpeedBeforeKmh = 96,
            Latitude = 43.61,
            Longitude = 11.33,
            Explanation = explanation,
            RawCopyKey = $"{rideId:D}/{rideId:D}.csv",
            WindowKey = $"{rideId:D}/window.csv",
        };
        await using var db = NewDb();
        db.Riders.Add(new RiderProfile { UserId = riderId, Email = $"{riderId:N}@test.local", DisplayName = $"Rider {riderId.ToString()[..4]}", Category = category });
        db.Rides.Add(new Ride
        {
            Id = rideId,
            OwnerId = riderId,
            UploaderId = riderId,
            FileName = $"ride-{detectedAt:yyyyMMdd-HHmm}.csv",
            DeviceId = "suit-7",
            RawKey = $"{riderId:D}/{rideId:D}.csv",
            UploadedAt = detectedAt.AddMinutes(-5),
            StartedAt = detectedAt.AddMinutes(-5),
            Status = RideStatus.Analyzed,
            AnalyzedAt = detectedAt,
            CrashDetected = true,
            CrashTimeS = 187.1,
        });
        db.Set<CrashRecord>().Add(crash);
        await db.SaveChangesAsync();
        return crash;
    }

    private sealed class SqliteCatalogFactory(string connectionString) : IDbContextFactory<CatalogDbContext>
    {
        public CatalogDbContext CreateDbContext() =>
            new SqliteCatalogDbContext(new DbContextOptionsBuilder<SqliteCatalogDbContext>().UseSqlite(connectionString).Options);
    }
}
