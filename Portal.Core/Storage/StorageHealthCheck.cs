using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Portal.Core.Storage;

/// <summary>Healthy when the provider answers, the three buckets exist and no write was refused for lack of room lately.</summary>
public sealed class StorageHealthCheck(IObjectStorage storage, StorageFullMonitor fullMonitor) : IHealthCheck
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            if (storage is IStorageHealthProbe probe)
            {
                await probe.ProbeAsync(timeout.Token);
            }
            else
            {
                foreach (var bucket in Enum.GetValues<BucketKind>())
                {
                    await storage.GetInfoAsync(bucket, "health/probe", timeout.Token);
                }
            }

            if (fullMonitor.RecentFull is { } full)
            {
                return new HealthCheckResult(context.Registration.FailureStatus,
                    $"Object storage is full: a write was refused at {full.At:O} ({full.Reason}).",
                    data: new Dictionary<string, object> { ["storage_full_at"] = full.At });
            }

            return HealthCheckResult.Healthy($"{storage.GetType().Name} is reachable and its buckets exist.");
        }
        catch (StorageUnavailableException e)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, e.Message, e);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"Object storage did not answer within {Timeout.TotalSeconds} s.", e);
        }
    }
}
