using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Text;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using Portal.Jobs.Live;

namespace Portal.Tests.Live;

/// <summary>
/// The embedded broker's limits, measured with raw TCP clients: packets announced too large are refused after their
/// fixed header, silent connections are dropped, devices have connect and message budgets, and revocation ends
/// live sessions.
/// </summary>
[Trait("Category", "Live")]
public sealed class EmbeddedBrokerBoundsTests : IAsyncLifetime
{
    private const int MaxPacketBytes = 8192;
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(2);
    private readonly int _port = LiveTestPorts.FreeLoopbackPort();
    private LiveTestHost _host = null!;

    public async Task InitializeAsync()
    {
        _host = await LiveTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Mqtt:Broker"] = "Embedded",
            ["Mqtt:Embedded:Port"] = _port.ToString(CultureInfo.InvariantCulture),
            ["Mqtt:Embedded:MaxPacketBytes"] = MaxPacketBytes.ToString(CultureInfo.InvariantCulture),
            ["Mqtt:Embedded:ConnectTimeoutSeconds"] = ConnectTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture),
            ["Mqtt:Embedded:MaxConnectsPerDevicePerMinute"] = "3",
            ["Mqtt:Embedded:MaxMessagesPerSecondPerDevice"] = "1",
            ["Mqtt:Embedded:MessageBurstPerDevice"] = "5",
        });
        await _host.WaitForSubscriberAsync();
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task ConnectAnnouncing200MiB_IsClosedAfterItsFixedHeader_WithoutReadingOrAllocatingTheBody()
    {
        using var client = await OpenRawAsync();
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);

        await client.GetStream().WriteAsync(FixedHeader(0x10, 200 * 1024 * 1024));
        var (sent, closedAfter) = await SendZerosUntilClosedAsync(client, 64 * 1024 * 1024, TimeSpan.FromSeconds(10));

        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        Assert.True(closedAfter < TimeSpan.FromSeconds(5), $"connection closed after {closedAfter}");
        Assert.True(sent < 16 * 1024 * 1024, $"the broker let {sent} bytes of the body in before closing");
        Assert.True(allocated < 100 * 1024 * 1024, $"{allocated} bytes allocated while the 200 MiB CONNECT was refused");
        Assert.Equal(1, _host.Metrics.ConnectionsRejectedFor(RejectReason.PacketTooLarge));
    }

    [Fact]
    public async Task LoggedInDevice_Publishing4MiB_IsDisconnectedAfterTheFixedHeader()
    {
        var device = await _host.RegisterDeviceAsync();
        using var client = await OpenRawAsync();
        var stream = client.GetStream();
        await stream.WriteAsync(ConnectPacket(device.Device.Id, device.Secret));
        var connack = new byte[4];
        await stream.ReadExactlyAsync(connack);
        Assert.Equal(new byte[] { 0x20, 0x02, 0x00, 0x00 }, connack);

        var topic = Encoding.UTF8.GetBytes($"rides/{device.Device.Id}/telemetry");
        var header = FixedHeader(0x30, 4 * 1024 * 1024).Concat(new[] { (byte)(topic.Length >> 8), (byte)topic.Length }).Concat(topic).ToArray();
        await stream.WriteAsync(header);
        var (sent, closedAfter) = await SendZerosUntilClosedAsync(client, 4 * 1024 * 1024, TimeSpan.FromSeconds(10));

        Assert.True(closedAfter < TimeSpan.FromSeconds(5), $"connection closed after {closedAfter}");
        Assert.True(sent < 4 * 1024 * 1024, "the whole 4 MiB body was taken");
        Assert.Equal(1, _host.Metrics.ConnectionsRejectedFor(RejectReason.PacketTooLarge));
        Assert.Equal(0, _host.Metrics.BrokerMessagesAccepted);
    }

    [Fact]
    public async Task ConnectionThatSendsNothing_IsClosedWithinTheConnectTimeout()
    {
        using var client = await OpenRawAsync();
        var clock = Stopwatch.StartNew();

        var read = await ReadUntilClosedAsync(client, TimeSpan.FromSeconds(20));

        Assert.Equal(0, read);
        Assert.InRange(clock.Elapsed, ConnectTimeout - TimeSpan.FromMilliseconds(500), ConnectTimeout + TimeSpan.FromSeconds(3));
        Assert.Equal(1, _host.Metrics.ConnectionsRejectedFor(RejectReason.ConnectTimeout));
    }

    [Fact]
    public async Task FirstPacketOtherThanConnect_ClosesTheConnection()
    {
        using var client = await OpenRawAsync();

        await client.GetStream().WriteAsync(FixedHeader(0x30, 100));
        var read = await ReadUntilClosedAsync(client, TimeSpan.FromSeconds(5));

        Assert.Equal(0, read);
        Assert.Equal(1, _host.Metrics.ConnectionsRejectedFor(RejectReason.ProtocolViolation));
    }

    [Fact]
    public async Task Device_ConnectingMoreOftenThanItsBudget_IsRefusedWithConnectionRateExceeded()
    {
        var device = await _host.RegisterDeviceAsync();
        var results = new List<MqttClientConnectResultCode>();
        for (var attempt = 0; attempt < 4; attempt++)
        {
            results.Add(await TryConnectAsync(device.Device.Id, device.Secret));
        }

        Assert.Equal([MqttClientConnectResultCode.Success, MqttClientConnectResultCode.Success, MqttClientConnectResultCode.Success,
            MqttClientConnectResultCode.ConnectionRateExceeded], results);
        Assert.Equal(1, _host.Metrics.ConnectionsRejectedFor(RejectReason.ConnectRateExceeded));
    }

    [Fact]
    public async Task Device_PublishingFasterThanItsMessageRate_GetsQuotaExceeded_AfterTheBurst()
    {
        var device = await _host.RegisterDeviceAsync();
        using var client = await ConnectAsync(device.Device.Id, device.Secret);
        var results = new List<MqttClientPublishReasonCode>();
        for (var message = 0; message < 8; message++)
        {
            var result = await client.PublishStringAsync($"rides/{device.Device.Id}/telemetry",
                $$"""{"timestamp":1777799702130,"ax":1,"ay":2,"az":3,"gx":4,"gy":5,"gz":6,"seq":{{message}}}""", MqttQualityOfServiceLevel.AtLeastOnce);
            results.Add(result.ReasonCode);
        }

        Assert.All(results.Take(5), code => Assert.Equal(MqttClientPublishReasonCode.Success, code));
        Assert.Equal(MqttClientPublishReasonCode.QuotaExceeded, results[5]);
        Assert.True(_host.Metrics.MessagesRejectedFor(RejectReason.MessageRateExceeded) >= 2);
    }

    [Fact]
    public async Task RotatingTheSecret_DisconnectsTheLiveSession_AndTheOldSecretCannotComeBack()
    {
        var device = await _host.RegisterDeviceAsync();
        using var client = await ConnectAsync(device.Device.Id, device.Secret);
        var before = await client.PublishStringAsync($"rides/{device.Device.Id}/telemetry", """{"timestamp":1777799702130,"ax":1}""", MqttQualityOfServiceLevel.AtLeastOnce);

        await _host.WithRegistryAsync(registry => registry.RotateSecretAsync(device.Device.Id, CancellationToken.None));
        await LiveTestPorts.WaitUntilAsync(() => !client.IsConnected, TimeSpan.FromSeconds(5), "the revoked device to be disconnected");
        var publishAfter = await Record.ExceptionAsync(() => client.PublishStringAsync($"rides/{device.Device.Id}/telemetry", "{}", MqttQualityOfServiceLevel.AtLeastOnce));

        Assert.Equal(MqttClientPublishReasonCode.Success, before.ReasonCode);
        Assert.NotNull(publishAfter);
        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, await TryConnectAsync(device.Device.Id, device.Secret));
        Assert.Equal(1, _host.Metrics.ConnectionsRejectedFor(RejectReason.Revoked));
    }

    [Fact]
    public async Task DisablingTheDevice_DisconnectsTheLiveSession_AndReconnectingIsBanned()
    {
        var device = await _host.RegisterDeviceAsync();
        using var client = await ConnectAsync(device.Device.Id, device.Secret);

        await _host.WithRegistryAsync(registry => registry.DisableAsync(device.Device.Id, CancellationToken.None));
        await LiveTestPorts.WaitUntilAsync(() => !client.IsConnected, TimeSpan.FromSeconds(5), "the disabled device to be disconnected");

        Assert.Equal(MqttClientConnectResultCode.Banned, await TryConnectAsync(device.Device.Id, device.Secret));
        Assert.Equal(1, _host.Metrics.ConnectionsRejectedFor(RejectReason.Revoked));
    }

    [Fact]
    public void Broker_BindsToLoopback_ByDefault()
    {
        Assert.Equal("127.0.0.1", new EmbeddedBrokerOptions().BindAddress);
    }

    [Fact]
    public void Broker_ListensOnLoopbackOnly_WhenNoBindAddressIsConfigured()
    {
        var listeners = IPGlobalProperties.GetIPGlobalProperties().GetActiveTcpListeners().Where(e => e.Port == _port).ToList();

        Assert.NotEmpty(listeners);
        Assert.All(listeners, endpoint => Assert.True(IPAddress.IsLoopback(endpoint.Address), $"listening on {endpoint}"));
    }

    private async Task<TcpClient> OpenRawAsync()
    {
        var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync(IPAddress.Loopback, _port);
        return client;
    }

    private static byte[] FixedHeader(byte type, int remainingLength)
    {
        var bytes = new List<byte> { type };
        do
        {
            var encoded = (byte)(remainingLength % 128);
            remainingLength /= 128;
            bytes.Add(remainingLength > 0 ? (byte)(encoded | 0x80) : encoded);
        }
        while (remainingLength > 0);

        return [.. bytes];
    }

    /// <summary>An MQTT 3.1.1 CONNECT with client id = user name and a password, clean session, keep-alive 60 s.</summary>
    private static byte[] ConnectPacket(string clientId, string password)
    {
        static IEnumerable<byte> Utf8(string value)
        {
            var bytes = Encoding.UTF8.GetBytes(value);
            return new[] { (byte)(bytes.Length >> 8), (byte)bytes.Length }.Concat(bytes);
        }

        var body = Utf8("MQTT").Concat(new byte[] { 4, 0b1100_0010, 0, 60 }).Concat(Utf8(clientId)).Concat(Utf8(clientId)).Concat(Utf8(password)).ToArray();
        return [.. FixedHeader(0x10, body.Length), .. body];
    }

    /// <summary>Writes up to <paramref name="total"/> zero bytes until the peer closes; how much went out and when it closed.</summary>
    private static async Task<(long Sent, TimeSpan ClosedAfter)> SendZerosUntilClosedAsync(TcpClient client, long total, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        var chunk = new byte[64 * 1024];
        long sent = 0;
        var stream = client.GetStream();
        var reading = ReadUntilClosedAsync(client, timeout);
        try
        {
            while (sent < total && !reading.IsCompleted)
            {
                using var writeTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
                try
                {
                    await stream.WriteAsync(chunk, writeTimeout.Token);
                    sent += chunk.Length;
                }
                catch (OperationCanceledException)
                {
                    // The peer stopped reading: its buffers are full; keep waiting for it to close.
                }
            }
        }
        catch (IOException)
        {
            // Reset by the peer: it closed the connection.
        }

        await reading;
        return (sent, clock.Elapsed);
    }

    /// <summary>Reads until end-of-stream (0) or a reset (0); throws when the connection is still open after the timeout.</summary>
    private static async Task<int> ReadUntilClosedAsync(TcpClient client, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        var buffer = new byte[1024];
        try
        {
            while (true)
            {
                var read = await client.GetStream().ReadAsync(buffer, cancel.Token);
                if (read == 0)
                {
                    return 0;
                }
            }
        }
        catch (IOException)
        {
            return 0;
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"The broker kept the connection open for {timeout}.");
        }
    }

    private async Task<MqttClientConnectResultCode> TryConnectAsync(string deviceId, string secret)
    {
        using var client = new MqttClientFactory().CreateMqttClient();
        var result = await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", _port).WithProtocolVersion(MqttProtocolVersion.V500)
            .WithClientId(deviceId).WithCredentials(deviceId, secret).Build());
        return result.ResultCode;
    }

    private async Task<IMqttClient> ConnectAsync(string deviceId, string secret)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var result = await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", _port).WithProtocolVersion(MqttProtocolVersion.V500)
            .WithClientId(deviceId).WithCredentials(deviceId, secret).Build());
        Assert.Equal(MqttClientConnectResultCode.Success, result.ResultCode);
        return client;
    }
}
