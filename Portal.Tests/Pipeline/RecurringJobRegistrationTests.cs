using Hangfire;
using Hangfire.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using Portal.Jobs.Pipeline;

namespace Portal.Tests.Pipeline;

/// <summary>
/// A process killed while it registered the recurring jobs leaves a recurring job's distributed lock behind until
/// the storage's lock timeout: the next start must not fail on it, and registers the jobs once the lock is free.
/// </summary>
[Trait("Category", "Pipeline")]
public sealed class RecurringJobRegistrationTests
{
    [Fact]
    public async Task Host_Starts_WhileARecurringJobLockIsHeld_AndRegistersTheJobs_OnceTheLockIsFree()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var host = JobsTestHost.Build(services => services.AddSingleton<TimeProvider>(clock));
        var storage = host.Services.GetRequiredService<JobStorage>();

        // What the killed process left: the first job's lock (Hangfire's resource name for a recurring job's lock).
        var holder = storage.GetConnection();
        var held = holder.AcquireDistributedLock($"lock:recurring-job:{PipelineHostingExtensions.RetentionJobId}", TimeSpan.FromSeconds(1));
        try
        {
            await host.StartAsync();

            Assert.Empty(RegisteredJobIds(storage));
            var registration = host.Services.GetServices<IHostedService>().OfType<PipelineRecurringJobs>().Single();
            Assert.False(registration.Registered.IsCompleted);

            held.Dispose();
            holder.Dispose();
            clock.Advance(PipelineRecurringJobs.RetryInterval);
            await registration.Registered.WaitAsync(TimeSpan.FromSeconds(30));

            Assert.Equal(
                [PipelineHostingExtensions.OrphanSweepJobId, PipelineHostingExtensions.RetentionJobId, PipelineHostingExtensions.UploadCleanupJobId],
                RegisteredJobIds(storage).Order(StringComparer.Ordinal));
        }
        finally
        {
            held.Dispose();
            holder.Dispose();
            await host.StopAsync();
        }
    }

    private static List<string> RegisteredJobIds(JobStorage storage)
    {
        using var connection = storage.GetConnection();
        return connection.GetRecurringJobs([PipelineHostingExtensions.RetentionJobId, PipelineHostingExtensions.UploadCleanupJobId, PipelineHostingExtensions.OrphanSweepJobId])
            .Where(job => !job.Removed)
            .Select(job => job.Id)
            .ToList();
    }
}
