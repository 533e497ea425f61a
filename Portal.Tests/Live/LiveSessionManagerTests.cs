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
    public async Task EndedMark_IsKeptWhileTheBrokerMayRedeliver_AndDeletedOnceTheSubscribersSessionHasExpired()
    {
        var manager = NewManager();
        var rider = Guid.NewGuid();
        await manager.AppendAsync("dev-m", rider, [Sample(1), Sample(2)], CancellationToken.None);
        await manager.FlushAsync(CancellationToken.None);
        await manager.EndSessionAsync("dev-m", "end event", CancellationToken.None);
        var mark = Path.Combine(_spoolDir, "ended", "dev-m");

        _time.Advance(TimeSpan.FromSeconds(new SubscriberOptions().SessionExpirySeconds));
        var deletedWithinExpiry = await manager.ExpireEndedMarksAsync(CancellationToken.None);
        var keptWithinExpiry = File.Exists(mark);
        var redeliveryAccepted = await manager.AppendAsync("dev-m", rider, [Sample(2)], redelivered: true, CancellationToken.None);
        _time.Advance(TimeSpan.FromMinutes(11));
        var deletedAfterExpiry = await manager.ExpireEndedMarksAsync(CancellationToken.None);

        Assert.Equal(0, deletedWithinExpiry);
        Assert.True(keptWithinExpiry);
        Assert.False(redeliveryAccepted);
        Assert.Equal(1, deletedAfterExpiry);
        Assert.False(File.Exists(mark));
        await manager.DisposeAsync();
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

    [Fact]
    public async Task RedeliveredTelemetryOfASessionThatEndedBeforeACrash_IsDropped_NotMadeIntoASecondRide()
    {
        var rider = Guid.NewGuid();
        var crashed = NewManager();
        await crashed.AppendAsync("dev-g", rider, [Sample(1), Sample(2)], CancellationToken.None);
        await crashed.AppendAsync("dev-g", rider, [Sample(3)], CancellationToken.None);
        await crashed.EndSessionAsync("dev-g", "end event", CancellationToken.None);
        await crashed.DisposeAsync(); // killed before the last telemetry and the end event were acknowledged

        var restarted = NewManager();
        await restarted.RecoverAsync(CancellationToken.None);
        var running = restarted.RunAsync(_stop.Token);
        var redeliveredKept = await restarted.AppendAsync("dev-g", rider, [Sample(3)], redelivered: true, CancellationToken.None);
        await restarted.EndSessionAsync("dev-g", "end event", CancellationToken.None); // the redelivered end
        var ride = await _sink.WaitForAsync("dev-g", TimeSpan.FromSeconds(10));
        await WaitUntilSubmittedAsync("dev-g");

        Assert.False(redeliveredKept);
        Assert.DoesNotContain("dev-g", restarted.ActiveDevices);
        Assert.Equal([1L, 2L, 3L], ride.SeqNumbers);
        Assert.Single(_sink.Submissions);
        await _stop.CancelAsync();
        await running;
    }

    [Fact]
    public async Task AfterASessionEnded_ANewerRedeliveredMessage_OrAnOlderFirstDelivery_StillOpensTheNextSession()
    {
        var rider = Guid.NewGuid();
        var manager = NewManager();
        await manager.RecoverAsync(CancellationToken.None);
        await manager.AppendAsync("dev-h", rider, [Sample(5)], CancellationToken.None);
        await manager.EndSessionAsync("dev-h", "end event", CancellationToken.None);

        // Newer than the ended session: the next session's message, resent after a reconnect.
        Assert.True(await manager.AppendAsync("dev-h", rider, [Sample(6)], redelivered: true, CancellationToken.None));
        await manager.EndSessionAsync("dev-h", "end event", CancellationToken.None);
        // Not a redelivery: a device whose clock went back rides again; nothing is dropped on timestamps alone.
        Assert.True(await manager.AppendAsync("dev-h", rider, [Sample(1)], redelivered: false, CancellationToken.None));
        Assert.Contains("dev-h", manager.ActiveDevices);
        await manager.DisposeAsync();
    }

    [Fact]
    public async Task RedeliveredStartEvent_AfterACrash_NeitherEndsTheResumedSessionNorSplitsTheRide()
    {
        var rider = Guid.NewGuid();
        var crashed = NewManager();
        await crashed.StartSessionAsync("dev-i", rider, CancellationToken.None);
        await crashed.AppendAsync("dev-i", rider, [Sample(1), Sample(2)], CancellationToken.None);
        await crashed.FlushAsync(CancellationToken.None);
        await crashed.DisposeAsync(); // killed before the start event was acknowledged

        var restarted = NewManager();
        await restarted.RecoverAsync(CancellationToken.None);
        var running = restarted.RunAsync(_stop.Token);
        await restarted.StartSessionAsync("dev-i", rider, redelivered: true, CancellationToken.None);
        await restarted.AppendAsync("dev-i", rider, [Sample(2)], redelivered: true, CancellationToken.None);
        await restarted.AppendAsync("dev-i", rider, [Sample(3)], CancellationToken.None);
        await restarted.EndSessionAsync("dev-i", "end event", CancellationToken.None);
        await WaitUntilSubmittedAsync("dev-i");

        var ride = Assert.Single(_sink.Submissions);
        Assert.Equal([1L, 2L, 3L], ride.SeqNumbers);
        await _stop.CancelAsync();
        await running;
    }

    /// <summary>Waits until the device has no spool left: every session it had was submitted (or failed the test by timing out).</summary>
    private Task WaitUntilSubmittedAsync(string deviceId) =>
        LiveTestPorts.WaitUntilAsync(() => Directory.GetFiles(Path.Combine(_spoolDir, "sessions", deviceId)).Length == 0,
            TimeSpan.FromSeconds(10), $"{deviceId}'s sessions to be submitted");

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _services.DisposeAsync();
        _stop.Dispose();
    }
}
