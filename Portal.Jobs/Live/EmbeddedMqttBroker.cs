using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MQTTnet.Protocol;
using MQTTnet.Server;
using Portal.Core.Devices;

namespace Portal.Jobs.Live;

/// <summary>
/// The MQTTnet broker of the embedded run and small sites. Devices log in with client id = username = device id
/// and their secret; a device may publish (and subscribe) only under <c>{prefix}/{its id}/</c>. The subscriber logs
/// in with <see cref="SubscriberCredentials"/>. Payloads above <c>Mqtt:Embedded:MaxPacketBytes</c> are refused;
/// packets far above it, CONNECTs above <c>MaxConnectPacketBytes</c> and connections without a CONNECT in time are
/// closed by <see cref="BoundedMqttServerAdapter"/> before their bodies are read. Each device has a connect-rate and
/// a message-rate budget; rotating its secret or disabling it disconnects its live session.
/// </summary>
public sealed partial class EmbeddedMqttBroker(
    IOptions<MqttOptions> options,
    IServiceScopeFactory scopeFactory,
    SubscriberCredentials subscriberCredentials,
    LiveIngestMetrics metrics,
    DeviceActivityTracker activity,
    TimeProvider timeProvider,
    ILogger<EmbeddedMqttBroker> logger) : IHostedService, IDeviceRevocationListener, IDisposable
{
    private const string DeviceKey = "portal.device";

    /// <summary>Marks a session logged in with the subscriber's credentials (the ingest subscriber, the live view): read-only.</summary>
    private const string ReaderKey = "portal.reader";
    private readonly ConcurrentDictionary<string, ConnectWindow> _connectWindows = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TokenBucket> _messageBuckets = new(StringComparer.Ordinal);
    private MqttServer? _server;
    private BoundedMqttServerAdapter? _adapter;

    public bool IsRunning => _server?.IsStarted == true;

    /// <summary>Ends the device's live session (its secret was replaced or it was disabled); a no-op when it is not connected.</summary>
    public async Task DeviceRevokedAsync(string deviceId, CancellationToken cancellationToken)
    {
        _messageBuckets.TryRemove(deviceId, out _);
        if (_server is not { IsStarted: true } server)
        {
            return;
        }

        try
        {
            var clients = await server.GetClientsAsync();
            if (clients.Any(c => string.Equals(c.Id, deviceId, StringComparison.Ordinal)))
            {
                await server.DisconnectClientAsync(deviceId, MqttDisconnectReasonCode.NotAuthorized);
                metrics.ConnectionRejected(RejectReason.Revoked);
                LogRevokedDisconnected(logger, deviceId);
            }
        }
        catch (Exception exception) when (exception is InvalidOperationException or ObjectDisposedException or MQTTnet.Exceptions.MqttCommunicationException)
        {
            // The client went away meanwhile: nothing left to end.
            LogRevokeRace(logger, deviceId, exception.Message);
        }
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var embedded = options.Value.Embedded;
        var builder = new MqttServerFactory().CreateServerOptionsBuilder()
            .WithPersistentSessions(true)
            .WithMaxPendingMessagesPerClient(embedded.MaxPendingMessagesPerClient)
            .WithPendingMessagesOverflowStrategy(MqttPendingMessagesOverflowStrategy.DropOldestQueuedMessage)
            .WithoutDefaultEndpoint();
        var certificate = string.IsNullOrWhiteSpace(embedded.CertificatePath)
            ? null
            : X509CertificateLoader.LoadPkcs12FromFile(embedded.CertificatePath, embedded.CertificatePassword);
        _adapter = new BoundedMqttServerAdapter(
            new BoundedListenerOptions(
                IPAddress.Parse(embedded.BindAddress),
                embedded.Port,
                embedded.TlsPort,
                certificate,
                new MqttPacketLimits(embedded.MaxConnectPacketBytes, embedded.MaxPacketBytes + EmbeddedBrokerOptions.PacketOverheadBytes),
                TimeSpan.FromSeconds(embedded.ConnectTimeoutSeconds),
                embedded.MaxConnections),
            metrics,
            timeProvider,
            logger);
        _server = new MqttServerFactory().CreateMqttServer(builder.Build(), [_adapter]);
        _server.ValidatingConnectionAsync += ValidateConnectionAsync;
        _server.InterceptingPublishAsync += InterceptPublishAsync;
        _server.InterceptingSubscriptionAsync += InterceptSubscriptionAsync;
        _server.ClientConnectedAsync += _ =>
        {
            metrics.ClientConnected();
            return Task.CompletedTask;
        };
        _server.ClientDisconnectedAsync += _ =>
        {
            metrics.ClientDisconnected();
            return Task.CompletedTask;
        };
        _server.QueuedApplicationMessageOverwrittenAsync += e =>
        {
            metrics.MessageRejected(RejectReason.QueueOverflow);
            LogQueueOverflow(logger, e.ReceiverClientId);
            return Task.CompletedTask;
        };
        await _server.StartAsync();
        metrics.SetBrokerRunning(true);
        LogStarted(logger, embedded.BindAddress, embedded.Port, certificate is null ? null : embedded.TlsPort);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_server is { } server)
        {
            metrics.SetBrokerRunning(false);
            await server.StopAsync(new MqttServerStopOptions());
            server.Dispose();
            _server = null;
            _adapter = null;
        }
    }

    public void Dispose() => _server?.Dispose();

    private async Task ValidateConnectionAsync(ValidatingConnectionEventArgs args)
    {
        if (subscriberCredentials.Matches(args.UserName, args.Password))
        {
            args.SessionItems[ReaderKey] = true;
            metrics.ConnectionAccepted();
            return;
        }

        if (args.ClientId != args.UserName || string.IsNullOrEmpty(args.UserName))
        {
            Refuse(args, RejectReason.ClientIdMismatch, MqttConnectReasonCode.ClientIdentifierNotValid);
            return;
        }

        if (!TryTakeConnectAttempt(args.UserName))
        {
            Refuse(args, RejectReason.ConnectRateExceeded, MqttConnectReasonCode.ConnectionRateExceeded);
            return;
        }

        await using var scope = scopeFactory.CreateAsyncScope();
        var registry = scope.ServiceProvider.GetRequiredService<DeviceRegistry>();
        var result = await registry.AuthenticateAsync(args.UserName, args.Password ?? "", args.CancellationToken);
        switch (result.Outcome)
        {
            case DeviceAuthenticationOutcome.Accepted:
                args.SessionItems[DeviceKey] = result.Device!.Id;
                activity.RecordAccepted(result.Device.Id, timeProvider.GetUtcNow());
                metrics.ConnectionAccepted();
                break;
            case DeviceAuthenticationOutcome.Disabled:
                Refuse(args, RejectReason.DisabledDevice, MqttConnectReasonCode.Banned);
                break;
            case DeviceAuthenticationOutcome.WrongSecret:
                Refuse(args, RejectReason.WrongSecret, MqttConnectReasonCode.BadUserNameOrPassword);
                break;
            default:
                Refuse(args, RejectReason.UnknownDevice, MqttConnectReasonCode.BadUserNameOrPassword);
                break;
        }
    }

    private void Refuse(ValidatingConnectionEventArgs args, string reason, MqttConnectReasonCode code)
    {
        args.ReasonCode = code;
        metrics.ConnectionRejected(reason);
        LogConnectionRefused(logger, args.ClientId, args.UserName, reason);
    }

    private Task InterceptPublishAsync(InterceptingPublishEventArgs args)
    {
        var deviceId = args.SessionItems[DeviceKey] as string;
        var message = args.ApplicationMessage;
        if (deviceId is null)
        {
            // Readers (the subscriber and the live view) log in without a device and may only read.
            if (args.SessionItems[ReaderKey] is true)
            {
                args.ProcessPublish = false;
                args.Response.ReasonCode = MqttPubAckReasonCode.NotAuthorized;
                metrics.MessageRejected(RejectReason.ReaderPublish);
                LogReaderPublishRefused(logger, args.ClientId, message.Topic);
            }

            return Task.CompletedTask;
        }

        string? reason = null;
        if (!message.Topic.StartsWith($"{options.Value.TopicPrefix}/{deviceId}/", StringComparison.Ordinal))
        {
            reason = RejectReason.ForeignTopic;
            args.Response.ReasonCode = MqttPubAckReasonCode.NotAuthorized;
        }
        else if (message.Payload.Length > options.Value.Embedded.MaxPacketBytes)
        {
            reason = RejectReason.Oversized;
            args.Response.ReasonCode = MqttPubAckReasonCode.QuotaExceeded;
        }
        else if (!TryTakeMessage(deviceId))
        {
            reason = RejectReason.MessageRateExceeded;
            args.Response.ReasonCode = MqttPubAckReasonCode.QuotaExceeded;
        }

        if (reason is null)
        {
            metrics.BrokerMessageAccepted();
            return Task.CompletedTask;
        }

        args.ProcessPublish = false;
        metrics.MessageRejected(reason);
        activity.RecordRejected(deviceId, timeProvider.GetUtcNow());
        LogPublishRefused(logger, deviceId, message.Topic, message.Payload.Length, reason);
        return Task.CompletedTask;
    }

    private Task InterceptSubscriptionAsync(InterceptingSubscriptionEventArgs args)
    {
        if (args.SessionItems[DeviceKey] is string deviceId
            && !args.TopicFilter.Topic.StartsWith($"{options.Value.TopicPrefix}/{deviceId}/", StringComparison.Ordinal))
        {
            args.ProcessSubscription = false;
            args.Response.ReasonCode = MqttSubscribeReasonCode.NotAuthorized;
            metrics.MessageRejected(RejectReason.ForbiddenSubscription);
        }

        return Task.CompletedTask;
    }

    /// <summary>Fixed one-minute windows of CONNECT attempts per device id; old windows are pruned when many are kept.</summary>
    private bool TryTakeConnectAttempt(string deviceId)
    {
        var now = timeProvider.GetUtcNow();
        if (_connectWindows.Count > 10_000)
        {
            foreach (var (key, window) in _connectWindows)
            {
                if (now - window.Start >= TimeSpan.FromMinutes(1))
                {
                    _connectWindows.TryRemove(key, out _);
                }
            }
        }

        var limit = options.Value.Embedded.MaxConnectsPerDevicePerMinute;
        var updated = _connectWindows.AddOrUpdate(
            deviceId,
            _ => new ConnectWindow(now, 1),
            (_, window) => now - window.Start >= TimeSpan.FromMinutes(1) ? new ConnectWindow(now, 1) : window with { Count = window.Count + 1 });
        return updated.Count <= limit;
    }

    private bool TryTakeMessage(string deviceId)
    {
        var embedded = options.Value.Embedded;
        var bucket = _messageBuckets.GetOrAdd(deviceId, _ => new TokenBucket(embedded.MessageBurstPerDevice, embedded.MaxMessagesPerSecondPerDevice, timeProvider));
        return bucket.TryTake();
    }

    private sealed record ConnectWindow(DateTimeOffset Start, int Count);

    /// <summary>Refills continuously at the sustained rate up to the burst size; one token per message.</summary>
    private sealed class TokenBucket(int capacity, int perSecond, TimeProvider timeProvider)
    {
        private readonly Lock _lock = new();
        private double _tokens = capacity;
        private long _last = timeProvider.GetTimestamp();

        public bool TryTake()
        {
            lock (_lock)
            {
                var now = timeProvider.GetTimestamp();
                _tokens = Math.Min(capacity, _tokens + (timeProvider.GetElapsedTime(_last, now).TotalSeconds * perSecond));
                _last = now;
                if (_tokens < 1)
                {
                    return false;
                }

                _tokens--;
                return true;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Embedded MQTT broker listening on {Address} port {Port} (TLS port {TlsPort})")]
    private static partial void LogStarted(ILogger logger, string address, int port, int? tlsPort);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Device {DeviceId} was revoked (secret replaced or disabled): its live session was disconnected")]
    private static partial void LogRevokedDisconnected(ILogger logger, string deviceId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Disconnecting revoked device {DeviceId} found it gone: {Message}")]
    private static partial void LogRevokeRace(ILogger logger, string deviceId, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT connection of client {ClientId} (user {UserName}) refused: {Reason}")]
    private static partial void LogConnectionRefused(ILogger logger, string clientId, string? userName, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publish by device {DeviceId} to {Topic} ({Bytes} bytes) refused: {Reason}")]
    private static partial void LogPublishRefused(ILogger logger, string deviceId, string topic, long bytes, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publish by read-only client {ClientId} to {Topic} refused")]
    private static partial void LogReaderPublishRefused(ILogger logger, string clientId, string topic);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue of MQTT client {ClientId} overflowed: the oldest message was dropped")]
    private static partial void LogQueueOverflow(ILogger logger, string clientId);
}
