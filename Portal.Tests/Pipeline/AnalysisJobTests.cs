using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Catalog;
using Portal.Core.Rides;
using Portal.Core.Storage;
using Portal.Jobs.Pipeline;

namespace Portal.Tests.Pipeline;

[Trait("Category", "Pipeline")]
public abstract class AnalysisJobTests<TDatabase>(TDatabase database) : IAsyncLifetime where TDatabase : CatalogDatabase
{
    private PipelineHarness harness = null!;
    private readonly Guid rider = Guid.NewGuid();

    public Task InitializeAsync()
    {
        harness = new PipelineHarness(database);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await harness.DisposeAsync();

    private async Task<Guid> UploadAsync(int seed = 1) => (await harness.UploadAsync(rider, PipelineHarness.SampleCsv(seed: seed), "sunday.csv")).Ride.Id;

    private Task<IReadOnlyList<NotificationView>> FeedAsync(RideCaller caller) =>
        harness.InScopeAsync(s => s.GetRequiredService<NotificationFeed>().GetAsync(caller, unreadOnly: false, after: null, take: 100, CancellationToken.None));

    [Fact]
    public async Task Analysis_WritesTheAnalyticsObjects_FillsTheRide_AndTellsTheRider()
    {
        var rideId = await UploadAsync();

        await harness.RunAnalysisAsync(rideId);

        var ride = await harness.RideAsync(rideId);
        var expected = Analyses.Plain().Metrics!;
        Assert.Equal(RideStatus.Analyzed, ride.Status);
        Assert.Equal(100, ride.ProgressPercent);
        Assert.Equal(expected.DistanceKm, ride.DistanceKm);
        Assert.Equal(expected.MaxSpeedKmh, ride.MaxSpeedKmh);
        Assert.Equal(Math.Max(expected.MaxLeanLeftDeg!.Value, expected.MaxLeanRightDeg!.Value), ride.MaxLeanDeg);
        Assert.Equal(expected.RowsSkipped, ride.RowsSkipped);
        Assert.Equal(PipelineHarness.Start, ride.AnalyzedAt);
        Assert.Equal(Portal.Core.Analytics.AnalysisVersion.Current, ride.AnalysisVersion);
        Assert.Equal(PipelineHarness.SampleCsv(seed: 1).Length, harness.Analyzer.LastBytesRead);

        using var metrics = JsonDocument.Parse(harness.Storage.Read(BucketKind.Analytics, $"{rideId}/metrics.json"));
        Assert.Equal(expected.DistanceKm, metrics.RootElement.GetProperty("distance_km").GetDouble());
        Assert.Equal(JsonValueKind.Null, metrics.RootElement.GetProperty("crash_time_s").ValueKind);
        var csv = System.Text.Encoding.UTF8.GetString(harness.Storage.Read(BucketKind.Analytics, $"{rideId}/metrics.csv"));
        Assert.StartsWith("metric,value\n", csv, StringComparison.Ordinal);
        Assert.Contains("\nleft_turns,7\n", csv, StringComparison.Ordinal);
        Assert.Contains("\ncrash_time_s,\n", csv, StringComparison.Ordinal);
        using var traces = JsonDocument.Parse(harness.Storage.Read(BucketKind.Analytics, $"{rideId}/traces.json"));
        Assert.Equal("speed", traces.RootElement.GetProperty("channels")[0].GetProperty("name").GetString());

        var feed = await FeedAsync(RideCaller.Of(rider, PortalRoleNames.Rider));
        var analysed = Assert.Single(feed);
        Assert.Equal(NotificationKind.RideAnalyzed, analysed.Kind);
        Assert.Equal("Ride analysed", analysed.Title);
        Assert.Equal(rideId, analysed.RideId);
        Assert.False(analysed.Read);
    }

    [Fact]
    public async Task RejectedFile_FailsTheRide_WithTheCodeAndSentence_WithoutRetrying()
    {
        harness.Analyzer.Answer = () => Analyses.Rejected("no_time_column", "The file has no time column.");
        var rideId = await UploadAsync();

        await harness.RunAnalysisAsync(rideId);

        var ride = await harness.RideAsync(rideId);
        Assert.Equal(RideStatus.Failed, ride.Status);
        Assert.Equal("no_time_column", ride.FailureCode);
        Assert.Equal("The file has no time column.", ride.FailureMessage);
        Assert.True(harness.Storage.Exists(BucketKind.Raw, ride.RawKey));
        Assert.Equal(NotificationKind.RideFailed, Assert.Single(await FeedAsync(RideCaller.Of(rider))).Kind);
    }

    [Fact]
    public async Task AnalyzerBug_FailsTheRide_AsAnAnalysisError_InsteadOfBlockingTheQueue()
    {
        harness.Analyzer.Throw = new FormatException("unexpected token");
        var rideId = await UploadAsync();

        await harness.RunAnalysisAsync(rideId);

        var ride = await harness.RideAsync(rideId);
        Assert.Equal(RideStatus.Failed, ride.Status);
        Assert.Equal(PipelineFailureCodes.AnalysisError, ride.FailureCode);
    }

    [Fact]
    public async Task StorageOutage_IsThrownForHangfiresRetry_AndLeavesTheRideUnfailed()
    {
        var rideId = await UploadAsync();
        harness.Storage.FailWith = new StorageUnavailableException("S3 is down");

        await Assert.ThrowsAsync<StorageUnavailableException>(() => harness.RunAnalysisAsync(rideId));

        harness.Storage.FailWith = null;
        var ride = await harness.RideAsync(rideId);
        Assert.NotEqual(RideStatus.Failed, ride.Status);
        await harness.RunAnalysisAsync(rideId);
        Assert.Equal(RideStatus.Analyzed, (await harness.RideAsync(rideId)).Status);
    }

    [Fact]
    public async Task MissingRawFile_FailsTheRide_AsRawMissing()
    {
        var rideId = await UploadAsync();
        var ride = await harness.RideAsync(rideId);
        await harness.Storage.DeleteAsync(BucketKind.Raw, ride.RawKey, CancellationToken.None);

        await harness.RunAnalysisAsync(rideId);

        Assert.Equal(PipelineFailureCodes.RawMissing, (await harness.RideAsync(rideId)).FailureCode);
    }

    [Fact]
    public async Task Crash_FilesTheRawFileAndWindow_RecordsTheCrash_KeepsTheRawFile_AndTellsRnD()
    {
        harness.Analyzer.Answer = () => Analyses.Crash(312.4);
        var rideId = await UploadAsync();

        await harness.RunAnalysisAsync(rideId);
        Assert.Equal([rideId], harness.Scheduler.CrashHandlings);
        await harness.RunCrashHandlingAsync(rideId);

        var ride = await harness.RideAsync(rideId);
        Assert.True(ride.CrashDetected);
        Assert.Equal(312.4, ride.CrashTimeS);
        Assert.Null(ride.RawRetainUntil);
        Assert.Equal(harness.Storage.Read(BucketKind.Raw, ride.RawKey), harness.Storage.Read(BucketKind.Crash, $"{rideId}/{rideId}.csv"));
        Assert.Equal(Analyses.Crash().CrashWindowCsv, System.Text.Encoding.UTF8.GetString(harness.Storage.Read(BucketKind.Crash, $"{rideId}/window.csv")));

        var record = await harness.WithDbAsync(db => db.Set<CrashRecord>().AsNoTracking().SingleAsync(c => c.RideId == rideId));
        var finding = Analyses.Crash().Crash!;
        Assert.Equal(rider, record.RiderId);
        Assert.Equal(finding.Kind, record.Kind);
        Assert.Equal(finding.PeakG, record.PeakG);
        Assert.Equal(finding.SpeedBeforeKmh, record.SpeedBeforeKmh);
        Assert.Equal(finding.Latitude, record.Latitude);
        Assert.Equal(finding.Explanation, record.Explanation);
        Assert.Equal(CrashLabel.None, record.Label);

        var rnd = await FeedAsync(RideCaller.Of(Guid.NewGuid(), PortalRoleNames.RnD));
        Assert.Contains(rnd, n => n.Kind == NotificationKind.CrashDetected && n.RideId == rideId);
        var otherRider = await FeedAsync(RideCaller.Of(Guid.NewGuid(), PortalRoleNames.Rider));
        Assert.DoesNotContain(otherRider, n => n.RideId == rideId);
    }

    [Fact]
    public async Task AnalysisKilledHalfWayAndRunAgain_LeavesOneConsistentResult()
    {
        harness.Analyzer.Answer = () => Analyses.Crash(100);
        var rideId = await UploadAsync();
        await harness.RunAnalysisAsync(rideId);
        await harness.RunCrashHandlingAsync(rideId);

        // As if the worker died after writing but before Hangfire recorded success: the job runs again from the start.
        await harness.WithDbAsync(db => db.Rides.Where(r => r.Id == rideId).ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, RideStatus.Processing)));
        await harness.RunAnalysisAsync(rideId);
        foreach (var queued in harness.Scheduler.CrashHandlings)
        {
            await harness.RunCrashHandlingAsync(queued);
        }

