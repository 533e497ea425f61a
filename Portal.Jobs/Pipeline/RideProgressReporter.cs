using Hangfire.Server;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Portal.Core.Catalog;

namespace Portal.Jobs.Pipeline;

/// <summary>
/// Takes the analyzer's progress (called on its hot loop, so it only stores a number) and writes it
/// at most once per interval to the ride row and the Hangfire job parameter "progress", from its own scope.
/// </summary>
internal sealed class RideProgressReporter : IProgress<int>, IAsyncDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private readonly IServiceScopeFactory scopes;
    private readonly Guid rideId;
    private readonly PerformContext? context;
    private readonly ILogger logger;
    private readonly CancellationTokenSource stop = new();
    private readonly Task loop;
    private int latest;
    private int written;

    public RideProgressReporter(IServiceScopeFactory scopes, Guid rideId, PerformContext? context, TimeProvider time, ILogger logger)
    {
        this.scopes = scopes;
        this.rideId = rideId;
        this.context = context;
        this.logger = logger;
        loop = RunAsync(time);
    }

    public void Report(int value) => Volatile.Write(ref latest, Math.Clamp(value, 0, 100));

    private async Task RunAsync(TimeProvider time)
    {
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stop.Token))
            {
                var value = Volatile.Read(ref latest);
                if (value == written)
                {
                    continue;
                }

                written = value;
                try
                {
                    await using var scope = scopes.CreateAsyncScope();
                    var db = scope.ServiceProvider.GetRequiredService<CatalogDbContext>();
                    await db.Rides.Where(r => r.Id == rideId && r.Status == RideStatus.Processing)
                        .ExecuteUpdateAsync(s => s.SetProperty(r => r.ProgressPercent, value), stop.Token);
                    context?.SetJobParameter("progress", value);
                }
                catch (Exception failure) when (failure is not OperationCanceledException)
                {
                    // Progress is a courtesy: never let it fail the analysis.
                    logger.LogDebug(failure, "Progress of ride {RideId} not written", rideId);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        await loop;
        stop.Dispose();
    }
}
