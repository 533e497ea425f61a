using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Portal.Core.Analytics;
using Portal.Core.Catalog;
using Portal.Core.Rides;
using Portal.Core.Storage;
using Portal.Jobs.Pipeline;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Pipeline;

/// <summary>A catalog database the pipeline tests run against: SQLite (embedded) or the real PostgreSQL.</summary>
public abstract class CatalogDatabase : IAsyncLifetime
{
    public abstract void Configure(DbContextOptionsBuilder options);

    public abstract Task InitializeAsync();

    public abstract Task DisposeAsync();

    protected async Task CreateSchemaAsync()
    {
        var options = new DbContextOptionsBuilder<CatalogDbContext>();
        Configure(options);
        await using var db = new CatalogDbContext(options.Options);
        await db.Database.EnsureCreatedAsync();
    }
}

/// <summary>An in-memory SQLite database shared by one test class, kept alive by an open connection.</summary>
public sealed class SqliteCatalogDatabase : CatalogDatabase
{
    private readonly SqliteConnection keepAlive = new($"Data Source=pipeline-{Guid.NewGuid():N};Mode=Memory;Cache=Shared");

    public override void Configure(DbContextOptionsBuilder options) => options.UseSqlite(keepAlive.ConnectionString);

    public override async Task InitializeAsync()
    {
        await keepAlive.OpenAsync();
        await CreateSchemaAsync();
    }

    public override async Task DisposeAsync() => await keepAlive.DisposeAsync();
}

/// <summary>A fresh database on the real PostgreSQL server for one test class.</summary>
public sealed class PostgresCatalogDatabase : CatalogDatabase
{
    private string connectionString = "";

    public override void Configure(DbContextOptionsBuilder options) => options.UseNpgsql(connectionString);

    public override async Task InitializeAsync()
    {
        connectionString = await TestServices.CreatePostgresDatabaseAsync("pipeline");
        await CreateSchemaAsync();
    }

    public override Task DisposeAsync() => Task.CompletedTask;
}

/// <summary>
/// The pipeline's services as the hosts register them, with a fake clock, in-memory storage, a
/// recording job scheduler and a stub analyzer. Every test uses fresh user ids, so tests of one class
/// share its database without seeing each other's rows.
/// </summary>
public sealed class PipelineHarness : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 5, 3, 9, 0, 0, TimeSpan.Zero);

    public PipelineHarness(CatalogDatabase database, Action<UploadOptions>? uploads = null, Action<RetentionOptions>? retention = null)
    {
        Storage = new InMemoryObjectStorage(Time);
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddDbContext<CatalogDbContext>(database.Configure);
        services.AddSingleton<TimeProvider>(Time);
        services.AddSingleton<IObjectStorage>(Storage);
        services.AddSingleton<IRideJobScheduler>(Scheduler);
        services.AddSingleton<IRideAnalyzer>(Analyzer);
        services.AddRideIntake();
        services.Configure<UploadOptions>(o => uploads?.Invoke(o));
        services.Configure<RetentionOptions>(o => retention?.Invoke(o));
        services.AddScoped<AnalyzeRideJob>();
        services.AddScoped<HandleCrashJob>();
        services.AddScoped<RetentionJob>();
        services.AddScoped<UploadSessionCleanupJob>();
        Services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
    }

    public FakeTimeProvider Time { get; } = new(Start);
    public InMemoryObjectStorage Storage { get; }
    public RecordingJobScheduler Scheduler { get; } = new();
    public StubRideAnalyzer Analyzer { get; } = new();
    public ServiceProvider Services { get; }

    /// <summary>Runs <paramref name="work"/> in its own scope (its own DbContext), as one request or one job does.</summary>
    public async Task<T> InScopeAsync<T>(Func<IServiceProvider, Task<T>> work)
    {
        await using var scope = Services.CreateAsyncScope();
        return await work(scope.ServiceProvider);
    }

    public Task InScopeAsync(Func<IServiceProvider, Task> work) => InScopeAsync(async s =>
    {
        await work(s);
        return true;
    });

    public Task<T> WithDbAsync<T>(Func<CatalogDbContext, Task<T>> work) =>
        InScopeAsync(s => work(s.GetRequiredService<CatalogDbContext>()));

    public Task<RideIntakeResult> UploadAsync(Guid ownerId, byte[] content, string fileName = "ride.csv", Guid? uploaderId = null) =>
        InScopeAsync(s => s.GetRequiredService<RideIntake>().IngestAsync(
            new RideUpload(ownerId, uploaderId ?? ownerId, RideSource.Web, fileName), new MemoryStream(content), CancellationToken.None));

    public Task<Ride> RideAsync(Guid rideId) => WithDbAsync(db => db.Rides.AsNoTracking().SingleAsync(r => r.Id == rideId));

    public Task AddRiderAsync(Guid userId, RiderCategory category, Guid? technicianId = null, bool approved = false) =>
        WithDbAsync(async db =>
        {
            db.Riders.Add(new RiderProfile
            {
                UserId = userId,
                Email = $"{userId:N}@riders.test",
                DisplayName = $"Rider {userId.ToString()[..4]}",
                Category = category,
                TechnicianId = technicianId,
                TeamMembershipApproved = approved,
            });
            return await db.SaveChangesAsync();
        });

    public Task RunAnalysisAsync(Guid rideId) =>
        InScopeAsync(s => s.GetRequiredService<AnalyzeRideJob>().RunAsync(rideId, null, CancellationToken.None));

    public Task RunCrashHandlingAsync(Guid rideId) =>
        InScopeAsync(s => s.GetRequiredService<HandleCrashJob>().RunAsync(rideId, CancellationToken.None));

    public ValueTask DisposeAsync() => Services.DisposeAsync();

    public static byte[] SampleCsv(int rows = 200, int seed = 1)
    {
        var random = new Random(seed);
        var text = new System.Text.StringBuilder("timestamp,ax,ay,az,gx,gy,gz,speed\n");
        for (var i = 0; i < rows; i++)
        {
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"{i * 0.01:0.00},{random.NextDouble():0.000},{random.NextDouble():0.000},9.81,0.1,0.2,0.3,{40 + random.Next(20)}\n");
        }

        return System.Text.Encoding.UTF8.GetBytes(text.ToString());
    }
}
