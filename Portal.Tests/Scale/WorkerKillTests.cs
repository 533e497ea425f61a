using Hangfire;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Catalog;
using Xunit.Abstractions;

namespace Portal.Tests.Scale;

/// <summary>
/// A worker process killed with SIGKILL in the middle of analyses loses nothing: once the default
/// invisibility timeout (Hangfire:InvisibilityTimeoutSeconds) passes, the other worker takes its jobs and
/// finishes each within 30 s of the kill, and the results stay unique.
/// </summary>
[Trait("Category", "Scale")]
public sealed class WorkerKillTests : IAsyncLifetime
{
    /// <summary>The shipped default: failover is measured as an installation without tuning gets it.</summary>
    private static readonly int InvisibilityTimeoutSeconds = new Portal.Jobs.Hosting.HangfireOptions().InvisibilityTimeoutSeconds;

    /// <summary>From SIGKILL to the orphaned ride's analysis succeeding on the survivor.</summary>
    private static readonly TimeSpan FailoverBudget = TimeSpan.FromSeconds(30);
    private const int LongRides = 4;

    /// <summary>How late after the timeout the survivor may start the job: its queue polling and a loaded machine.</summary>
    private static readonly TimeSpan PickupSlack = TimeSpan.FromSeconds(45);

    /// <summary>Guards against a hang only.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);

    private readonly ITestOutputHelper output;
    private ScaleCluster cluster = null!;

    public WorkerKillTests(ITestOutputHelper output) => this.output = output;

    public async Task InitializeAsync() => cluster = await ScaleCluster.StartAsync("scale_kill", InvisibilityTimeoutSeconds);

    public async Task DisposeAsync() => await cluster.DisposeAsync();

    [Fact]
    public async Task KilledWorker_ItsInFlightJobs_AreFinishedByTheOtherWorker_WithinTheInvisibilityTimeout_AndResultsStayUnique()
    {
        var victim = cluster.StartWorker("victim");
        // Spare threads on the survivor: the failover time, not its queue behind its own rides, is measured.
        var survivor = cluster.StartWorker("survivor", new Dictionary<string, string> { ["Hangfire__Server__Workers"] = "4" });
        await cluster.WaitForServersAsync([victim, survivor], Patience);

        // Rides long enough (several seconds of analysis each) that the kill lands in the middle of one.
        var content = await ScaleCluster.SimulatedRideAsync(seed: 7, durationSeconds: LongRideSeconds, rateHz: 400);
        var rides = new List<Ride>();
        for (var i = 0; i < LongRides; i++)
        {
            // Different riders: the same bytes are a new ride for each.
            rides.Add(await cluster.IngestAsync(Guid.NewGuid(), content, $"long-{i}.csv"));
        }

        var rideIds = rides.Select(r => r.Id).ToList();
        var monitoring = cluster.JobStorage.GetMonitoringApi();
        using (var timeout = new CancellationTokenSource(Patience))
        {
            while (!monitoring.ProcessingJobs(0, 100).Any(job => ScaleCluster.IsServerOf(job.Value.ServerId, victim)))
            {
                Assert.False(timeout.IsCancellationRequested, $"The victim never started a job.\n{victim.Describe()}");
                await Task.Delay(50);
            }
        }

        victim.KillHard();
        var killedAt = DateTime.UtcNow;
        var orphans = monitoring.ProcessingJobs(0, 100)
            .Where(job => ScaleCluster.IsServerOf(job.Value.ServerId, victim))
            .Select(job => job.Key)
            .ToList();
        Assert.NotEmpty(orphans);

        await cluster.WaitUntilFinishedAsync(rideIds, Patience, [survivor]);

        foreach (var orphan in orphans)
        {
            var job = cluster.JobDetails(orphan);
            var servers = ScaleCluster.ProcessingServers(job);
            Assert.True(ScaleCluster.IsServerOf(servers[0], victim), $"Job {orphan} was first processed by {servers[0]}.");
            Assert.True(ScaleCluster.IsServerOf(servers[^1], survivor), $"Job {orphan} was last processed by {servers[^1]}.");
            Assert.Equal(1, ScaleCluster.SucceededCount(job));

            var pickedUpAt = job.History
                .Where(state => state.StateName == Hangfire.States.ProcessingState.StateName)
                .Max(state => state.CreatedAt);
            var delay = pickedUpAt - killedAt;
            output.WriteLine($"Job {orphan} picked up by the survivor {delay.TotalSeconds:F1} s after the kill (invisibility timeout {InvisibilityTimeoutSeconds} s).");
            Assert.True(delay <= TimeSpan.FromSeconds(InvisibilityTimeoutSeconds) + PickupSlack,
                $"Job {orphan} was picked up {delay.TotalSeconds:F1} s after the kill (timeout {InvisibilityTimeoutSeconds} s).");

            var finishedAt = job.History.Single(state => state.StateName == Hangfire.States.SucceededState.StateName).CreatedAt;
            var failover = finishedAt - killedAt;
            output.WriteLine($"Job {orphan}: analysis finished on the survivor {failover.TotalSeconds:F1} s after the kill.");
            Assert.True(failover <= FailoverBudget, $"Job {orphan} finished {failover.TotalSeconds:F1} s after the kill (budget {FailoverBudget.TotalSeconds} s).");
        }

        var catalog = await cluster.WithCatalogAsync(db => db.Rides.AsNoTracking().Where(r => rideIds.Contains(r.Id)).ToListAsync());
        Assert.All(catalog, ride => Assert.True(ride.Status == RideStatus.Analyzed, $"Ride {ride.Id} is {ride.Status}: {ride.FailureCode} {ride.FailureMessage}"));
        foreach (var ride in rides)
        {
            var job = cluster.JobDetails(Assert.Single(cluster.AnalysisJobs[ride.Id]));
            Assert.Equal(1, ScaleCluster.SucceededCount(job));
        }

        var notified = await cluster.WithCatalogAsync(db => db.Set<Notification>()
            .Where(n => n.Kind == NotificationKind.RideAnalyzed && n.RideId != null && rideIds.Contains(n.RideId.Value))
            .Select(n => n.RideId!.Value).ToListAsync());
        Assert.Equal(rideIds.Order(), notified.Order());
    }

    private const double LongRideSeconds = 300;
}
