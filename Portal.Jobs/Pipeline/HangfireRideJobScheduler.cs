using Hangfire;
using Portal.Core.Rides;

namespace Portal.Jobs.Pipeline;

/// <summary>Queues pipeline jobs through Hangfire's client (never the static BackgroundJob API).</summary>
public sealed class HangfireRideJobScheduler(IBackgroundJobClient client) : IRideJobScheduler
{
    public string EnqueueAnalysis(Guid rideId) =>
        client.Enqueue<AnalyzeRideJob>(PipelineQueues.Analytics, job => job.RunAsync(rideId, null, CancellationToken.None));

    public string EnqueueCrashHandling(Guid rideId) =>
        client.Enqueue<HandleCrashJob>(PipelineQueues.Crash, job => job.RunAsync(rideId, CancellationToken.None));
}
