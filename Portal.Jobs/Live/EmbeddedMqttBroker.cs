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
/// in with <see cref="SubscriberCredentials"/>. Payloads above <c>Mqtt:Embedded:MaxPacketBytes</c> are refused.
/// </summary>
public sealed partial class EmbeddedMqttBroker(
    IOptions<MqttOptions> options,
    IServiceScopeFactory scopeFactory,
    SubscriberCredentials subscriberCredentials,
    LiveIngestMetrics metrics,
    DeviceActivityTracker activity,
    TimeProvider timeProvider,
    ILogger<EmbeddedMqttBroker> logger) : IHostedService, IDisposable
{
    private const string DeviceKey = "portal.device";

    /// <summary>Marks a session logged in with the subscriber's credentials (the ingest subscriber, the live view): read-only.</summary>
    private const string ReaderKey = "portal.reader";
    private MqttServer? _server;

    public bool IsRunning => _server?.IsStarted == true;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var embedded = options.Value.Embedded;
        var builder = new MqttServerFactory().CreateServerOptionsBuilder()
            .WithPersistentSessions(true)
            .WithMaxPendingMessagesPerClient(embedded.MaxPendingMessagesPerClient)
            .WithPendingMessagesOverflowStrategy(MqttPendingMessagesOverflowStrategy.DropOldestQueuedMessage);
        builder = embedded.Port > 0
            ? builder.WithDefaultEndpoint().WithDefaultEndpointPort(embedded.Port)
            : builder.WithoutDefaultEndpoint();
        if (!string.IsNullOrWhiteSpace(embedded.CertificatePath))
        {
            var certificate = X509CertificateLoader.LoadPkcs12FromFile(embedded.CertificatePath, embedded.CertificatePassword);
            builder = builder.WithEncryptedEndpoint().WithEncryptedEndpointPort(embedded.TlsPort).WithEncryptionCertificate(certificate);
        }

        _server = new MqttServerFactory().CreateMqttServer(builder.Build());
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
        LogStarted(logger, embedded.Port, string.IsNullOrWhiteSpace(embedded.CertificatePath) ? null : embedded.TlsPort);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_server is { } server)
        {
            metrics.SetBrokerRunning(false);
            await server.StopAsync(new MqttServerStopOptions());
            server.Dispose();
            _server = null;
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Embedded MQTT broker listening on port {Port} (TLS port {TlsPort})")]
    private static partial void LogStarted(ILogger logger, int port, int? tlsPort);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT connection of client {ClientId} (user {UserName}) refused: {Reason}")]
    private static partial void LogConnectionRefused(ILogger logger, string clientId, string? userName, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publish by device {DeviceId} to {Topic} ({Bytes} bytes) refused: {Reason}")]
    private static partial void LogPublishRefused(ILogger logger, string deviceId, string topic, long bytes, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publish by read-only client {ClientId} to {Topic} refused")]
    private static partial void LogReaderPublishRefused(ILogger logger, string clientId, string topic);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue of MQTT client {ClientId} overflowed: the oldest message was dropped")]
    private static partial void LogQueueOverflow(ILogger logger, string clientId);
}
