using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Formatter;
using Portal.Core.Live;

namespace Portal.Jobs.Live;

/// <summary>
/// The live view's MQTT client. While at least one device is watched it holds ONE non-persistent connection (clean
/// start, no session expiry, its own client id) with the subscriber's read-only login, and subscribes at QoS 0 to
/// <c>{prefix}/{device}/telemetry</c> and <c>…/session</c> of exactly the watched devices. It never touches the ingest
/// subscriber's session, so it works beside an ingest process elsewhere. Reconnects by itself (ping check every second,
/// backoff 1 s → 30 s) and disconnects when the last device is no longer watched.
/// </summary>
public sealed partial class MqttLiveTelemetrySource(
    IOptions<MqttOptions> options,
    SubscriberCredentials credentials,
    TimeProvider timeProvider,
    ILogger<MqttLiveTelemetrySource> logger) : ILiveTelemetrySource, IAsyncDisposable
{
    private static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<string, LiveDeviceBuffer> _watched = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private readonly SemaphoreSlim _wake = new(0, int.MaxValue);
    private CancellationTokenSource? _loopStop;
    private Task? _loop;
    private volatile bool _connected;

    /// <summary>This portal instance's client id: the subscriber's with a random suffix, so replicas never take each other's connection.</summary>
    public string ClientId { get; } = $"{BaseClientId(options.Value)}-live-{Guid.NewGuid().ToString("N")[..8]}";

    public bool IsConnected => _connected;

    /// <summary>The devices currently watched.</summary>
    public IReadOnlyCollection<string> WatchedDevices => [.. _watched.Keys];

    public async Task<IAsyncDisposable> WatchAsync(string deviceId, LiveDeviceBuffer buffer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        if (string.IsNullOrEmpty(deviceId) || deviceId.IndexOfAny(['/', '+', '#']) >= 0)
        {
            throw new ArgumentException($"'{deviceId}' is not a device id: it must be non-empty and contain no '/', '+' or '#'.", nameof(deviceId));
        }

        await _lifecycle.WaitAsync(cancellationToken);
        try
        {
            if (!_watched.TryAdd(deviceId, buffer))
            {
                throw new InvalidOperationException($"Device {deviceId} is already watched; watch it once and share the buffer.");
            }

            if (_loop is null)
            {
                _loopStop = new CancellationTokenSource();
                _loop = Task.Run(() => ConnectionLoopAsync(_loopStop.Token), CancellationToken.None);
            }
            else
            {
                _wake.Release();
            }
        }
        finally
        {
            _lifecycle.Release();
        }

        return new Subscription(this, deviceId);
    }

    public async ValueTask DisposeAsync()
    {
        await _lifecycle.WaitAsync();
        try
        {
            _watched.Clear();
            await StopLoopAsync();
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    private async ValueTask UnwatchAsync(string deviceId)
    {
        await _lifecycle.WaitAsync();
        try
        {
            _watched.TryRemove(deviceId, out _);
            if (_watched.IsEmpty)
            {
                await StopLoopAsync();
            }
            else
            {
                _wake.Release();
            }
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    private async Task StopLoopAsync()
    {
        if (_loop is not { } loop)
        {
            return;
        }

        await _loopStop!.CancelAsync();
        await loop;
        _loopStop.Dispose();
        _loopStop = null;
        _loop = null;
    }

    /// <summary>
    /// Keeps the connection up and the subscriptions equal to the watched devices. Only this loop subscribes, so a device
    /// watched while a connect is under way is subscribed on the next pass, never missed.
    /// </summary>
    private async Task ConnectionLoopAsync(CancellationToken stop)
    {
        using var client = new MqttClientFactory().CreateMqttClient();
        client.ApplicationMessageReceivedAsync += received =>
        {
            Deliver(received.ApplicationMessage);
            return Task.CompletedTask;
        };
        var clientOptions = BuildClientOptions();
        var subscribed = new HashSet<string>(StringComparer.Ordinal);
        var backoff = TimeSpan.FromSeconds(1);
        while (!stop.IsCancellationRequested)
        {
            try
            {
                if (!client.IsConnected || !await client.TryPingAsync(stop))
                {
                    _connected = false;
                    subscribed.Clear();
                    var result = await client.ConnectAsync(clientOptions, stop);
                    if (result.ResultCode != MqttClientConnectResultCode.Success)
                    {
                        throw new InvalidOperationException($"The broker refused the live view client: {result.ResultCode} {result.ReasonString}");
                    }

                    LogConnected(logger, ClientId);
                }

                await ReconcileSubscriptionsAsync(client, subscribed, stop);
                _connected = true;
                backoff = TimeSpan.FromSeconds(1);
                await _wake.WaitAsync(CheckInterval, stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception exception)
            {
                _connected = false;
                LogConnectFailed(logger, exception.Message, backoff);
                try
                {
                    await Task.Delay(backoff, timeProvider, stop);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            }
        }

        _connected = false;
        if (client.IsConnected)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await client.DisconnectAsync(new MqttClientDisconnectOptions(), timeout.Token);
            }
            catch (Exception exception) when (exception is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException)
            {
                LogConnectFailed(logger, exception.Message, TimeSpan.Zero);
            }
        }
    }

    private async Task ReconcileSubscriptionsAsync(IMqttClient client, HashSet<string> subscribed, CancellationToken cancellationToken)
    {
        var wanted = _watched.Keys.ToHashSet(StringComparer.Ordinal);
        var prefix = options.Value.TopicPrefix;
        var toAdd = wanted.Except(subscribed).ToList();
        if (toAdd.Count > 0)
        {
            var subscribe = new MqttClientSubscribeOptionsBuilder();
            foreach (var deviceId in toAdd)
            {
                // QoS 0: a live view shows what arrives now; redelivering old samples would only be dropped.
                subscribe = subscribe
                    .WithTopicFilter(f => f.WithTopic($"{prefix}/{deviceId}/telemetry").WithAtMostOnceQoS())
                    .WithTopicFilter(f => f.WithTopic($"{prefix}/{deviceId}/session").WithAtMostOnceQoS());
            }

            var result = await client.SubscribeAsync(subscribe.Build(), cancellationToken);
            var refused = result.Items.FirstOrDefault(item => item.ResultCode > MqttClientSubscribeResultCode.GrantedQoS2);
            if (refused is not null)
            {
                throw new InvalidOperationException($"The broker refused the live view's subscription to {refused.TopicFilter.Topic}: {refused.ResultCode}.");
            }

            subscribed.UnionWith(toAdd);
        }

        var toRemove = subscribed.Except(wanted).ToList();
        if (toRemove.Count > 0)
        {
            var unsubscribe = new MqttClientUnsubscribeOptionsBuilder();
            foreach (var deviceId in toRemove)
            {
                unsubscribe = unsubscribe.WithTopicFilter($"{prefix}/{deviceId}/telemetry").WithTopicFilter($"{prefix}/{deviceId}/session");
            }

            await client.UnsubscribeAsync(unsubscribe.Build(), cancellationToken);
            subscribed.ExceptWith(toRemove);
        }
    }

    /// <summary>Parses a message of a watched device into its buffer; anything else is ignored (the ingest subscriber counts rejects).</summary>
    private void Deliver(MqttApplicationMessage message)
    {
        var mqtt = options.Value;
        var prefix = mqtt.TopicPrefix + "/";
        if (!message.Topic.StartsWith(prefix, StringComparison.Ordinal))
        {
            return;
        }

        var parts = message.Topic[prefix.Length..].Split('/');
        if (parts.Length != 2 || !_watched.TryGetValue(parts[0], out var buffer) || message.Payload.Length > mqtt.Subscriber.MaxPayloadBytes)
        {
            return;
        }

        var now = timeProvider.GetUtcNow();
        if (parts[1] == "telemetry")
        {
            var parsed = TelemetryPayload.Parse(message.Payload);
            if (parsed.Accepted)
            {
                buffer.Add(parsed.Samples.Select(ToReading).ToList(), now);
            }
        }
        else if (parts[1] == "session" && ReadSessionEvent(message) is { } sessionEvent)
        {
            buffer.OnSessionEvent(sessionEvent, now);
        }
    }

    private static LiveReading ToReading(LiveSample sample)
    {
        var values = sample.Values;
        return new LiveReading(
            sample.TimestampTicks,
            values[0] ?? double.NaN, values[1] ?? double.NaN, values[2] ?? double.NaN,
            values[3] ?? double.NaN, values[4] ?? double.NaN, values[5] ?? double.NaN,
            values[SpeedIndex] ?? double.NaN,
            values[LatitudeIndex] ?? double.NaN,
            values[LongitudeIndex] ?? double.NaN);
    }

    private static readonly int SpeedIndex = Array.IndexOf(LiveSample.ValueColumns, "speed");
    private static readonly int LatitudeIndex = Array.IndexOf(LiveSample.ValueColumns, "lat");
    private static readonly int LongitudeIndex = Array.IndexOf(LiveSample.ValueColumns, "lon");

    private static LiveSessionEvent? ReadSessionEvent(MqttApplicationMessage message)
    {
        try
        {
            using var document = JsonDocument.Parse(message.Payload);
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("event", out var value) && value.ValueKind == JsonValueKind.String)
            {
                return value.GetString() switch
                {
                    "start" => LiveSessionEvent.Start,
                    "end" => LiveSessionEvent.End,
                    _ => null,
                };
            }
        }
        catch (JsonException)
        {
        }

        return null;
    }

    private MqttClientOptions BuildClientOptions()
    {
        var mqtt = options.Value;
        var builder = new MqttClientOptionsBuilder()
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithClientId(ClientId)
            // Nothing to keep at the broker: a live view wants what is sent now, not a backlog.
            .WithCleanStart(true)
            .WithSessionExpiryInterval(0)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(15))
            .WithTimeout(TimeSpan.FromSeconds(10))
            .WithPortalBroker(mqtt, credentials);
        return builder.Build();
    }

    private static string BaseClientId(MqttOptions mqtt)
    {
        var configured = mqtt.Broker == MqttBrokerMode.External ? mqtt.External.ClientId ?? mqtt.Subscriber.ClientId : mqtt.Subscriber.ClientId;
        return string.IsNullOrWhiteSpace(configured) ? "ride-portal" : configured;
    }

    private sealed class Subscription(MqttLiveTelemetrySource source, string deviceId) : IAsyncDisposable
    {
        private int _disposed;

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                await source.UnwatchAsync(deviceId);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Live view client connected as {ClientId}")]
    private static partial void LogConnected(ILogger logger, string clientId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Live view client cannot connect: {Message}; next attempt in {Backoff}")]
    private static partial void LogConnectFailed(ILogger logger, string message, TimeSpan backoff);
}
