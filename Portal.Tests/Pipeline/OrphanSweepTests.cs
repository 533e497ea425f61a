using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Portal.Core.Catalog;
using Portal.Core.Rides;
using Portal.Core.Storage;
using Portal.Jobs.Pipeline;
using Portal.Tests.Storage;

namespace Portal.Tests.Pipeline;

/// <summary>
/// The orphan sweep on the real PostgreSQL catalog and real object storage (encrypted local disk, the S3 emulator
/// through the Minio SDK), whose own object dates it compares with a fake clock. Every test gets fresh buckets,
/// so a sweep sees only that test's objects; the catalog database is shared by the class.
/// </summary>
[Trait("Category", "Pipeline")]
public abstract class OrphanSweepTests(PostgresCatalogDatabase database) : IAsyncLifetime
{
    private const int GraceMinutes = 60;
    private static readonly TimeSpan Grace = TimeSpan.FromMinutes(GraceMinutes);
    private readonly Guid rider = Guid.NewGuid();

    // Well before any object the test stores, so the clock can be set forward relative to the storage's dates.
    private readonly FakeTimeProvider time = new(DateTimeOffset.UtcNow.AddDays(-2));
    private ServiceProvider services = null!;
    private IObjectStorage storage = null!;

    protected abstract Task<IObjectStorage> CreateStorageAsync();

    protected abstract Task DeleteStorageAsync();

    public async Task InitializeAsync()
    {
        storage = await CreateStorageAsync();
        var collection = new ServiceCollection();
        collection.AddLogging();
        collection.AddDbContext<CatalogDbContext>(database.Configure);
        collection.AddSingleton<TimeProvider>(time);
        collection.AddSingleton(storage);
        collection.AddSingleton<IRideJobScheduler>(new RecordingJobScheduler());
        collection.AddRideIntake();
        collection.Configure<UploadOptions>(o => o.OrphanGraceMinutes = GraceMinutes);
        collection.AddScoped<OrphanRawSweepJob>();
        services = collection.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
    }

    public async Task DisposeAsync()
    {
        await services.DisposeAsync();
        await DeleteStorageAsync();
    }

    private async Task<T> InScopeAsync<T>(Func<IServiceProvider, Task<T>> work)
    {
        await using var scope = services.CreateAsyncScope();
        return await work(scope.ServiceProvider);
    }

    private Task<OrphanSweepResult> SweepAsync(int batchSize = OrphanRawSweepJob.DefaultBatchSize) =>
        InScopeAsync(s => s.GetRequiredService<OrphanRawSweepJob>().SweepAsync(batchSize, CancellationToken.None));

    private Task<Ride> UploadAsync(int seed) =>
        InScopeAsync(async s => (await s.GetRequiredService<RideIntake>().IngestAsync(
            new RideUpload(rider, rider, RideSource.Web, $"ride-{seed}.csv"), new MemoryStream(PipelineHarness.SampleCsv(seed: seed)), CancellationToken.None)).Ride);

    /// <summary>What a process killed between storing an upload and writing its catalog row leaves behind.</summary>
    private async Task<string> OrphanAsync(int seed)
    {
        var key = PipelineKeys.RawRide(rider, Guid.CreateVersion7(), compressed: false);
        await storage.PutAsync(BucketKind.Raw, key, new MemoryStream(PipelineHarness.SampleCsv(seed: seed)), "text/csv", CancellationToken.None);
        return key;
    }

    private async Task PutAsync(BucketKind bucket, string key) =>
        await storage.PutAsync(bucket, key, StorageTestSupport.Text("not a ride"), "text/plain", CancellationToken.None);

    private async Task<bool> ExistsAsync(BucketKind bucket, string key) =>
        await storage.GetInfoAsync(bucket, key, CancellationToken.None) is not null;

    /// <summary>Sets the clock <paramref name="offset"/> past the grace period of the newest of the objects, by the storage's own dates.</summary>
    private async Task SetClockRelativeToGraceAsync(TimeSpan offset, params (BucketKind Bucket, string Key)[] objects)
    {
        var newest = DateTimeOffset.MinValue;
        foreach (var (bucket, key) in objects)
        {
            var info = await storage.GetInfoAsync(bucket, key, CancellationToken.None);
            Assert.NotNull(info);
            newest = info.LastModified > newest ? info.LastModified : newest;
        }

        time.SetUtcNow(newest + Grace + offset);
    }

    private Task ClockPastGraceAsync(params string[] rawKeys) =>
        SetClockRelativeToGraceAsync(TimeSpan.FromMinutes(1), rawKeys.Select(k => (BucketKind.Raw, k)).ToArray());

    [Fact]
    public async Task OrphanRawObject_OlderThanTheGracePeriod_IsDeleted()
    {
        var orphan = await OrphanAsync(seed: 1);
        await ClockPastGraceAsync(orphan);

        var result = await SweepAsync();

        Assert.False(await ExistsAsync(BucketKind.Raw, orphan));
        Assert.Equal(1, result.Deleted);
    }

