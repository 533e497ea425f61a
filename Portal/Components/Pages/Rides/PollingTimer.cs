namespace Portal.Components.Pages.Rides;

/// <summary>
/// Runs <c>tick</c> every <c>interval</c> on the injected clock (so tests move it with a fake one), never two at
/// once: a tick that is still running when the next one is due makes that one skip. Dispose to stop.
/// </summary>
public sealed class PollingTimer : IDisposable
{
    private readonly Func<Task> tick;
    private readonly ITimer timer;
    private int running;
    private bool disposed;

    public PollingTimer(TimeProvider time, TimeSpan interval, Func<Task> tick)
    {
        this.tick = tick;
        timer = time.CreateTimer(_ => _ = TickAsync(), null, interval, interval);
    }

    private async Task TickAsync()
    {
        if (disposed || Interlocked.Exchange(ref running, 1) == 1)
        {
            return;
        }

        try
        {
            await tick();
        }
        catch (Exception stopped) when (stopped is OperationCanceledException or ObjectDisposedException)
        {
            // The page went away during the tick.
        }
        finally
        {
            Volatile.Write(ref running, 0);
        }
    }

    public void Dispose()
    {
        disposed = true;
        timer.Dispose();
    }
}
