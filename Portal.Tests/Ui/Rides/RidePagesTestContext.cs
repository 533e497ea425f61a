using System.Security.Claims;
using System.Text.Json;
using Bunit;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using MudBlazor;
using MudBlazor.Services;
using Portal.Core.Analytics;
using Portal.Core.Analytics.Metrics;
using Portal.Core.Catalog;
using Portal.Core.Rides;
using Portal.Core.Storage;
using Portal.Identity;
using Portal.Jobs.Pipeline;
using Portal.Tests.Pipeline;

namespace Portal.Tests.Ui.Rides;

/// <summary>
/// A bUnit context for the rider pages: the catalog on an in-memory SQLite database (the embedded provider, with its
/// date conversions), in-memory object storage, a fake clock, a recording job scheduler and a signed-in user.
/// </summary>
public abstract class RidePagesTestContext : BunitContext, IAsyncLifetime
{
    public static readonly DateTimeOffset Start = new(2026, 5, 13, 9, 0, 0, TimeSpan.Zero);

    private readonly SqliteConnection keepAlive = new($"Data Source=ride-pages-{Guid.NewGuid():N};Mode=Memory;Cache=Shared");
    private readonly DbContextOptions<SqliteCatalogDbContext> options;

    protected RidePagesTestContext()
    {
        options = new DbContextOptionsBuilder<SqliteCatalogDbContext>().UseSqlite(keepAlive.ConnectionString).Options;
        Storage = new InMemoryObjectStorage(Time);
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
        // [SupplyParameterFromQuery] values come from the fake NavigationManager and follow its navigations, as under the router.
        Microsoft.AspNetCore.Components.SupplyParameterFromQueryProviderServiceCollectionExtensions.AddSupplyValueFromQueryProvider(Services);
        Clock = new CountingTimeProvider(Time);
        Services.AddSingleton<TimeProvider>(Clock);
        Services.AddSingleton<IObjectStorage>(Storage);
        Services.AddSingleton<IRideJobScheduler>(Scheduler);
        Services.AddSingleton<IDbContextFactory<CatalogDbContext>>(new Factory(options));
        Services.AddScoped<CatalogDbContext>(_ => new SqliteCatalogDbContext(options));
        Services.AddScoped<RideEditing>();
        Services.AddScoped<HomeOverview>();
        Services.AddScoped<Portal.Components.Shared.Time.BrowserTimeZone>();
    }

    public FakeTimeProvider Time { get; } = new(Start);

    /// <summary>What the pages get as their clock: <see cref="Time"/>, counting live timers.</summary>
    public CountingTimeProvider Clock { get; }

    public InMemoryObjectStorage Storage { get; }

    public RecordingJobScheduler Scheduler { get; } = new();

    public Guid RiderId { get; } = Guid.NewGuid();

    public async Task InitializeAsync()
    {
        await keepAlive.OpenAsync();
        await using var db = new SqliteCatalogDbContext(options);
        await db.Database.EnsureCreatedAsync();
        db.Riders.Add(new RiderProfile { UserId = RiderId, Email = "rider@test", DisplayName = "Rider", Category = RiderCategory.Private });
        await db.SaveChangesAsync();
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await base.DisposeAsync();
        await keepAlive.DisposeAsync();
    }

    /// <summary>Signs in <paramref name="userId"/> (the rider by default) with <paramref name="roles"/>.</summary>
    protected void SignIn(Guid? userId = null, params string[] roles)
    {
        var authorization = AddAuthorization();
        authorization.SetAuthorized("user@test");
        authorization.SetRoles(roles.Length == 0 ? [PortalRoles.Rider] : roles);
        authorization.SetClaims(new Claim(ClaimTypes.NameIdentifier, (userId ?? RiderId).ToString()));
        // As on a live circuit: the pages run interactively (the home page records a visit only then).
        Renderer.SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Server", isInteractive: true));
    }

    /// <summary>MudSelect and friends need a popover provider on the page.</summary>
    protected void RenderPopoverProvider() => Render<MudPopoverProvider>();

    protected CatalogDbContext OpenCatalog() => new SqliteCatalogDbContext(options);