    [Fact]
    public async Task OrphanRawObject_YoungerThanTheGracePeriod_IsKept_AsItMayBeAnUploadInProgress()
    {
        var orphan = await OrphanAsync(seed: 2);
        await SetClockRelativeToGraceAsync(-TimeSpan.FromMinutes(1), (BucketKind.Raw, orphan));

        var result = await SweepAsync();

        Assert.True(await ExistsAsync(BucketKind.Raw, orphan));
        Assert.Equal(0, result.Deleted);
        Assert.Equal(1, result.TooYoung);
    }

    [Fact]
    public async Task RawObjectOfACatalogRide_IsKept_HoweverOld()
    {
        var ride = await UploadAsync(seed: 3);
        var orphan = await OrphanAsync(seed: 4);
        await ClockPastGraceAsync(ride.RawKey, orphan);
        time.Advance(TimeSpan.FromDays(365));

        var result = await SweepAsync();

        Assert.True(await ExistsAsync(BucketKind.Raw, ride.RawKey));
        Assert.False(await ExistsAsync(BucketKind.Raw, orphan));
        Assert.Equal((1, 1), (result.Referenced, result.Deleted));
    }

    [Fact]
    public async Task RawObjectOfARideRowWhoseIdDiffersFromTheKey_IsKept()
    {
        var named = await OrphanAsync(seed: 6);
        await InScopeAsync(async s =>
        {
            var db = s.GetRequiredService<CatalogDbContext>();
            db.Rides.Add(new Ride
            {
                Id = Guid.CreateVersion7(),
                OwnerId = rider,
                UploaderId = rider,
                FileName = "imported.csv",
                Sha256 = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()),
                RawKey = named,
                UploadedAt = time.GetUtcNow(),
                Status = RideStatus.Queued,
            });
            return await db.SaveChangesAsync();
        });
        await ClockPastGraceAsync(named);

        var result = await SweepAsync();

        Assert.True(await ExistsAsync(BucketKind.Raw, named));
        Assert.Equal((1, 0), (result.Referenced, result.Deleted));
    }

    [Fact]
    public async Task CrashAndAnalyticsObjects_AndRawKeysOutsideThePipelinesLayout_AreNeverTouched()
    {
        // Keys shaped like raw ride files, in the buckets the sweep must not list.
        var crashCopy = PipelineKeys.RawRide(rider, Guid.CreateVersion7(), compressed: false);
        var analytics = PipelineKeys.RawRide(rider, Guid.CreateVersion7(), compressed: true);
        await PutAsync(BucketKind.Crash, crashCopy);
        await PutAsync(BucketKind.Analytics, analytics);
        await PutAsync(BucketKind.Analytics, PipelineKeys.MetricsJson(Guid.CreateVersion7()));
        const string foreign = "exports/rides-2026.csv";
        await PutAsync(BucketKind.Raw, foreign);
        var orphan = await OrphanAsync(seed: 5);
        await SetClockRelativeToGraceAsync(TimeSpan.FromMinutes(1),
            (BucketKind.Crash, crashCopy), (BucketKind.Analytics, analytics), (BucketKind.Raw, foreign), (BucketKind.Raw, orphan));

        var result = await SweepAsync();

        Assert.True(await ExistsAsync(BucketKind.Crash, crashCopy));
        Assert.True(await ExistsAsync(BucketKind.Analytics, analytics));
        Assert.True(await ExistsAsync(BucketKind.Raw, foreign));
        Assert.False(await ExistsAsync(BucketKind.Raw, orphan));
        Assert.Equal((2, 1, 1), (result.Examined, result.Unrecognised, result.Deleted));
    }

    [Fact]
    public async Task PartsOfAnOpenUploadSession_AreKept_WhilePartsOfAClosedOrUnknownSessionAreDeleted()
    {
        var open = await CreateSessionWithPartAsync();
        // Completed, but the process died before it deleted the parts (the upload clean-up job only looks at open sessions).
        var completed = await CreateSessionWithPartAsync();
        await InScopeAsync(async s =>
        {
            var db = s.GetRequiredService<CatalogDbContext>();
            await db.Set<UploadSession>().Where(x => x.Id == completed).ExecuteUpdateAsync(u => u.SetProperty(x => x.Status, UploadSessionStatus.Completed));
            return true;
        });
        var unknown = PipelineKeys.UploadPart(Guid.CreateVersion7(), 0);
        await PutAsync(BucketKind.Raw, unknown);
        var openPart = PipelineKeys.UploadPart(open, 0);
        var completedPart = PipelineKeys.UploadPart(completed, 0);
        await ClockPastGraceAsync(openPart, completedPart, unknown);

        var result = await SweepAsync();

        Assert.True(await ExistsAsync(BucketKind.Raw, openPart));
        Assert.False(await ExistsAsync(BucketKind.Raw, completedPart));
        Assert.False(await ExistsAsync(BucketKind.Raw, unknown));
        Assert.Equal((1, 2), (result.Referenced, result.Deleted));
    }

    [Fact]
    public async Task Sweep_AsksTheCatalogInBatches_AndRunningItAgainDeletesNothingTwice()
    {
        var rides = new List<Ride>();
        var orphans = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            rides.Add(await UploadAsync(seed: 10 + i));
            orphans.Add(await OrphanAsync(seed: 20 + i));
        }

        orphans.Add(await OrphanAsync(seed: 30));
        await ClockPastGraceAsync([.. rides.Select(r => r.RawKey), .. orphans]);

        var first = await SweepAsync(batchSize: 2);
        var second = await SweepAsync(batchSize: 2);

        Assert.Equal((7, 4, 3), (first.Examined, first.Deleted, first.Referenced));
        Assert.Equal((3, 0, 3), (second.Examined, second.Deleted, second.Referenced));
        foreach (var ride in rides)
        {
            Assert.True(await ExistsAsync(BucketKind.Raw, ride.RawKey));
        }

        foreach (var orphan in orphans)
        {
            Assert.False(await ExistsAsync(BucketKind.Raw, orphan));
        }
    }

    private Task<Guid> CreateSessionWithPartAsync() =>
        InScopeAsync(async s =>
        {
            var sessions = s.GetRequiredService<UploadSessions>();
            var session = await sessions.CreateAsync(new RideUpload(rider, rider, RideSource.Api, "long ride.csv"), null, CancellationToken.None);
            await sessions.PutPartAsync(session.Id, rider, 0, new MemoryStream(PipelineHarness.SampleCsv(seed: 99)), CancellationToken.None);
            return session.Id;
        });
}

