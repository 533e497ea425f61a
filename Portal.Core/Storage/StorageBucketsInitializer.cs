using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Portal.Core.Storage;

/// <summary>
/// Creates the buckets at start. A provider that is not up yet (a container starting beside the portal)
/// does not stop the host: it retries with back-off, and the health check reports unhealthy meanwhile.
/// </summary>
internal sealed class StorageBucketsInitializer(IObjectStorage storage, TimeProvider timeProvider, ILogger<StorageBucketsInitializer> logger)
    : BackgroundService
{
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromSeconds(1);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await storage.EnsureBucketsAsync(stoppingToken);
                return;
            }
            catch (StorageUnavailableException e)
            {
                logger.LogWarning(e, "Object storage is not available yet; retrying in {Delay}.", delay);
            }

            await Task.Delay(delay, timeProvider, stoppingToken);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxDelay.Ticks));
        }
    }
}