    protected async Task<Ride> AddRideAsync(Action<Ride>? configure = null)
    {
        var ride = new Ride
        {
            Id = Guid.CreateVersion7(),
            OwnerId = RiderId,
            UploaderId = RiderId,
            Source = RideSource.Web,
            FileName = "morning.csv",
            SizeBytes = 2048,
            Sha256 = Guid.NewGuid().ToString("N"),
            UploadedAt = Time.GetUtcNow().AddHours(-1),
            Status = RideStatus.Queued,
            RawRetainUntil = Time.GetUtcNow().AddDays(14),
        };
        ride.RawKey = PipelineKeys.RawRide(ride.OwnerId, ride.Id, compressed: false);
        configure?.Invoke(ride);
        if (ride.StartedAt == default)
        {
            ride.StartedAt = ride.UploadedAt;
        }

        await using var db = OpenCatalog();
        db.Rides.Add(ride);
        await db.SaveChangesAsync();
        return ride;
    }

    /// <summary>Marks the ride analysed with <paramref name="metrics"/>, as the analysis job stores them.</summary>
    protected static void Analysed(Ride ride, RideMetrics metrics)
    {
        ride.Status = RideStatus.Analyzed;
        ride.ProgressPercent = 100;
        ride.AnalysisVersion = AnalysisVersion.Current;
        ride.AnalyzedAt = ride.UploadedAt.AddMinutes(1);
        ride.MetricsJson = JsonSerializer.Serialize(metrics);
        ride.DistanceKm = metrics.DistanceKm;
        ride.DurationS = metrics.DurationS;
        ride.MaxSpeedKmh = metrics.MaxSpeedKmh;
        ride.MaxDecelMs2 = metrics.MaxDecelMs2;
        ride.RowsSkipped = metrics.RowsSkipped;
        ride.CrashDetected = metrics.CrashDetected;
        ride.CrashTimeS = metrics.CrashTimeS;
    }

    protected async Task PutTracesAsync(Guid rideId, RideTraces traces) =>
        await Storage.PutAsync(BucketKind.Analytics, PipelineKeys.Traces(rideId),
            new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(traces, PipelineJson.Options)), "application/json", CancellationToken.None);

    /// <summary>Opens <paramref name="relativeUri"/> (with its query string) before a page is rendered.</summary>
    protected void NavigateTo(string relativeUri) =>
        Services.GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>().NavigateTo(relativeUri);

    protected string CurrentUri => Services.GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>().Uri;

    /// <summary>Traces with every channel the ride charts draw: a 60 s ride in a circle with one left turn.</summary>
    protected static RideTraces FullTraces()
    {
        var t = Enumerable.Range(0, 61).Select(i => (double)i).ToArray();
        double[] Of(Func<double, double> f) => t.Select(f).ToArray();
        return new RideTraces(
        [
            new Trace(TraceNames.Speed, "km/h", t, Of(s => 40 + (10 * Math.Sin(s / 10)))),
            new Trace(TraceNames.LongitudinalAcceleration, "m/s²", t, Of(s => Math.Cos(s / 10))),
            new Trace(TraceNames.LateralAcceleration, "m/s²", t, Of(s => 2 * Math.Sin(s / 7))),
            new Trace(TraceNames.Lean, "°", t, Of(s => 20 * Math.Sin(s / 7))),
            new Trace(TraceNames.Latitude, "°", t, Of(s => 48.1 + (0.001 * Math.Sin(s / 10)))),
            new Trace(TraceNames.Longitude, "°", t, Of(s => 11.5 + (0.001 * Math.Cos(s / 10)))),
        ],
        [new TurnMark(10, 20, "left", 90)]);
    }

    protected static RideMetrics CompleteMetrics() => new()
    {
        DurationS = 3600,
        Samples = 360_000,
        SampleRateHz = 100,
        DistanceKm = 42.5,
        MaxSpeedKmh = 118,
        AvgSpeedKmh = 51.2,
        MovingTimeS = 3000,
        MaxAccelMs2 = 4.2,
        MaxDecelMs2 = 7.9,
        MaxLeanLeftDeg = 38,
        MaxLeanRightDeg = 41,
        LeftTurns = 12,
        RightTurns = 9,
        RowsSkipped = 3,
    };

    private sealed class Factory(DbContextOptions<SqliteCatalogDbContext> options) : IDbContextFactory<CatalogDbContext>
    {
        public CatalogDbContext CreateDbContext() => new SqliteCatalogDbContext(options);
    }
}
