using Microsoft.EntityFrameworkCore;
using Portal.Core.Catalog;
using Portal.Core.Rides;
using Portal.Core.Storage;
using Xunit.Abstractions;

namespace Portal.Tests.Scale;

/// <summary>
/// Two Portal.Jobs worker processes on one PostgreSQL and one object store share the analysis queue:
/// every ride is analysed exactly once and both take part.
/// </summary>
[Trait("Category", "Scale")]
public sealed class MultiWorkerTests : IAsyncLifetime
{
    private const int RideCount = 250;
    private const int Riders = 10;

    /// <summary>Guards against a hang only (a healthy run takes well under a minute on 2 cores).</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);

    private readonly ITestOutputHelper output;
    private ScaleCluster cluster = null!;

    public MultiWorkerTests(ITestOutputHelper output) => this.output = output;

    public async Task InitializeAsync() => cluster = await ScaleCluster.StartAsync("scale_workers", invisibilityTimeoutSeconds: 30);

    public async Task DisposeAsync() => await cluster.DisposeAsync();

    [Fact]
    public async Task TwoWorkers_AnalyseEveryQueuedRideExactlyOnce_AndBothTakePart()
    {
        var first = cluster.StartWorker("a");
        var second = cluster.StartWorker("b");
        await cluster.WaitForServersAsync([first, second], Patience);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var owners = Enumerable.Range(0, Riders).Select(_ => Guid.NewGuid()).ToArray();
        var rides = new List<Ride>(RideCount);
        for (var i = 0; i < RideCount; i++)
        {
            var content = await ScaleCluster.SimulatedRideAsync(seed: 1000 + i, durationSeconds: 20 + (i % 21));
            rides.Add(await cluster.IngestAsync(owners[i % Riders], content, $"ride-{i:D3}.csv"));
        }

        var rideIds = rides.Select(r => r.Id).ToList();
        var stored = clock.Elapsed;
        await cluster.WaitUntilFinishedAsync(rideIds, Patience, [first, second]);
        output.WriteLine($"{RideCount} rides stored and queued in {stored.TotalSeconds:F1} s; all analysed {clock.Elapsed.TotalSeconds:F1} s after the first upload.");
        // A graceful stop flushes their logs, which say which ride each one analysed.
        await Task.WhenAll(first.StopAsync(TimeSpan.FromSeconds(30)), second.StopAsync(TimeSpan.FromSeconds(30)));

        var catalog = await cluster.WithCatalogAsync(db => db.Rides.AsNoTracking().Where(r => rideIds.Contains(r.Id)).ToListAsync());
        Assert.Equal(RideCount, catalog.Count);
        Assert.All(catalog, ride => Assert.True(ride.Status == RideStatus.Analyzed, $"Ride {ride.Id} is {ride.Status}: {ride.FailureCode} {ride.FailureMessage}"));
        Assert.All(catalog, ride => Assert.NotNull(ride.MetricsJson));

        // One analysis job per ride, which succeeded exactly once and was processed exactly once.
        var serversUsed = new List<string>();
        foreach (var ride in rides)
        {
            var jobId = Assert.Single(cluster.AnalysisJobs[ride.Id]);
            var job = cluster.JobDetails(jobId);
            Assert.Equal(1, ScaleCluster.SucceededCount(job));
            serversUsed.Add(Assert.Single(ScaleCluster.ProcessingServers(job)));
        }

        var byFirst = serversUsed.Count(s => ScaleCluster.IsServerOf(s, first));
        var bySecond = serversUsed.Count(s => ScaleCluster.IsServerOf(s, second));
        Assert.Equal(RideCount, byFirst + bySecond);
        output.WriteLine($"Jobs per worker: {byFirst} and {bySecond}.");
        Assert.True(byFirst > 0 && bySecond > 0, $"Both workers should take part: {byFirst} and {bySecond} jobs.");

        // Each worker's own account agrees: the analysis itself ran once per ride, nowhere twice.
        var analysed = ScaleCluster.AnalysedRideLog(first).Concat(ScaleCluster.AnalysedRideLog(second)).ToList();
        Assert.Equal(rideIds.Order(), analysed.Order());

        // Results are unique: one notification per ride, one metrics object per ride.
        var notified = await cluster.WithCatalogAsync(db => db.Set<Notification>()
            .Where(n => n.Kind == NotificationKind.RideAnalyzed && n.RideId != null && rideIds.Contains(n.RideId.Value))
            .Select(n => n.RideId!.Value).ToListAsync());
        Assert.Equal(rideIds.Order(), notified.Order());
        var storage = (IObjectStorage)cluster.Services.GetService(typeof(IObjectStorage))!;
        foreach (var ride in rides)
        {
            Assert.NotNull(await storage.GetInfoAsync(BucketKind.Analytics, PipelineKeys.MetricsJson(ride.Id), CancellationToken.None));
        }
    }
}
