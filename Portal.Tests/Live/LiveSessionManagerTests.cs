using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Portal.Core.Devices;
using Portal.Jobs.Live;

namespace Portal.Tests.Live;

/// <summary>Session spools on disk: crash recovery, idle timeout, a failing sink.</summary>
[Trait("Category", "Live")]
public sealed class LiveSessionManagerTests : IAsyncDisposable
{
    private readonly string _spoolDir = Path.Combine(LiveTestHost.NewDirectory(), "spool");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 5, 3, 9, 0, 0, TimeSpan.Zero));
    private readonly RecordingLiveRideSink _sink = new();
    private readonly LiveIngestMetrics _metrics = new();
    private readonly ServiceProvider _services;
    private readonly CancellationTokenSource _stop = new();

    public LiveSessionManagerTests()
    {
        _services = new ServiceCollection().AddSingleton<ILiveRideSink>(_sink).BuildServiceProvider();
    }

    private LiveSessionManager NewManager() => new(
        Options.Create(new MqttOptions { Subscriber = new SubscriberOptions { SpoolDir = _spoolDir, IdleTimeoutSeconds = 60 } }),
        _services.GetRequiredService<IServiceScopeFactory>(), _metrics, _time, NullLogger<LiveSessionManager>.Instance);

    private static LiveSample Sample(long seq) => new() { TimestampTicks = new DateTimeOffset(2026, 5, 3, 9, 0, 0, TimeSpan.Zero).AddMilliseconds(seq * 20).UtcTicks, Seq = seq };

    [Fact]
    public async Task SpoolsLeftByACrash_AreFinishedOnStart_EndedOnesSubmitted_ActiveOnesResumedUntilIdle()
    {
        var riderA = Guid.NewGuid();
        var crashed = NewManager();
        await crashed.AppendAsync("dev-a", riderA, [Sample(1), Sample(2)], CancellationToken.None);
        await crashed.AppendAsync("dev-b", Guid.NewGuid(), [Sample(7)], CancellationToken.None);
        await crashed.FlushAsync(CancellationToken.None);
        await crashed.EndSessionAsync("dev-b", "end event", CancellationToken.None);
        await crashed.DisposeAsync();
        var activeFile = Directory.GetFiles(Path.Combine(_spoolDir, "sessions", "dev-a")).Single();
        await File.AppendAllTextAsync(activeFile, "6390000000000000000,1,2"); // half a line: the process died mid-write

        var restarted = NewManager();
        await restarted.RecoverAsync(CancellationToken.None);
        var running = restarted.RunAsync(_stop.Token);
        var endedRide = await _sink.WaitForAsync("dev-b", TimeSpan.FromSeconds(10));
        await restarted.AppendAsync("dev-a", riderA, [Sample(3)], CancellationToken.None);
        await restarted.FlushAsync(CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(61));
        var resumedRide = await _sink.WaitForAsync("dev-a", TimeSpan.FromSeconds(10));

        Assert.Equal([7L], endedRide.SeqNumbers);
        Assert.Equal([1L, 2L, 3L], resumedRide.SeqNumbers);
        Assert.Equal(riderA, resumedRide.RiderId);
        await LiveTestPorts.WaitUntilAsync(() => Directory.GetFiles(Path.Combine(_spoolDir, "sessions"), "*", SearchOption.AllDirectories).Length == 0,
            TimeSpan.FromSeconds(5), "the spools to be deleted after submission");
        await _stop.CancelAsync();
        await running;
    }

    [Fact]
    public async Task FailingSink_KeepsTheSpool_AndTheRideIsSubmittedWhenItRecovers()
    {
        var manager = NewManager();
        await manager.RecoverAsync(CancellationToken.None);
        var running = manager.RunAsync(_stop.Token);
        _sink.Fail = true;

        await manager.AppendAsync("dev-c", Guid.NewGuid(), [Sample(1), Sample(2)], CancellationToken.None);
        await manager.EndSessionAsync("dev-c", "end event", CancellationToken.None);
        await LiveTestPorts.WaitUntilAsync(() => _metrics.SessionSubmitFailures >= 1, TimeSpan.FromSeconds(10), "the first submission to fail");
        var keptWhileFailing = Directory.GetFiles(Path.Combine(_spoolDir, "sessions", "dev-c"), "*.ended");
        _sink.Fail = false;
        _time.Advance(TimeSpan.FromSeconds(2));
        var ride = await _sink.WaitForAsync("dev-c", TimeSpan.FromSeconds(10));

        Assert.Single(keptWhileFailing);
        Assert.Equal([1L, 2L], ride.SeqNumbers);
        await _stop.CancelAsync();
        await running;
    }

    [Fact]
    public async Task StartEvent_EndsASessionThatHasSamples_ButKeepsAnEmptyOne()
    {
        var manager = NewManager();
        await manager.RecoverAsync(CancellationToken.None);
        var running = manager.RunAsync(_stop.Token);
        var rider = Guid.NewGuid();

        await manager.StartSessionAsync("dev-d", rider, CancellationToken.None);
        await manager.StartSessionAsync("dev-d", rider, CancellationToken.None); // a redelivered start
        await manager.AppendAsync("dev-d", rider, [Sample(1)], CancellationToken.None);
        await manager.StartSessionAsync("dev-d", rider, CancellationToken.None);
        await manager.AppendAsync("dev-d", rider, [Sample(2)], CancellationToken.None);
        await manager.EndSessionAsync("dev-d", "end event", CancellationToken.None);

        await LiveTestPorts.WaitUntilAsync(() => _sink.Submissions.Count == 2, TimeSpan.FromSeconds(10), "two rides");
        Assert.Equal([[1L], [2L]], _sink.Submissions.Select(s => s.SeqNumbers).OrderBy(s => s[0]).ToArray());
        await _stop.CancelAsync();
        await running;
    }

    [Fact]
    public async Task Commit_CoversTheSpoolsWrittenBeforeIt_LaterAppendsWaitForTheNext_AndAnEndedSessionNeedsNoFsync()
    {
        var manager = NewManager();
        await manager.RecoverAsync(CancellationToken.None);
        await manager.AppendAsync("dev-e", Guid.NewGuid(), [Sample(1)], CancellationToken.None);
        await manager.AppendAsync("dev-f", Guid.NewGuid(), [Sample(1)], CancellationToken.None);
        var first = manager.TakeCommit();
        await manager.AppendAsync("dev-f", Guid.NewGuid(), [Sample(2)], CancellationToken.None);
        var second = manager.TakeCommit();
        var nothingNew = manager.TakeCommit();

        await manager.EndSessionAsync("dev-f", "end event", CancellationToken.None); // closes dev-f's spool after its own fsync
        await manager.FlushAsync(SpoolCommit.Combine([first, second]), CancellationToken.None);

        Assert.Equal(["dev-e", "dev-f"], first.Sessions.Select(s => s.Header.DeviceId).Order());
        Assert.Equal(["dev-f"], second.Sessions.Select(s => s.Header.DeviceId));
        Assert.Empty(nothingNew.Sessions);
        await manager.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _services.DisposeAsync();
        _stop.Dispose();
    }
}
