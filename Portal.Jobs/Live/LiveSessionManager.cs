using System.Buffers;
using System.Globalization;
using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Win32.SafeHandles;
using Portal.Core.Devices;

namespace Portal.Jobs.Live;

/// <summary>
/// One append-only spool file per device session under <c>{SpoolDir}/sessions/{deviceId}/</c>:
/// <c>{session}.active</c> while it records, renamed to <c>{session}.ended</c> when it ends, deleted only after
/// <see cref="ILiveRideSink"/> accepted the ride. The subscriber acknowledges a message only after
/// <see cref="FlushAsync(SpoolCommit, CancellationToken)"/> returned for the commit taken after it was appended, so
/// whatever was acknowledged is on disk. Appends are positional writes; a commit fsyncs every spool written since the
/// previous commit on dedicated threads, while the next messages are already being appended (group commit). Files left by a crash are resumed
/// (active) or submitted (ended) by <see cref="RecoverAsync"/>. When a session ends, the newest sample time of the device's
/// ended session is kept durably in <c>{SpoolDir}/ended/{deviceId}</c> (one small file per device), so that a broker
/// redelivering messages of a session that already ended (the crash came between the end and the acknowledgements)
/// does not start a second ride with them.
/// </summary>
public sealed partial class LiveSessionManager(
    IOptions<MqttOptions> options,
    IServiceScopeFactory scopeFactory,
    LiveIngestMetrics metrics,
    TimeProvider timeProvider,
    ILogger<LiveSessionManager> logger) : IAsyncDisposable
{
    private const string ActiveExtension = ".active";
    private const string EndedExtension = ".ended";
    private const int FsyncThreads = 16;
    private static readonly TimeSpan MaxSubmitBackoff = TimeSpan.FromMinutes(5);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ArrayBufferWriter<byte> _lineBuffer = new(64 * 1024);
    private readonly Dictionary<string, ActiveSession> _active = new(StringComparer.Ordinal);
    private readonly HashSet<ActiveSession> _dirty = [];
    private readonly SpoolFsyncWorkers _fsync = new(FsyncThreads);
    private readonly Channel<string> _toSubmit = Channel.CreateUnbounded<string>();
    private readonly TimeSpan _idleTimeout = TimeSpan.FromSeconds(options.Value.Subscriber.IdleTimeoutSeconds);

    private readonly Dictionary<string, long> _lastEndedTicks = new(StringComparer.Ordinal);

    /// <summary>Slack above the session expiry before an ended mark is deleted (clock steps, a reconnect in progress).</summary>
    private static readonly TimeSpan EndedMarkMargin = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan EndedMarkSweepInterval = TimeSpan.FromMinutes(5);

    private string SessionsDir => Path.Combine(options.Value.Subscriber.SpoolDir!, "sessions");

    private string EndedMarksDir => Path.Combine(options.Value.Subscriber.SpoolDir!, "ended");

    /// <summary>Devices with a session in progress (for the live view and the health data).</summary>
    public IReadOnlyCollection<string> ActiveDevices
    {
        get
        {
            _gate.Wait();
            try
            {
                return [.. _active.Keys];
            }
            finally
            {
                _gate.Release();
            }
        }
    }

    /// <summary>Resumes active spools and queues ended ones for submission; call once before messages arrive.</summary>
    public async Task RecoverAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(SessionsDir);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            foreach (var file in Directory.EnumerateFiles(SessionsDir, "*", SearchOption.AllDirectories))
            {
                if (file.EndsWith(EndedExtension, StringComparison.Ordinal))
                {
                    _toSubmit.Writer.TryWrite(file);
                    LogRecovered(logger, file, "submitting");
                }
                else if (file.EndsWith(ActiveExtension, StringComparison.Ordinal) && ReadHeader(file) is { } header && !_active.ContainsKey(header.DeviceId))
                {
                    TruncateTornLine(file);
                    _active[header.DeviceId] = ActiveSession.Open(file, header, timeProvider.GetUtcNow());
                    LogRecovered(logger, file, "resuming");
                }
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Appends samples to the device's session (starting one if none is open); durable after the next commit's flush.</summary>
    public Task AppendAsync(string deviceId, Guid riderId, IReadOnlyList<LiveSample> samples, CancellationToken cancellationToken) =>
        AppendAsync(deviceId, riderId, samples, redelivered: false, cancellationToken);

    /// <summary>
    /// Appends samples to the device's session (starting one if none is open); durable after the next commit's flush.
    /// A <paramref name="redelivered"/> message (MQTT DUP: the broker sent it before and got no acknowledgement) that
    /// finds no open session and holds only samples no newer than the device's last ended session belongs to that
    /// session: it is dropped, not made into a second ride.
    /// </summary>
    /// <returns>False when the samples were dropped as a redelivery of an ended session.</returns>
    public async Task<bool> AppendAsync(string deviceId, Guid riderId, IReadOnlyList<LiveSample> samples, bool redelivered, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(samples);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (redelivered && !_active.ContainsKey(deviceId) && LastEndedTicks(deviceId) is { } endedTicks && samples.All(s => s.TimestampTicks <= endedTicks))
            {
                return false;
            }

            var session = GetOrStart(deviceId, riderId);
            _lineBuffer.ResetWrittenCount();
            foreach (var sample in samples)
            {
                sample.WriteSpoolLine(_lineBuffer);
            }

            session.Write(_lineBuffer.WrittenSpan);
            _dirty.Add(session);
            session.Samples += samples.Count;
            session.NewestTicks = samples.Count == 0 ? session.NewestTicks : Math.Max(session.NewestTicks, samples.Max(s => s.TimestampTicks));
            session.LastActivity = timeProvider.GetUtcNow();
            if (session.CrashWatch.Add(samples) is { } crash)
            {
                _ = NotifyCrashAsync(deviceId, session.Header.RiderId, crash);
            }

            return true;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Off the ingest path: a slow or failing database must not hold back acknowledgements.</summary>
    private async Task NotifyCrashAsync(string deviceId, Guid riderId, LiveCrashAlert crash)
    {
        try
        {
            LogLiveCrash(logger, deviceId, crash.Kind, crash.At);
            await using var scope = scopeFactory.CreateAsyncScope();
            if (scope.ServiceProvider.GetService<LiveCrashNotifier>() is { } notifier)
            {
                await notifier.NotifyAsync(deviceId, riderId, crash, CancellationToken.None);
            }
        }
        catch (Exception exception)
        {
            LogLiveCrashNotifyFailed(logger, exception, deviceId);
        }
    }

    /// <summary>fsyncs every session written since the last flush.</summary>
    public Task FlushAsync(CancellationToken cancellationToken) => FlushAsync(TakeCommit(), cancellationToken);

    /// <summary>
    /// The spools written since the previous commit. Every append made before this call is durable once
    /// <see cref="FlushAsync(SpoolCommit, CancellationToken)"/> of the returned commit has completed.
    /// </summary>
    public SpoolCommit TakeCommit()
    {
        _gate.Wait();
        try
        {
            if (_dirty.Count == 0)
            {
                return SpoolCommit.Empty;
            }

            var commit = new SpoolCommit([.. _dirty]);
            _dirty.Clear();
            return commit;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>fsyncs the commit's spools together (their journal commits are shared) on dedicated threads.</summary>
    public async Task FlushAsync(SpoolCommit commit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(commit);
        switch (commit.Sessions.Count)
        {
            case 0:
                return;
            case 1:
                await _fsync.RunAsync(commit.Sessions[0].FlushToDisk).WaitAsync(cancellationToken);
                return;
            default:
                var flushes = new Task[commit.Sessions.Count];
                for (var i = 0; i < flushes.Length; i++)
                {
                    flushes[i] = _fsync.RunAsync(commit.Sessions[i].FlushToDisk);
                }

                await Task.WhenAll(flushes).WaitAsync(cancellationToken);
                return;
        }
    }

    /// <summary>
    /// A start event: opens a session. An open session that already holds samples ends first; an empty one
    /// is kept (a redelivered start must not split a ride).
    /// </summary>
    public Task StartSessionAsync(string deviceId, Guid riderId, CancellationToken cancellationToken) =>
        StartSessionAsync(deviceId, riderId, redelivered: false, cancellationToken);

    /// <summary>
    /// A start event. A <paramref name="redelivered"/> one (MQTT DUP) was processed before a crash or reconnect, or
    /// never reached the spool: with in-order delivery the open session (if any) is the one it started, so it neither
    /// ends that session nor opens one (the telemetry after it opens one by itself).
    /// </summary>
    public async Task StartSessionAsync(string deviceId, Guid riderId, bool redelivered, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_active.TryGetValue(deviceId, out var session))
            {
                if (session.Samples == 0 || redelivered)
                {
                    session.LastActivity = timeProvider.GetUtcNow();
                    return;
                }

                EndLocked(deviceId, "start of a new session");
            }
            else if (redelivered)
            {
                return;
            }

            GetOrStart(deviceId, riderId);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>An end event: the session is closed durably and queued for submission. No-op without a session.</summary>
    public async Task<bool> EndSessionAsync(string deviceId, string why, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            return EndLocked(deviceId, why);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Ends idle sessions and submits ended ones until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var submitter = SubmitLoopAsync(cancellationToken);
        var sweepInterval = TimeSpan.FromMilliseconds(Math.Clamp(_idleTimeout.TotalMilliseconds / 4, 100, 5000));
        using var timer = new PeriodicTimer(sweepInterval, timeProvider);
        var nextMarkExpiry = timeProvider.GetUtcNow();
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                await EndIdleSessionsAsync(cancellationToken);
                if (timeProvider.GetUtcNow() >= nextMarkExpiry)
                {
                    await ExpireEndedMarksAsync(cancellationToken);
                    nextMarkExpiry = timeProvider.GetUtcNow() + EndedMarkSweepInterval;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }

        await submitter;
    }

    public async Task EndIdleSessionsAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var now = timeProvider.GetUtcNow();
            foreach (var (deviceId, session) in _active.ToList())
            {
                if (now - session.LastActivity >= _idleTimeout)
                {
                    EndLocked(deviceId, "idle timeout");
                }
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync();
        try
        {
            foreach (var session in _active.Values)
            {
                session.Dispose();
            }

            _active.Clear();
            _dirty.Clear();
            _fsync.Dispose();
        }
        finally
        {
            _gate.Release();
        }
    }

    private ActiveSession GetOrStart(string deviceId, Guid riderId)
    {
        if (_active.TryGetValue(deviceId, out var session))
        {
            return session;
        }

        var now = timeProvider.GetUtcNow();
        var directory = Path.Combine(SessionsDir, deviceId);
        Directory.CreateDirectory(directory);
        var sessionId = now.UtcDateTime.ToString("yyyyMMdd'T'HHmmssfff'Z'", CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N")[..6];
        var header = new SessionHeader(deviceId, riderId, sessionId);
        session = ActiveSession.Create(Path.Combine(directory, sessionId + ActiveExtension), header, now);
        _active[deviceId] = session;
        metrics.SessionStarted();
        LogSessionStarted(logger, deviceId, sessionId);
        return session;
    }

    private bool EndLocked(string deviceId, string why)
    {
        if (!_active.Remove(deviceId, out var session))
        {
            return false;
        }

        session.FlushToDisk();
        session.Dispose();
        _dirty.Remove(session);
        if (session.Samples > 0)
        {
            MarkEnded(deviceId, session.NewestTicks);
        }

        var ended = Path.ChangeExtension(session.Path, EndedExtension);
        File.Move(session.Path, ended);
        LogSessionEnded(logger, deviceId, session.Header.SessionId, session.Samples, why);
        _toSubmit.Writer.TryWrite(ended);
        return true;
    }

    /// <summary>
    /// Deletes <c>ended/{device}</c> marks older than the subscriber's session expiry (plus a margin): by then the broker
    /// no longer holds unacknowledged messages of that session, so nothing it could redeliver needs the mark.
    /// Marks of devices with a session in progress are kept. Returns how many were deleted.
    /// </summary>
    public async Task<int> ExpireEndedMarksAsync(CancellationToken cancellationToken)
    {
        if (!Directory.Exists(EndedMarksDir))
        {
            return 0;
        }

        var keepFor = TimeSpan.FromSeconds(options.Value.Subscriber.SessionExpirySeconds) + EndedMarkMargin;
        var now = timeProvider.GetUtcNow();
        var deleted = 0;
        await _gate.WaitAsync(cancellationToken);
        try
        {
            foreach (var mark in Directory.EnumerateFiles(EndedMarksDir))
            {
                var deviceId = Path.GetFileName(mark);
                if (_active.ContainsKey(deviceId) || now - File.GetLastWriteTimeUtc(mark) < keepFor)
                {
                    continue;
                }

                File.Delete(mark);
                _lastEndedTicks.Remove(deviceId);
                deleted++;
            }
        }
        finally
        {
            _gate.Release();
        }

        return deleted;
    }

    /// <summary>Durably records the newest sample time of the device's ended session (before its end is acknowledged).</summary>
    private void MarkEnded(string deviceId, long newestTicks)
    {
        Directory.CreateDirectory(EndedMarksDir);
        using (var handle = File.OpenHandle(Path.Combine(EndedMarksDir, deviceId), FileMode.Create, FileAccess.Write))
        {
            RandomAccess.Write(handle, Encoding.ASCII.GetBytes(newestTicks.ToString(CultureInfo.InvariantCulture)), 0);
            RandomAccess.FlushToDisk(handle);
        }

        // Stamped with the injected clock: ExpireEndedMarksAsync compares it with the same clock.
        File.SetLastWriteTimeUtc(Path.Combine(EndedMarksDir, deviceId), timeProvider.GetUtcNow().UtcDateTime);

        _lastEndedTicks[deviceId] = newestTicks;
    }

    /// <summary>The newest sample time of the device's last ended session; null if none ever ended here.</summary>
    private long? LastEndedTicks(string deviceId)
    {
        if (_lastEndedTicks.TryGetValue(deviceId, out var ticks))
        {
            return ticks;
        }

        var mark = Path.Combine(EndedMarksDir, deviceId);
        if (File.Exists(mark) && long.TryParse(File.ReadAllText(mark), NumberStyles.Integer, CultureInfo.InvariantCulture, out ticks))
        {
            _lastEndedTicks[deviceId] = ticks;
            return ticks;
        }

        return null;
    }

    private async Task SubmitLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var endedFile in _toSubmit.Reader.ReadAllAsync(cancellationToken))
            {
                await SubmitWithRetryAsync(endedFile, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async Task SubmitWithRetryAsync(string endedFile, CancellationToken cancellationToken)
    {
        var backoff = TimeSpan.FromSeconds(1);
        while (true)
        {
            try
            {
                await SubmitAsync(endedFile, cancellationToken);
                return;
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                metrics.SessionSubmitFailed();
                LogSubmitFailed(logger, exception, endedFile, backoff);
                await Task.Delay(backoff, timeProvider, cancellationToken);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxSubmitBackoff.Ticks));
            }
        }
    }

    private async Task SubmitAsync(string endedFile, CancellationToken cancellationToken)
    {
        if (!File.Exists(endedFile))
        {
            return;
        }

        var header = ReadHeader(endedFile) ?? throw new InvalidDataException($"The spool {endedFile} has no session header.");
        var csvFile = endedFile + ".csv";
        var rows = await LiveRideCsv.WriteAsync(endedFile, csvFile, cancellationToken);
        if (rows == 0)
        {
            LogEmptySession(logger, header.DeviceId, header.SessionId);
        }
        else
        {
            await using var csv = new FileStream(csvFile, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, FileOptions.SequentialScan | FileOptions.Asynchronous);
            await using var scope = scopeFactory.CreateAsyncScope();
            var sink = scope.ServiceProvider.GetRequiredService<ILiveRideSink>();
            var fileName = $"live-{header.DeviceId}-{header.SessionId}.csv";
            var rideId = await sink.SubmitLiveRideAsync(header.DeviceId, header.RiderId, csv, fileName, cancellationToken);
            metrics.SessionSubmitted();
            LogSubmitted(logger, header.DeviceId, header.SessionId, rows, rideId);
        }

        File.Delete(csvFile);
        File.Delete(endedFile);
    }

    internal sealed record SessionHeader(string DeviceId, Guid RiderId, string SessionId)
    {
        public string ToLine() => $"#session device={DeviceId} rider={RiderId:D} id={SessionId}\n";

        public static SessionHeader? Parse(string? line)
        {
            if (line is null || !line.StartsWith("#session ", StringComparison.Ordinal))
            {
                return null;
            }

            var fields = line[9..].Split(' ').Select(f => f.Split('=', 2)).Where(f => f.Length == 2).ToDictionary(f => f[0], f => f[1]);
            return fields.TryGetValue("device", out var device) && fields.TryGetValue("rider", out var rider) && Guid.TryParse(rider, out var riderId)
                && fields.TryGetValue("id", out var id)
                ? new SessionHeader(device, riderId, id)
                : null;
        }
    }

    private static SessionHeader? ReadHeader(string file)
    {
        using var reader = new StreamReader(file, Encoding.UTF8);
        return SessionHeader.Parse(reader.ReadLine());
    }

    /// <summary>A crash can leave half a line; it was never acknowledged, so the broker sends it again.</summary>
    private static void TruncateTornLine(string file)
    {
        using var stream = new FileStream(file, FileMode.Open, FileAccess.ReadWrite);
        var length = stream.Length;
        var position = length;
        while (position > 0)
        {
            stream.Position = position - 1;
            if (stream.ReadByte() == '\n')
            {
                break;
            }

            position--;
        }

        if (position != length)
        {
            stream.SetLength(position);
            stream.Flush(flushToDisk: true);
        }
    }

    /// <summary>
    /// An open spool: positional writes by the ingest loop, fsync by a commit on another thread (safe on one handle:
    /// the fsync covers at least what was written before it started). It is closed only after a final fsync, so a
    /// commit that finds it closed has nothing left to do.
    /// </summary>
    internal sealed class ActiveSession : IDisposable
    {
        private readonly SafeFileHandle _handle;
        private long _length;
        private volatile bool _closed;

        private ActiveSession(string path, SessionHeader header, SafeFileHandle handle, long length, DateTimeOffset now)
        {
            Path = path;
            Header = header;
            _handle = handle;
            _length = length;
            LastActivity = now;
        }

        public string Path { get; }
        public SessionHeader Header { get; }
        public LiveCrashWatch CrashWatch { get; } = new();
        public long Samples { get; set; }

        /// <summary>The newest sample time spooled (UTC ticks).</summary>
        public long NewestTicks { get; set; }
        public DateTimeOffset LastActivity { get; set; }

        public static ActiveSession Create(string path, SessionHeader header, DateTimeOffset now)
        {
            var handle = File.OpenHandle(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read);
            var session = new ActiveSession(path, header, handle, 0, now);
            session.Write(Encoding.UTF8.GetBytes(header.ToLine()));
            session.FlushToDisk();
            return session;
        }

        public static ActiveSession Open(string path, SessionHeader header, DateTimeOffset now)
        {
            long lines = 0, newest = 0;
            foreach (var line in File.ReadLines(path))
            {
                if (line.Length > 0 && line[0] != '#')
                {
                    lines++;
                    var comma = line.IndexOf(',', StringComparison.Ordinal);
                    if (comma > 0 && long.TryParse(line.AsSpan(0, comma), NumberStyles.Integer, CultureInfo.InvariantCulture, out var ticks))
                    {
                        newest = Math.Max(newest, ticks);
                    }
                }
            }

            var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Write, FileShare.Read);
            return new ActiveSession(path, header, handle, RandomAccess.GetLength(handle), now) { Samples = lines, NewestTicks = newest };
        }

        public void Write(ReadOnlySpan<byte> bytes)
        {
            RandomAccess.Write(_handle, bytes, _length);
            _length += bytes.Length;
        }

        public void FlushToDisk()
        {
            if (_closed)
            {
                return;
            }

            try
            {
                RandomAccess.FlushToDisk(_handle);
            }
            catch (ObjectDisposedException) when (_closed)
            {
                // Ended meanwhile: closing came after the session's final fsync.
            }
        }

        public void Dispose()
        {
            _closed = true;
            _handle.Dispose();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Live session {SessionId} of device {DeviceId} started")]
    private static partial void LogSessionStarted(ILogger logger, string deviceId, string sessionId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Live session {SessionId} of device {DeviceId} ended with {Samples} samples ({Why})")]
    private static partial void LogSessionEnded(ILogger logger, string deviceId, string sessionId, long samples, string why);

    [LoggerMessage(Level = LogLevel.Information, Message = "Live session {SessionId} of device {DeviceId} submitted as ride {RideId} ({Rows} rows)")]
    private static partial void LogSubmitted(ILogger logger, string deviceId, string sessionId, long rows, Guid rideId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Live session {SessionId} of device {DeviceId} had no samples and was discarded")]
    private static partial void LogEmptySession(ILogger logger, string deviceId, string sessionId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Submitting the live session {File} failed; retrying in {Backoff}")]
    private static partial void LogSubmitFailed(ILogger logger, Exception exception, string file, TimeSpan backoff);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Crash detected live on device {DeviceId}: {Kind} at {At}")]
    private static partial void LogLiveCrash(ILogger logger, string deviceId, string kind, DateTimeOffset at);

    [LoggerMessage(Level = LogLevel.Error, Message = "Notifying the live crash of device {DeviceId} failed")]
    private static partial void LogLiveCrashNotifyFailed(ILogger logger, Exception exception, string deviceId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Spool {File} left from a previous run: {Action}")]
    private static partial void LogRecovered(ILogger logger, string file, string action);
}

/// <summary>The spools to fsync before the messages appended up to <see cref="LiveSessionManager.TakeCommit"/> may be acknowledged.</summary>
public sealed class SpoolCommit
{
    internal static readonly SpoolCommit Empty = new([]);

    internal SpoolCommit(IReadOnlyList<LiveSessionManager.ActiveSession> sessions) => Sessions = sessions;

    internal IReadOnlyList<LiveSessionManager.ActiveSession> Sessions { get; }

    /// <summary>One commit covering several (for a committer that fell behind and takes them together).</summary>
    public static SpoolCommit Combine(IReadOnlyList<SpoolCommit> commits)
    {
        ArgumentNullException.ThrowIfNull(commits);
        return commits.Count == 1 ? commits[0] : new SpoolCommit([.. commits.SelectMany(c => c.Sessions).Distinct()]);
    }
}
