using System.Buffers;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using MQTTnet.Channel;

namespace Portal.Jobs.Live;

/// <summary>Why <see cref="BoundedMqttChannel"/> closed a connection.</summary>
public enum MqttChannelViolation
{
    None,

    /// <summary>A packet's fixed header announced more bytes than allowed (before CONNECT: the pre-login limit).</summary>
    PacketTooLarge,

    /// <summary>The first packet was not a CONNECT.</summary>
    NotConnectFirst,

    /// <summary>No complete CONNECT arrived within the connect timeout.</summary>
    ConnectTimeout,
}

/// <summary>Packet size limits applied by <see cref="BoundedMqttChannel"/>, in bytes of the fixed header's remaining length.</summary>
public readonly record struct MqttPacketLimits(int BeforeConnect, int AfterConnect);

/// <summary>
/// Wraps a client's channel and follows the MQTT framing of the bytes the MQTTnet adapter reads: as soon as a fixed
/// header announces a remaining length above the limit (or the first packet is not a CONNECT) the channel answers
/// end-of-stream and closes the socket, so the body is never read and its buffer never allocated. A connection that
/// has not delivered a complete CONNECT within the timeout is closed the same way.
/// </summary>
public sealed class BoundedMqttChannel : IMqttChannel
{
    private readonly IMqttChannel _inner;
    private readonly MqttPacketLimits _limits;
    private readonly Action<MqttChannelViolation> _onViolation;
    private readonly ITimer _connectTimer;

    // Framing state: Type → Length (varint bytes) → Body.
    private int _state;
    private int _lengthBytes;
    private long _remainingLength;
    private long _bodyLeft;
    private volatile bool _connectReceived;
    private int _violation;

    public BoundedMqttChannel(IMqttChannel inner, MqttPacketLimits limits, TimeSpan connectTimeout, TimeProvider timeProvider, Action<MqttChannelViolation> onViolation)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _inner = inner;
        _limits = limits;
        _onViolation = onViolation;
        _connectTimer = timeProvider.CreateTimer(_ => ConnectTimedOut(), null, connectTimeout, Timeout.InfiniteTimeSpan);
    }

    public X509Certificate2 ClientCertificate => _inner.ClientCertificate;
    public EndPoint RemoteEndPoint => _inner.RemoteEndPoint;
    public EndPoint LocalEndPoint => _inner.LocalEndPoint;
    public bool IsSecureConnection => _inner.IsSecureConnection;
    public MqttChannelViolation Violation => (MqttChannelViolation)Volatile.Read(ref _violation);

    public Task ConnectAsync(CancellationToken cancellationToken) => _inner.ConnectAsync(cancellationToken);

    public Task DisconnectAsync(CancellationToken cancellationToken) => _inner.DisconnectAsync(cancellationToken);

    public Task WriteAsync(ReadOnlySequence<byte> buffer, bool isEndOfPacket, CancellationToken cancellationToken) =>
        _inner.WriteAsync(buffer, isEndOfPacket, cancellationToken);

    public async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        if (Violation != MqttChannelViolation.None)
        {
            return 0;
        }

        var read = await _inner.ReadAsync(buffer, offset, count, cancellationToken).ConfigureAwait(false);
        if (read <= 0)
        {
            return read;
        }

        var violation = Follow(buffer.AsSpan(offset, read));
        if (violation != MqttChannelViolation.None)
        {
            Close(violation);
            return 0;
        }

        return read;
    }

    public void Dispose()
    {
        _connectTimer.Dispose();
        _inner.Dispose();
    }

    private MqttChannelViolation Follow(ReadOnlySpan<byte> bytes)
    {
        var index = 0;
        while (index < bytes.Length)
        {
            switch (_state)
            {
                case 0:
                    if (!_connectReceived && bytes[index] >> 4 != 1)
                    {
                        return MqttChannelViolation.NotConnectFirst;
                    }

                    index++;
                    _state = 1;
                    _lengthBytes = 0;
                    _remainingLength = 0;
                    break;
                case 1:
                    var encoded = bytes[index++];
                    _remainingLength += (long)(encoded & 0x7F) << (7 * _lengthBytes);
                    _lengthBytes++;
                    var limit = _connectReceived ? _limits.AfterConnect : _limits.BeforeConnect;
                    if (_remainingLength > limit)
                    {
                        return MqttChannelViolation.PacketTooLarge;
                    }

                    if ((encoded & 0x80) == 0)
                    {
                        _bodyLeft = _remainingLength;
                        _state = 2;
                        if (_bodyLeft == 0)
                        {
                            PacketComplete();
                        }
                    }
                    else if (_lengthBytes == 4)
                    {
                        // A fifth length byte is malformed; it also exceeds every limit.
                        return MqttChannelViolation.PacketTooLarge;
                    }

                    break;
                default:
                    var take = (int)Math.Min(_bodyLeft, bytes.Length - index);
                    index += take;
                    _bodyLeft -= take;
                    if (_bodyLeft == 0)
                    {
                        PacketComplete();
                    }

                    break;
            }
        }

        return MqttChannelViolation.None;
    }

    private void PacketComplete()
    {
        if (!_connectReceived)
        {
            _connectReceived = true;
            _connectTimer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }

        _state = 0;
    }

    private void ConnectTimedOut()
    {
        if (!_connectReceived)
        {
            Close(MqttChannelViolation.ConnectTimeout);
        }
    }

    private void Close(MqttChannelViolation violation)
    {
        if (Interlocked.CompareExchange(ref _violation, (int)violation, 0) != 0)
        {
            return;
        }

        _onViolation(violation);

        // Disposing the channel closes the socket: a pending read ends and the client sees the connection drop.
        _inner.Dispose();
    }
}
