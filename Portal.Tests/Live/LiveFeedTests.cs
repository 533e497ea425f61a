using Microsoft.Extensions.Options;
using Portal.Core.Live;

namespace Portal.Tests.Live;

/// <summary>Stands in for the broker in unit tests: records which devices are watched and hands out their buffers.</summary>
public sealed class RecordingTelemetrySource : ILiveTelemetrySource
{
    private readonly Dictionary<string, LiveDeviceBuffer> _watched = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public bool IsConnected { get; set; } = true;

    public int WatchCalls { get; private set; }

    public IReadOnlyCollection<string> Watched
    {
        get
        {
            lock (_gate)
            {
                return [.. _watched.Keys];
            }
        }
    }

    public LiveDeviceBuffer BufferOf(string deviceId)
    {
        lock (_gate)
        {
            return _watched[deviceId];
        }
    }

    public Task<IAsyncDisposable> WatchAsync(string deviceId, LiveDeviceBuffer buffer, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            WatchCalls++;
            _watched.Add(deviceId, buffer);
        }

        return Task.FromResult<IAsyncDisposable>(new Unwatch(this, deviceId));
    }

    private sealed class Unwatch(RecordingTelemetrySource source, string deviceId) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            lock (source._gate)
            {
                // Removing twice would throw in a test that disposes too often.
                if (!source._watched.Remove(deviceId))
                {
                    throw new InvalidOperationException($"{deviceId} was unwatched twice.");
                }
            }

            return ValueTask.CompletedTask;
        }
    }
}

[Trait("Category", "Live")]
public sealed class LiveFeedTests
{
    private readonly RecordingTelemetrySource _source = new();
    private readonly LiveFeed _feed;

    public LiveFeedTests() => _feed = new LiveFeed(_source, Options.Create(new LiveViewOptions()));

    [Fact]
    public async Task FirstViewer_StartsWatching_TheLastToLeave_StopsIt_AndViewersShareOneBuffer()
    {
        var first = await _feed.WatchAsync("dev-a", CancellationToken.None);
        var second = await _feed.WatchAsync("dev-a", CancellationToken.None);
        Assert.Equal(1, _source.WatchCalls);
        Assert.Equal(2, _feed.ViewersOf("dev-a"));

        _source.BufferOf("dev-a").Add([new LiveReading(DateTimeOffset.UnixEpoch.AddYears(56).UtcTicks, 0, 0, 9.8, 0, 0, 0, 30)], DateTimeOffset.UnixEpoch);
        Assert.Same(first.Snapshot(), second.Snapshot());
        Assert.True(first.Snapshot().HasSamples);

        await first.DisposeAsync();
        await first.DisposeAsync(); // a second dispose of one viewer must not count another viewer out
        Assert.Equal(["dev-a"], _source.Watched);
        Assert.Equal(1, _feed.ViewersOf("dev-a"));

        await second.DisposeAsync();
        Assert.Empty(_source.Watched);
        Assert.Equal(0, _feed.ViewersOf("dev-a"));
        Assert.Null(_feed.LastReceivedAt("dev-a"));
    }

    [Fact]
    public async Task WatchingAgain_AfterEveryoneLeft_StartsAFreshBuffer()
    {
        var first = await _feed.WatchAsync("dev-a", CancellationToken.None);
        _source.BufferOf("dev-a").Add([new LiveReading(DateTimeOffset.UnixEpoch.AddYears(56).UtcTicks, 0, 0, 9.8, 0, 0, 0, 30)], DateTimeOffset.UnixEpoch);
        await first.DisposeAsync();

        await using var again = await _feed.WatchAsync("dev-a", CancellationToken.None);

        Assert.Equal(2, _source.WatchCalls);
        Assert.False(again.Snapshot().HasSamples);
    }

    [Fact]
    public async Task DevicesAreWatchedSeparately()
    {
        await using var a = await _feed.WatchAsync("dev-a", CancellationToken.None);
        await using var b = await _feed.WatchAsync("dev-b", CancellationToken.None);

        _source.BufferOf("dev-b").Add([new LiveReading(DateTimeOffset.UnixEpoch.AddYears(56).UtcTicks, 0, 0, 9.8, 0, 0, 0, 30)], DateTimeOffset.UnixEpoch);

        Assert.False(a.Snapshot().HasSamples);
        Assert.True(b.Snapshot().HasSamples);
        Assert.Equal(DateTimeOffset.UnixEpoch, _feed.LastReceivedAt("dev-b"));
    }
}
