using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Portal.Core.Live;

/// <summary>
/// The portal's live view feed: while at least one viewer watches a device it keeps that device's
/// <see cref="LiveDeviceBuffer"/> filled from the <see cref="ILiveTelemetrySource"/>; the last viewer to leave stops it.
/// Every viewer of a device shares one buffer (and one broker subscription). Callers check visibility first.
/// </summary>
public sealed class LiveFeed(ILiveTelemetrySource source, IOptions<LiveViewOptions> options) : IAsyncDisposable
{
    private readonly SemaphoreSlim _changes = new(1, 1);
    private readonly ConcurrentDictionary<string, Watched> _watched = new(StringComparer.Ordinal);

    /// <summary>False while the source cannot reach the broker.</summary>
    public bool IsConnected => source.IsConnected;

    /// <summary>How many viewers watch the device now.</summary>
    public int ViewersOf(string deviceId) => _watched.TryGetValue(deviceId, out var watched) ? Volatile.Read(ref watched.Viewers) : 0;

    /// <summary>When the feed last received a message of a watched device; null when nobody watches it.</summary>
    public DateTimeOffset? LastReceivedAt(string deviceId) => _watched.TryGetValue(deviceId, out var watched) ? watched.Buffer.LastReceivedAt : null;

    /// <summary>Starts watching (or joins the viewers of) the device. Dispose the result when the viewer leaves.</summary>
    public async Task<LiveWatch> WatchAsync(string deviceId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(deviceId);
        await _changes.WaitAsync(cancellationToken);
        try
        {
            if (!_watched.TryGetValue(deviceId, out var watched))
            {
                var settings = options.Value;
                var buffer = new LiveDeviceBuffer(
                    TimeSpan.FromSeconds(settings.WindowSeconds), settings.MaxSamplesPerDevice, TimeSpan.FromSeconds(settings.SessionIdleSeconds));
                var subscription = await source.WatchAsync(deviceId, buffer, cancellationToken);
                watched = new Watched(buffer, subscription);
                _watched[deviceId] = watched;
            }

            Interlocked.Increment(ref watched.Viewers);
            return new LiveWatch(this, deviceId, watched.Buffer);
        }
        finally
        {
            _changes.Release();
        }
    }

    internal async ValueTask ReleaseAsync(string deviceId)
    {
        // No cancellation: a leaving viewer must always be counted out, or the subscription would stay forever.
        await _changes.WaitAsync(CancellationToken.None);
        try
        {
            if (_watched.TryGetValue(deviceId, out var watched) && Interlocked.Decrement(ref watched.Viewers) == 0)
            {
                _watched.TryRemove(deviceId, out _);
                await watched.Subscription.DisposeAsync();
            }
        }
        finally
        {
            _changes.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var deviceId in _watched.Keys)
        {
            if (_watched.TryRemove(deviceId, out var watched))
            {
                await watched.Subscription.DisposeAsync();
            }
        }

        _changes.Dispose();
    }

    private sealed class Watched(LiveDeviceBuffer buffer, IAsyncDisposable subscription)
    {
        public int Viewers;

        public LiveDeviceBuffer Buffer { get; } = buffer;
        public IAsyncDisposable Subscription { get; } = subscription;
    }
}

/// <summary>One viewer's hold on a watched device. Disposing it more than once is harmless.</summary>
public sealed class LiveWatch : IAsyncDisposable
{
    private readonly LiveFeed _feed;
    private readonly LiveDeviceBuffer _buffer;
    private int _disposed;

    internal LiveWatch(LiveFeed feed, string deviceId, LiveDeviceBuffer buffer)
    {
        _feed = feed;
        _buffer = buffer;
        DeviceId = deviceId;
    }

    public string DeviceId { get; }

    /// <summary>The device's recent stream; the same instance until a message arrives.</summary>
    public LiveSnapshot Snapshot() => _buffer.Snapshot();

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            await _feed.ReleaseAsync(DeviceId);
        }
    }
}
