using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection;
using Portal.Api;
using Portal.Core.Catalog;
using Portal.Core.Rides;
using Portal.Core.Storage;
using Portal.Jobs.Pipeline;

namespace Portal.Tests.Pipeline;

[Trait("Category", "Pipeline")]
public abstract class RetentionTests<TDatabase>(TDatabase database) : IAsyncLifetime where TDatabase : CatalogDatabase
{
    private PipelineHarness harness = null!;
    private readonly Guid privateRider = Guid.NewGuid();
    private readonly Guid professional = Guid.NewGuid();

    public async Task InitializeAsync()
    {
        harness = new PipelineHarness(database, retention: o => o.PrivateRawDays = 21);
        await harness.AddRiderAsync(privateRider, RiderCategory.Private);
        await harness.AddRiderAsync(professional, RiderCategory.Professional);
    }

    public async Task DisposeAsync() => await harness.DisposeAsync();

    private Task<int> RunRetentionAsync() => harness.InScopeAsync(s => s.GetRequiredService<RetentionJob>().RunAsync(CancellationToken.None));

    private async Task<Ride> AnalysedRideAsync(Guid owner, int seed)
    {
        var result = await harness.UploadAsync(owner, PipelineHarness.SampleCsv(seed: seed));
        await harness.RunAnalysisAsync(result.Ride.Id);
        return await harness.RideAsync(result.Ride.Id);
    }

    private Task<Results<FileStreamHttpResult, RedirectHttpResult, ProblemHttpResult>> DownloadAsync(Guid rideId, Guid caller) =>
        harness.InScopeAsync(s => RidesApi.DownloadRaw(rideId, Principal(caller), s.GetRequiredService<CatalogDbContext>(), harness.Storage, harness.Time, CancellationToken.None));

    private static ClaimsPrincipal Principal(Guid userId) =>
        new(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, userId.ToString()), new Claim(ClaimTypes.Role, PortalRoleNames.Rider)], "test"));

    [Fact]
    public async Task PrivateRawFile_IsKeptAndDownloadable_UntilItsDeadline()
    {
        var ride = await AnalysedRideAsync(privateRider, 1);
        harness.Time.Advance(TimeSpan.FromDays(21) - TimeSpan.FromMinutes(1));

        await RunRetentionAsync();

        Assert.True(harness.Storage.Exists(BucketKind.Raw, ride.RawKey));
        var download = await DownloadAsync(ride.Id, privateRider);
        var file = Assert.IsType<FileStreamHttpResult>(download.Result);
        Assert.Equal("text/csv", file.ContentType);
    }

    [Fact]
    public async Task PrivateRawFile_IsDeletedAfterItsDeadline_AndTheDownloadSaysGoneWithTheDate_WhileMetricsStay()
    {
        var ride = await AnalysedRideAsync(privateRider, 2);
        harness.Time.Advance(TimeSpan.FromDays(21) + TimeSpan.FromMinutes(1));

        var deleted = await RunRetentionAsync();

        var after = await harness.RideAsync(ride.Id);
        Assert.True(deleted >= 1);
        Assert.False(harness.Storage.Exists(BucketKind.Raw, ride.RawKey));
        Assert.Equal(harness.Time.GetUtcNow(), after.RawDeletedAt);
        Assert.NotNull(after.MetricsJson);
        Assert.True(harness.Storage.Exists(BucketKind.Analytics, $"{ride.Id}/metrics.json"));
        var gone = Assert.IsType<ProblemHttpResult>((await DownloadAsync(ride.Id, privateRider)).Result);
        Assert.Equal(StatusCodes.Status410Gone, gone.StatusCode);
        Assert.Equal(PipelineProblems.RawExpired, gone.ProblemDetails.Extensions["code"]);
        Assert.Equal(PipelineHarness.Start.AddDays(21), after.RawRetainUntil);
        Assert.Equal(after.RawDeletedAt, gone.ProblemDetails.Extensions["expiredAt"]);
    }

    [Fact]
    public async Task Retention_RunTwice_DeletesEachFileOnce()
    {
        var ride = await AnalysedRideAsync(privateRider, 3);
        harness.Time.Advance(TimeSpan.FromDays(30));
        await RunRetentionAsync();
        var firstDeletion = (await harness.RideAsync(ride.Id)).RawDeletedAt;
        harness.Time.Advance(TimeSpan.FromDays(1));

        await RunRetentionAsync();

        Assert.Equal(firstDeletion, (await harness.RideAsync(ride.Id)).RawDeletedAt);
    }

    [Fact]
    public async Task ProfessionalAndCrashRawFiles_AreNeverDeleted()
    {
        var pro = await AnalysedRideAsync(professional, 4);
        harness.Analyzer.Answer = () => Analyses.Crash();
        var crash = await AnalysedRideAsync(privateRider, 5);
        await harness.RunCrashHandlingAsync(crash.Id);
        // Even a deadline set by mistake (e.g. the rider became professional later) does not delete them.
        await harness.WithDbAsync(db =>
        {
            foreach (var ride in db.Rides.Where(r => r.Id == pro.Id || r.Id == crash.Id))
            {
                ride.RawRetainUntil = PipelineHarness.Start.AddDays(1);
            }

            return db.SaveChangesAsync();
        });
        harness.Time.Advance(TimeSpan.FromDays(400));

        await RunRetentionAsync();

        Assert.True(harness.Storage.Exists(BucketKind.Raw, pro.RawKey));
        Assert.True(harness.Storage.Exists(BucketKind.Raw, crash.RawKey));
        Assert.Null((await harness.RideAsync(pro.Id)).RawDeletedAt);
        Assert.Null((await harness.RideAsync(crash.Id)).RawDeletedAt);
    }

    [Fact]
    public async Task RideStillWaitingForAnalysis_KeepsItsRawFile_PastTheDeadline()
    {
        var queued = await harness.UploadAsync(privateRider, PipelineHarness.SampleCsv(seed: 6));
        harness.Time.Advance(TimeSpan.FromDays(30));

        await RunRetentionAsync();

        Assert.True(harness.Storage.Exists(BucketKind.Raw, queued.Ride.RawKey));
    }
}

public sealed class RetentionTestsOnSqlite(SqliteCatalogDatabase database) : RetentionTests<SqliteCatalogDatabase>(database), IClassFixture<SqliteCatalogDatabase>;

public sealed class RetentionTestsOnPostgres(PostgresCatalogDatabase database) : RetentionTests<PostgresCatalogDatabase>(database), IClassFixture<PostgresCatalogDatabase>;