public sealed class OrphanSweepTestsOnFileSystem(PostgresCatalogDatabase database) : OrphanSweepTests(database), IClassFixture<PostgresCatalogDatabase>
{
    private readonly FileSystemStorageFixture fixture = new();

    protected override async Task<IObjectStorage> CreateStorageAsync()
    {
        await fixture.InitializeAsync();
        return fixture.Storage;
    }

    protected override Task DeleteStorageAsync() => fixture.DisposeAsync();
}

public sealed class OrphanSweepTestsOnS3(PostgresCatalogDatabase database) : OrphanSweepTests(database), IClassFixture<PostgresCatalogDatabase>
{
    private readonly S3StorageFixture fixture = new();

    protected override async Task<IObjectStorage> CreateStorageAsync()
    {
        await fixture.InitializeAsync();
        return fixture.Storage;
    }

    protected override Task DeleteStorageAsync() => fixture.DisposeAsync();
}

/// <summary>The grace period's rule, without servers.</summary>
[Trait("Category", "Pipeline")]
public sealed class OrphanGraceOptionTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(UploadOptions.MinOrphanGraceMinutes - 1)]
    [InlineData(UploadOptions.MaxOrphanGraceMinutes + 1)]
    public void OrphanGrace_OutsideItsRange_IsRefused_NamingTheKey(int minutes)
    {
        var result = new UploadOptionsValidator().Validate(null, new UploadOptions { OrphanGraceMinutes = minutes });

        Assert.True(result.Failed);
        Assert.Contains("Uploads:OrphanGraceMinutes", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void OrphanGrace_DefaultsToADay_AndIsValid()
    {
        var defaults = new UploadOptions();

        Assert.Equal(24 * 60, defaults.OrphanGraceMinutes);
        Assert.True(new UploadOptionsValidator().Validate(null, defaults).Succeeded);
    }

    [Theory]
    [InlineData("3f2504e0-4f89-11d3-9a0c-0305e82c3301/0190a5f4-0000-7000-8000-000000000001.csv", true)]
    [InlineData("3f2504e0-4f89-11d3-9a0c-0305e82c3301/0190a5f4-0000-7000-8000-000000000001.csv.gz", true)]
    [InlineData("3F2504E0-4F89-11D3-9A0C-0305E82C3301/0190a5f4-0000-7000-8000-000000000001.csv", false)]
    [InlineData("3f2504e0-4f89-11d3-9a0c-0305e82c3301/0190a5f4-0000-7000-8000-000000000001.txt", false)]
    [InlineData("0190a5f4-0000-7000-8000-000000000001/0190a5f4-0000-7000-8000-000000000001/window.csv", false)]
    [InlineData("uploads/0190a5f400007000800000000000000a/000000", false)]
    public void RawRideKeys_AreRecognisedExactly(string key, bool recognised) =>
        Assert.Equal(recognised, PipelineKeys.TryParseRawRide(key, out _));

    [Theory]
    [InlineData("uploads/0190a5f400007000800000000000000a/000000", true)]
    [InlineData("uploads/0190a5f400007000800000000000000a/000042", true)]
    [InlineData("uploads/0190a5f400007000800000000000000a/42", false)]
    [InlineData("uploads/0190a5f4-0000-7000-8000-00000000000a/000000", false)]
    [InlineData("uploads/0190a5f400007000800000000000000a/", false)]
    public void UploadPartKeys_AreRecognisedExactly(string key, bool recognised) =>
        Assert.Equal(recognised, PipelineKeys.TryParseUploadPart(key, out _));
}