        var ride = await harness.RideAsync(rideId);
        Assert.Equal(RideStatus.Analyzed, ride.Status);
        Assert.Equal(2, harness.Analyzer.Calls);
        Assert.Equal(1, await harness.WithDbAsync(db => db.Set<CrashRecord>().CountAsync(c => c.RideId == rideId)));
        Assert.Single(await FeedAsync(RideCaller.Of(rider)), n => n.RideId == rideId);
        Assert.Single(await FeedAsync(RideCaller.Of(Guid.NewGuid(), PortalRoleNames.RnD)), n => n.RideId == rideId && n.Kind == NotificationKind.CrashDetected);
        Assert.Equal([$"{rideId}/{rideId}.csv", $"{rideId}/finding.json", $"{rideId}/window.csv"], harness.Storage.Keys(BucketKind.Crash).Where(k => k.StartsWith($"{rideId}/", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task AlreadyAnalysedRide_IsNotAnalysedAgain_WhenItsJobRunsTwice()
    {
        var rideId = await UploadAsync();
        await harness.RunAnalysisAsync(rideId);

        await harness.RunAnalysisAsync(rideId);

        Assert.Equal(1, harness.Analyzer.Calls);
        Assert.Single(await FeedAsync(RideCaller.Of(rider)));
    }

    [Fact]
    public async Task ProfessionalSession_IsAnnouncedToRnD()
    {
        await harness.AddRiderAsync(rider, RiderCategory.Professional);
        var rideId = await UploadAsync();

        await harness.RunAnalysisAsync(rideId);

        var rnd = await FeedAsync(RideCaller.Of(Guid.NewGuid(), PortalRoleNames.RnD));
        Assert.Contains(rnd, n => n.Kind == NotificationKind.ProfessionalSession && n.RideId == rideId);
    }

    [Fact]
    public async Task NotificationFeed_PolledAfterTheLastSeenId_ReturnsOnlyNewerOnes_AndCountsUnread()
    {
        var first = await UploadAsync(seed: 2);
        await harness.RunAnalysisAsync(first);
        var me = RideCaller.Of(rider, PortalRoleNames.Rider);
        var seen = Assert.Single(await FeedAsync(me));
        harness.Time.Advance(TimeSpan.FromSeconds(5));
        var second = await UploadAsync(seed: 3);
        await harness.RunAnalysisAsync(second);

        var newer = await harness.InScopeAsync(s => s.GetRequiredService<NotificationFeed>().GetAsync(me, unreadOnly: false, after: seen.Id, take: 10, CancellationToken.None));
        await harness.InScopeAsync(s => s.GetRequiredService<NotificationFeed>().MarkReadAsync(me, seen.Id, CancellationToken.None));
        var unread = await harness.InScopeAsync(s => s.GetRequiredService<NotificationFeed>().CountUnreadAsync(me, CancellationToken.None));

        Assert.Equal(second, Assert.Single(newer).RideId);
        Assert.Equal(1, unread);
    }

    [Fact]
    public async Task RoleNotification_IsReadPerPerson()
    {
        await harness.AddRiderAsync(rider, RiderCategory.Professional);
        var rideId = await UploadAsync();
        await harness.RunAnalysisAsync(rideId);
        var engineerA = RideCaller.Of(Guid.NewGuid(), PortalRoleNames.RnD);
        var engineerB = RideCaller.Of(Guid.NewGuid(), PortalRoleNames.RnD);
        var session = (await FeedAsync(engineerA)).Single(n => n.RideId == rideId);

        var marked = await harness.InScopeAsync(s => s.GetRequiredService<NotificationFeed>().MarkReadAsync(engineerA, session.Id, CancellationToken.None));

        Assert.True(marked);
        Assert.True((await FeedAsync(engineerA)).Single(n => n.Id == session.Id).Read);
        Assert.False((await FeedAsync(engineerB)).Single(n => n.Id == session.Id).Read);
        Assert.False(await harness.InScopeAsync(s => s.GetRequiredService<NotificationFeed>().MarkReadAsync(RideCaller.Of(rider, PortalRoleNames.Rider), session.Id, CancellationToken.None)));
    }
}

public sealed class AnalysisJobTestsOnSqlite(SqliteCatalogDatabase database) : AnalysisJobTests<SqliteCatalogDatabase>(database), IClassFixture<SqliteCatalogDatabase>;

public sealed class AnalysisJobTestsOnPostgres(PostgresCatalogDatabase database) : AnalysisJobTests<PostgresCatalogDatabase>(database), IClassFixture<PostgresCatalogDatabase>;
