using Microsoft.Extensions.Time.Testing;

namespace Portal.Tests.Ui.Rides;

/// <summary>The fake clock, counting the timers that are still alive so tests see that pages stop polling.</summary>
public sealed class CountingTimeProvider(FakeTimeProvider clock) : TimeProvider
{
    private int active;

    public int ActiveTimers => Volatile.Read(ref active);

    public override DateTimeOffset GetUtcNow() => clock.GetUtcNow();

    public override long GetTimestamp() => clock.GetTimestamp();

    public override long TimestampFrequency => clock.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => clock.LocalTimeZone;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        Interlocked.Increment(ref active);
        return new CountedTimer(clock.CreateTimer(callback, state, dueTime, period), this);
    }

    private sealed class CountedTimer(ITimer inner, CountingTimeProvider owner) : ITimer
    {
        private int disposed;

        public bool Change(TimeSpan dueTime, TimeSpan period) => inner.Change(dueTime, period);

        public void Dispose()
        {
            if (Interlocked.Exchange(ref disposed, 1) == 0)
            {
                Interlocked.Decrement(ref owner.active);
            }

            inner.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
