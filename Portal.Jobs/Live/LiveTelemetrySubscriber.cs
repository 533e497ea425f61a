using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using Portal.Core.Devices;

namespace Portal.Jobs.Live;

/// <summary>
/// Subscribes to <c>{prefix}/+/telemetry</c> and <c>{prefix}/+/session</c> (QoS 1, MQTT 5, fixed client id, clean start
/// off, session expiry) on the embedded or external broker and feeds <see cref="LiveSessionManager"/>. Messages are
/// acknowledged manually, in batches, only after their samples were fsync'd to the spool; rejected messages are
/// acknowledged (so the broker does not send them again) and counted. Reconnects by itself with backoff.
/// </summary>
public sealed partial class LiveTelemetrySubscriber(
    IOptions<MqttOptions> options,
    LiveSessionManager sessions,
    IServiceScopeFactory scopeFactory,
    SubscriberCredentials credentials,
    LiveIngestMetrics metrics,
    DeviceActivityTracker activity,
    TimeProvider timeProvider,
    ILogger<LiveTelemetrySubscriber> logger) : BackgroundService
{
    private const int MaxBatch = 512;
    private const int MaxGroupsPerCommit = 64;
    private static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan KnownDeviceCacheTime = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan UnknownDeviceCacheTime = TimeSpan.FromSeconds(3);

    private readonly Channel<MqttApplicationMessageReceivedEventArgs> _inbox =
        Channel.CreateBounded<MqttApplicationMessageReceivedEventArgs>(new BoundedChannelOptions(8192) { SingleReader = true });
    private readonly Channel<CommitGroup> _commits =
        Channel.CreateBounded<CommitGroup>(new BoundedChannelOptions(256) { SingleReader = true, SingleWriter = true });
    private readonly Dictionary<string, (Device? Device, DateTimeOffset Until)> _devices = new(StringComparer.Ordinal);
    private volatile bool _reconnectRequested;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await sessions.RecoverAsync(stoppingToken);
        using var client = new MqttClientFactory().CreateMqttClient();
        client.ApplicationMessageReceivedAsync += async received =>
        {
            received.AutoAcknowledge = false;
            await _inbox.Writer.WriteAsync(received, stoppingToken);
        };
        client.DisconnectedAsync += disconnected =>
        {
            if (metrics.SubscriberConnected)
            {
                metrics.SetSubscriberConnected(false);
                LogDisconnected(logger, disconnected.Reason.ToString());
            }

            return Task.CompletedTask;
        };

        var sessionWork = sessions.RunAsync(stoppingToken);
        var processing = ProcessLoopAsync(stoppingToken);
        await ConnectionLoopAsync(client, stoppingToken);

        await DisconnectGracefullyAsync(client);
        await Task.WhenAll(sessionWork, processing);
        await sessions.DisposeAsync();
    }

    private async Task ConnectionLoopAsync(IMqttClient client, CancellationToken stoppingToken)
    {
        var clientOptions = BuildClientOptions();
        var backoff = TimeSpan.FromSeconds(1);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (_reconnectRequested && client.IsConnected)
                {
                    _reconnectRequested = false;
                    await client.DisconnectAsync(new MqttClientDisconnectOptions { SessionExpiryInterval = options.Value.Subscriber.SessionExpirySeconds }, stoppingToken);
                }

                if (!client.IsConnected || !await client.TryPingAsync(stoppingToken))
                {
                    metrics.SetSubscriberConnected(false);
                    var result = await client.ConnectAsync(clientOptions, stoppingToken);
                    if (result.ResultCode != MqttClientConnectResultCode.Success)
                    {
                        throw new InvalidOperationException($"The broker refused the subscriber: {result.ResultCode} {result.ReasonString}");
                    }

                    await SubscribeAsync(client, stoppingToken);
                    metrics.SetSubscriberConnected(true);
                    LogConnected(logger, clientOptions.ClientId, result.IsSessionPresent);
                    backoff = TimeSpan.FromSeconds(1);
                }

                await Task.Delay(CheckInterval, timeProvider, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                metrics.SetSubscriberConnected(false);
                LogConnectFailed(logger, exception.Message, backoff);
                try
                {
                    await Task.Delay(backoff, timeProvider, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            }
        }
    }

    private async Task DisconnectGracefullyAsync(IMqttClient client)
    {
        _inbox.Writer.TryComplete();
        if (client.IsConnected)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                // Keeps the broker-side session so QoS 1 messages sent while we are away wait for us.
                await client.DisconnectAsync(new MqttClientDisconnectOptions { SessionExpiryInterval = options.Value.Subscriber.SessionExpirySeconds }, timeout.Token);
            }
            catch (Exception exception) when (exception is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException)
            {
                LogConnectFailed(logger, exception.Message, TimeSpan.Zero);
            }
        }

        metrics.SetSubscriberConnected(false);
    }

    private MqttClientOptions BuildClientOptions()
    {
        var mqtt = options.Value;
        var builder = new MqttClientOptionsBuilder()
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithCleanStart(false)
            .WithSessionExpiryInterval(mqtt.Subscriber.SessionExpirySeconds)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(15))
            .WithTimeout(TimeSpan.FromSeconds(10))
            .WithClientId(mqtt.Broker == MqttBrokerMode.External ? mqtt.External.ClientId ?? mqtt.Subscriber.ClientId : mqtt.Subscriber.ClientId)
            .WithPortalBroker(mqtt, credentials);
        return builder.Build();
    }

    private async Task SubscribeAsync(IMqttClient client, CancellationToken cancellationToken)
    {
        var mqtt = options.Value;
        var share = string.IsNullOrEmpty(mqtt.Subscriber.SharedGroup) ? "" : $"$share/{mqtt.Subscriber.SharedGroup}/";
        var subscribe = new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(f => f.WithTopic($"{share}{mqtt.TopicPrefix}/+/telemetry").WithAtLeastOnceQoS())
            .WithTopicFilter(f => f.WithTopic($"{share}{mqtt.TopicPrefix}/+/session").WithAtLeastOnceQoS())
            .Build();
        var result = await client.SubscribeAsync(subscribe, cancellationToken);
        foreach (var item in result.Items)
        {
            if (item.ResultCode > MqttClientSubscribeResultCode.GrantedQoS2)
            {
                throw new InvalidOperationException($"The broker refused the subscription to {item.TopicFilter.Topic}: {item.ResultCode}.");
            }
        }
    }

    /// <summary>
    /// Parses and appends messages as they arrive and hands each drained chunk, with the spools it wrote, to the
    /// committer; the next chunk is appended while the previous one is being fsync'd.
    /// </summary>
    private async Task ProcessLoopAsync(CancellationToken stoppingToken)
    {
        var committing = CommitLoopAsync(stoppingToken);
        try
        {
            while (await _inbox.Reader.WaitToReadAsync(stoppingToken))
            {
                var acks = new List<MqttApplicationMessageReceivedEventArgs>();
                var spooled = new List<(int Samples, long NewestTicks)>();
                while (acks.Count < MaxBatch && _inbox.Reader.TryRead(out var received))
                {
                    try
                    {
                        if (await HandleAsync(received.ApplicationMessage, stoppingToken) is { } written)
                        {
                            spooled.Add(written);
                        }

                        acks.Add(received);
                    }
                    catch (Exception exception) when (exception is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                    {
                        // Not acknowledged: reconnecting makes the broker send it again (duplicates are dropped at the end).
                        LogSpoolFailed(logger, exception, 1);
                        _reconnectRequested = true;
                    }
                }

                await _commits.Writer.WriteAsync(new CommitGroup(sessions.TakeCommit(), acks, spooled), stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            _commits.Writer.TryComplete();
            await committing;
        }
    }

    /// <summary>
    /// Group commit: takes every chunk appended so far, fsyncs their spools together, then acknowledges their messages
    /// in order. A failed fsync acknowledges nothing of it; the reconnect makes the broker redeliver.
    /// </summary>
    private async Task CommitLoopAsync(CancellationToken stoppingToken)
    {
        var groups = new List<CommitGroup>();
        try
        {
            while (await _commits.Reader.WaitToReadAsync(stoppingToken))
            {
                groups.Clear();
                while (groups.Count < MaxGroupsPerCommit && _commits.Reader.TryRead(out var group))
                {
                    groups.Add(group);
                }

                var messages = groups.Sum(g => g.Acks.Count);
                try
                {
                    await sessions.FlushAsync(SpoolCommit.Combine([.. groups.Select(g => g.Spool)]), stoppingToken);
                    metrics.SpoolFlushed();
                }
                catch (Exception exception) when (exception is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    LogSpoolFailed(logger, exception, messages);
                    _reconnectRequested = true;
                    continue;
                }

                var now = timeProvider.GetUtcNow();
                foreach (var group in groups)
                {
                    foreach (var (samples, newestTicks) in group.Spooled)
                    {
                        metrics.MessageSpooled(samples, now - new DateTimeOffset(newestTicks, TimeSpan.Zero));
                    }
                }

                foreach (var group in groups)
                {
                    foreach (var received in group.Acks)
                    {
                        try
                        {
                            await received.AcknowledgeAsync(stoppingToken);
                        }
                        catch (Exception exception) when (exception is not OperationCanceledException)
                        {
                            // The connection dropped: the broker redelivers, and the duplicate is dropped when the session ends.
                            LogAckFailed(logger, exception.Message);
                        }
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private sealed record CommitGroup(SpoolCommit Spool, List<MqttApplicationMessageReceivedEventArgs> Acks, List<(int Samples, long NewestTicks)> Spooled);

    /// <returns>The spooled sample count and newest sample time of an accepted telemetry message; null otherwise.</returns>
    private async Task<(int, long)?> HandleAsync(MqttApplicationMessage message, CancellationToken cancellationToken)
    {
        var mqtt = options.Value;
        var prefix = mqtt.TopicPrefix + "/";
        var parts = message.Topic.StartsWith(prefix, StringComparison.Ordinal) ? message.Topic[prefix.Length..].Split('/') : [];
        if (parts.Length != 2 || parts[0].Length == 0 || parts[1] is not ("telemetry" or "session"))
        {
            Reject(null, message, RejectReason.UnknownTopic, null);
            return null;
        }

        var deviceId = parts[0];
        if (!mqtt.Subscriber.OwnsDevice(deviceId))
        {
            // Another partition's device: that instance spools it; acknowledging here only clears our own queue.
            metrics.MessageOfOtherPartition();
            return null;
        }

        var device = await FindDeviceAsync(deviceId, cancellationToken);
        if (device is null || device.Disabled)
        {
            Reject(null, message, device is null ? RejectReason.UnknownDevice : RejectReason.DisabledDevice, null);
            return null;
        }

        if (message.Payload.Length > mqtt.Subscriber.MaxPayloadBytes)
        {
            Reject(deviceId, message, RejectReason.Oversized, $"{message.Payload.Length} bytes");
            return null;
        }

        if (parts[1] == "session")
        {
            await HandleSessionEventAsync(device, message, cancellationToken);
            return null;
        }

        var parsed = TelemetryPayload.Parse(message.Payload);
        if (!parsed.Accepted)
        {
            Reject(deviceId, message, parsed.RejectReason!, parsed.Detail);
            return null;
        }

        if (parsed.SkippedSamples > 0)
        {
            metrics.MessageRejected(RejectReason.BadTimestamp);
        }

        if (!await sessions.AppendAsync(deviceId, device.RiderId, parsed.Samples, message.Dup, cancellationToken))
        {
            // The broker resent a message of a session that ended before a crash or reconnect: its samples are in that ride.
            metrics.RedeliveryOfEndedSessionDropped();
            return null;
        }

        activity.RecordAccepted(deviceId, timeProvider.GetUtcNow());
        return (parsed.Samples.Count, parsed.Samples.Max(s => s.TimestampTicks));
    }

    private async Task HandleSessionEventAsync(Device device, MqttApplicationMessage message, CancellationToken cancellationToken)
    {
        string? sessionEvent = null;
        try
        {
            using var document = JsonDocument.Parse(message.Payload);
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("event", out var value) && value.ValueKind == JsonValueKind.String)
            {
                sessionEvent = value.GetString();
            }
        }
        catch (JsonException)
        {
        }

        switch (sessionEvent)
        {
            case "start":
                await sessions.StartSessionAsync(device.Id, device.RiderId, message.Dup, cancellationToken);
                break;
            case "end":
                await sessions.EndSessionAsync(device.Id, "end event", cancellationToken);
                break;
            default:
                Reject(device.Id, message, RejectReason.BadSessionEvent, "expected {\"event\":\"start\"} or {\"event\":\"end\"}");
                return;
        }

        activity.RecordAccepted(device.Id, timeProvider.GetUtcNow());
    }

    private void Reject(string? deviceId, MqttApplicationMessage message, string reason, string? detail)
    {
        metrics.MessageRejected(reason);
        if (deviceId is not null)
        {
            activity.RecordRejected(deviceId, timeProvider.GetUtcNow());
        }

        LogRejected(logger, message.Topic, reason, detail);
    }

    private async Task<Device?> FindDeviceAsync(string deviceId, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        if (_devices.TryGetValue(deviceId, out var cached) && cached.Until > now)
        {
            return cached.Device;
        }

        await using var scope = scopeFactory.CreateAsyncScope();
        var device = await scope.ServiceProvider.GetRequiredService<DeviceRegistry>().FindAsync(deviceId, cancellationToken);
        _devices[deviceId] = (device, now + (device is null ? UnknownDeviceCacheTime : KnownDeviceCacheTime));
        return device;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Live subscriber connected as {ClientId} (session present: {SessionPresent})")]
    private static partial void LogConnected(ILogger logger, string clientId, bool sessionPresent);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Live subscriber disconnected: {Reason}")]
    private static partial void LogDisconnected(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Live subscriber cannot connect: {Message}; next attempt in {Backoff}")]
    private static partial void LogConnectFailed(ILogger logger, string message, TimeSpan backoff);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Live message on {Topic} rejected: {Reason} {Detail}")]
    private static partial void LogRejected(ILogger logger, string topic, string reason, string? detail);

    [LoggerMessage(Level = LogLevel.Error, Message = "Spooling a batch of {Count} live messages failed; they are not acknowledged and will be redelivered")]
    private static partial void LogSpoolFailed(ILogger logger, Exception exception, int count);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Acknowledging a live message failed: {Message}")]
    private static partial void LogAckFailed(ILogger logger, string message);
}
