using System.Collections.Concurrent;

namespace Portal.Jobs.Live;

/// <summary>Why a connection or message was refused; the names appear in the health data and the logs.</summary>
public static class RejectReason
{
    public const string UnknownDevice = "unknown_device";
    public const string WrongSecret = "wrong_secret";
    public const string DisabledDevice = "disabled_device";
    public const string ClientIdMismatch = "client_id_mismatch";
    public const string ForeignTopic = "foreign_topic";
    public const string ForbiddenSubscription = "forbidden_subscription";
    public const string ReaderPublish = "reader_publish";
    public const string Oversized = "oversized";
    public const string MalformedJson = "malformed_json";
    public const string NoKnownKeys = "no_known_keys";
    public const string BadTimestamp = "bad_timestamp";
    public const string UnknownTopic = "unknown_topic";
    public const string BadSessionEvent = "bad_session_event";
    public const string QueueOverflow = "queue_overflow";
    public const string PacketTooLarge = "packet_too_large";
    public const string ConnectTimeout = "connect_timeout";
    public const string ProtocolViolation = "protocol_violation";
    public const string TooManyConnections = "too_many_connections";
    public const string ConnectRateExceeded = "connect_rate_exceeded";
    public const string MessageRateExceeded = "message_rate_exceeded";
    public const string Revoked = "revoked";
}

/// <summary>
/// Counters of the embedded broker and the subscriber, shown by the "mqtt" health check and the admin page.
/// Thread-safe; monotonic except the gauges (connected clients, subscriber connection).
/// </summary>
public sealed class LiveIngestMetrics
{
    private const int LagReservoirSize = 65_536;

    private readonly ConcurrentDictionary<string, long> _connectionsRejected = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _messagesRejected = new(StringComparer.Ordinal);
    private readonly double[] _lagMilliseconds = new double[LagReservoirSize];
    private long _lagCount;
    private long _connectionsAccepted;
    private long _clientsConnected;
    private long _brokerMessagesAccepted;
    private long _messagesSpooled;
    private long _samplesSpooled;
    private long _sessionsStarted;
    private long _sessionsSubmitted;
    private long _sessionSubmitFailures;
    private long _subscriberConnects;
    private long _spoolFlushes;
    private long _messagesOtherPartition;
    private long _redeliveriesOfEndedSessions;
    private int _subscriberConnected;
    private int _brokerRunning;

    public long ConnectionsAccepted => Interlocked.Read(ref _connectionsAccepted);
    public long ClientsConnected => Interlocked.Read(ref _clientsConnected);
    public long BrokerMessagesAccepted => Interlocked.Read(ref _brokerMessagesAccepted);
    public long MessagesSpooled => Interlocked.Read(ref _messagesSpooled);
    public long SamplesSpooled => Interlocked.Read(ref _samplesSpooled);
    public long SessionsStarted => Interlocked.Read(ref _sessionsStarted);
    public long SessionsSubmitted => Interlocked.Read(ref _sessionsSubmitted);
    public long SessionSubmitFailures => Interlocked.Read(ref _sessionSubmitFailures);
    public long SubscriberConnects => Interlocked.Read(ref _subscriberConnects);

    /// <summary>Messages of devices in another instance's partition (acknowledged, not spooled).</summary>
    public long MessagesOfOtherPartitions => Interlocked.Read(ref _messagesOtherPartition);

    /// <summary>Redelivered (DUP) telemetry of a session that had already ended here: acknowledged, not spooled again.</summary>
    public long RedeliveriesOfEndedSessions => Interlocked.Read(ref _redeliveriesOfEndedSessions);

    /// <summary>fsync rounds of the spool; messages spooled per flush shows how well acknowledgements are batched.</summary>
    public long SpoolFlushes => Interlocked.Read(ref _spoolFlushes);
    public bool SubscriberConnected => Volatile.Read(ref _subscriberConnected) == 1;
    public bool BrokerRunning => Volatile.Read(ref _brokerRunning) == 1;

    public IReadOnlyDictionary<string, long> ConnectionsRejected => new Dictionary<string, long>(_connectionsRejected);
    public IReadOnlyDictionary<string, long> MessagesRejected => new Dictionary<string, long>(_messagesRejected);

    public long ConnectionsRejectedFor(string reason) => _connectionsRejected.GetValueOrDefault(reason);
    public long MessagesRejectedFor(string reason) => _messagesRejected.GetValueOrDefault(reason);
    public long MessagesRejectedTotal => _messagesRejected.Values.Sum();

    internal void ConnectionAccepted() => Interlocked.Increment(ref _connectionsAccepted);
    internal void ConnectionRejected(string reason) => _connectionsRejected.AddOrUpdate(reason, 1, static (_, n) => n + 1);
    internal void ClientConnected() => Interlocked.Increment(ref _clientsConnected);
    internal void ClientDisconnected() => Interlocked.Decrement(ref _clientsConnected);
    internal void BrokerMessageAccepted() => Interlocked.Increment(ref _brokerMessagesAccepted);
    internal void MessageRejected(string reason) => _messagesRejected.AddOrUpdate(reason, 1, static (_, n) => n + 1);
    internal void MessageOfOtherPartition() => Interlocked.Increment(ref _messagesOtherPartition);
    internal void RedeliveryOfEndedSessionDropped() => Interlocked.Increment(ref _redeliveriesOfEndedSessions);
    internal void SpoolFlushed() => Interlocked.Increment(ref _spoolFlushes);
    internal void SessionStarted() => Interlocked.Increment(ref _sessionsStarted);
    internal void SessionSubmitted() => Interlocked.Increment(ref _sessionsSubmitted);
    internal void SessionSubmitFailed() => Interlocked.Increment(ref _sessionSubmitFailures);
    internal void SetBrokerRunning(bool running) => Volatile.Write(ref _brokerRunning, running ? 1 : 0);

    internal void SetSubscriberConnected(bool connected)
    {
        if (connected)
        {
            Interlocked.Increment(ref _subscriberConnects);
        }

        Volatile.Write(ref _subscriberConnected, connected ? 1 : 0);
    }

    /// <summary>One telemetry message durably spooled; the lag is spool time minus its newest sample's timestamp.</summary>
    internal void MessageSpooled(int samples, TimeSpan lag)
    {
        Interlocked.Increment(ref _messagesSpooled);
        Interlocked.Add(ref _samplesSpooled, samples);
        var slot = Interlocked.Increment(ref _lagCount) - 1;
        _lagMilliseconds[slot % LagReservoirSize] = lag.TotalMilliseconds;
    }

    /// <summary>Percentile (0–100) of the sample-to-spool lag over the most recent messages; null before any.</summary>
    public double? IngestLagPercentileMs(double percentile)
    {
        var count = (int)Math.Min(Interlocked.Read(ref _lagCount), LagReservoirSize);
        if (count == 0)
        {
            return null;
        }

        var copy = _lagMilliseconds.AsSpan(0, count).ToArray();
        Array.Sort(copy);
        var index = (int)Math.Clamp(Math.Ceiling(percentile / 100 * count) - 1, 0, count - 1);
        return copy[index];
    }
}
