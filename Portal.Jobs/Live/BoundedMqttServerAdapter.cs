using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using MQTTnet.Adapter;
using MQTTnet.Diagnostics.Logger;
using MQTTnet.Formatter;
using MQTTnet.Implementations;
using MQTTnet.Server;

namespace Portal.Jobs.Live;

/// <summary>Where and how <see cref="BoundedMqttServerAdapter"/> listens, taken from <see cref="EmbeddedBrokerOptions"/>.</summary>
public sealed record BoundedListenerOptions(
    IPAddress BindAddress,
    int Port,
    int TlsPort,
    X509Certificate2? Certificate,
    MqttPacketLimits Limits,
    TimeSpan ConnectTimeout,
    int MaxConnections);

/// <summary>
/// The embedded broker's TCP (and TLS) listener in place of MQTTnet's own: every connection's channel is a
/// <see cref="BoundedMqttChannel"/>, so oversize packets are refused after their fixed header and connections that
/// do not send CONNECT in time are dropped; beyond <see cref="BoundedListenerOptions.MaxConnections"/> new
/// connections are closed at once.
/// </summary>
public sealed partial class BoundedMqttServerAdapter(
    BoundedListenerOptions listener,
    LiveIngestMetrics metrics,
    TimeProvider timeProvider,
    ILogger log) : IMqttServerAdapter
{
    private readonly List<Socket> _listeners = [];
    private CancellationTokenSource? _stopping;
    private MqttServerOptions? _serverOptions;
    private IMqttNetLogger? _mqttLogger;
    private int _connections;

    public Func<IMqttChannelAdapter, Task>? ClientHandler { get; set; }

    public Task StartAsync(MqttServerOptions options, IMqttNetLogger logger)
    {
        _serverOptions = options;
        _mqttLogger = logger;
        _stopping = new CancellationTokenSource();
        if (listener.Port > 0)
        {
            Listen(listener.Port, tls: false);
        }

        if (listener.Certificate is not null)
        {
            Listen(listener.TlsPort, tls: true);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync()
    {
        Cleanup();
        return Task.CompletedTask;
    }

    public void Dispose() => Cleanup();

    private void Cleanup()
    {
        _stopping?.Cancel();
        foreach (var socket in _listeners)
        {
            socket.Dispose();
        }

        _listeners.Clear();
        _stopping?.Dispose();
        _stopping = null;
    }

    private void Listen(int port, bool tls)
    {
        var socket = new Socket(listener.BindAddress.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        if (listener.BindAddress.Equals(IPAddress.IPv6Any))
        {
            socket.DualMode = true;
        }

        socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        socket.Bind(new IPEndPoint(listener.BindAddress, port));
        socket.Listen(512);
        _listeners.Add(socket);
        var token = _stopping!.Token;
        _ = Task.Run(() => AcceptAsync(socket, tls, token), token);
    }

    private async Task AcceptAsync(Socket listening, bool tls, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listening.AcceptAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException exception)
            {
                LogAcceptFailed(log, exception);
                continue;
            }

            if (Interlocked.Increment(ref _connections) > listener.MaxConnections)
            {
                Interlocked.Decrement(ref _connections);
                metrics.ConnectionRejected(RejectReason.TooManyConnections);
                LogConnectionRefused(log, client.RemoteEndPoint, RejectReason.TooManyConnections);
                client.Dispose();
                continue;
            }

            _ = Task.Run(() => HandleAsync(client, tls, cancellationToken), CancellationToken.None);
        }
    }

    private async Task HandleAsync(Socket client, bool tls, CancellationToken cancellationToken)
    {
        var remote = client.RemoteEndPoint;
        Stream? stream = null;
        try
        {
            client.NoDelay = true;
            stream = new NetworkStream(client, ownsSocket: true);
            X509Certificate2? clientCertificate = null;
            if (tls)
            {
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = ssl;
                using var handshake = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                handshake.CancelAfter(listener.ConnectTimeout);
                await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
                {
                    ServerCertificate = listener.Certificate,
                    EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                    EncryptionPolicy = EncryptionPolicy.RequireEncryption,
                }, handshake.Token).ConfigureAwait(false);
                clientCertificate = ssl.RemoteCertificate as X509Certificate2;
            }

            var local = (IPEndPoint)client.LocalEndPoint!;
            var channel = new BoundedMqttChannel(
                new MqttTcpChannel(stream, local, remote, clientCertificate),
                listener.Limits,
                listener.ConnectTimeout,
                timeProvider,
                violation => OnViolation(remote, violation));
            var formatter = new MqttPacketFormatterAdapter(new MqttBufferWriter(_serverOptions!.WriterBufferSize, _serverOptions.WriterBufferSizeMax));
            using var adapter = new MqttChannelAdapter(channel, formatter, _mqttLogger!);
            if (ClientHandler is { } handler)
            {
                await handler(adapter).ConfigureAwait(false);
            }
        }
        catch (Exception exception) when (exception is IOException or SocketException or OperationCanceledException or AuthenticationException or ObjectDisposedException)
        {
            // A client that hangs up, fails TLS or stalls its handshake: nothing to do but close.
            LogClientEnded(log, remote, exception.Message);
        }
        finally
        {
            if (stream is not null)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }

            client.Dispose();
            Interlocked.Decrement(ref _connections);
        }
    }

    private void OnViolation(EndPoint? remote, MqttChannelViolation violation)
    {
        var reason = violation switch
        {
            MqttChannelViolation.PacketTooLarge => RejectReason.PacketTooLarge,
            MqttChannelViolation.ConnectTimeout => RejectReason.ConnectTimeout,
            _ => RejectReason.ProtocolViolation,
        };
        metrics.ConnectionRejected(reason);
        LogConnectionRefused(log, remote, reason);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT connection from {Remote} closed: {Reason}")]
    private static partial void LogConnectionRefused(ILogger logger, EndPoint? remote, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "MQTT connection from {Remote} ended: {Message}")]
    private static partial void LogClientEnded(ILogger logger, EndPoint? remote, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Accepting an MQTT connection failed")]
    private static partial void LogAcceptFailed(ILogger logger, Exception exception);
}
