using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Portal.Core.Devices;

namespace Portal.Jobs.Live;

/// <summary>Writes devices' last-seen times and message counters to the catalog every few seconds (throttled touches).</summary>
public sealed partial class DeviceActivityFlusher(
    DeviceActivityTracker tracker,
    IServiceScopeFactory scopeFactory,
    TimeProvider timeProvider,
    ILogger<DeviceActivityFlusher> logger) : BackgroundService
{
    internal static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, timeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await FlushAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        await FlushAsync(CancellationToken.None);
    }

    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var scope = scopeFactory.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<DeviceRegistry>().FlushActivityAsync(tracker, cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            LogFlushFailed(logger, exception);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Writing device activity to the catalog failed")]
    private static partial void LogFlushFailed(ILogger logger, Exception exception);
}
