using Microsoft.Extensions.Diagnostics.HealthChecks;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using Portal.Core.Devices;
using Portal.Jobs.Live;

namespace Portal.Tests.Live;

/// <summary>The embedded MQTTnet broker in-process on a free port, with the subscriber, registry on SQLite and a recording sink.</summary>
[Trait("Category", "Live")]
public sealed class EmbeddedBrokerTests : IAsyncLifetime
{
    private readonly int _port = LiveTestPorts.FreeLoopbackPort();
    private LiveTestHost _host = null!;

    public async Task InitializeAsync()
    {
        _host = await LiveTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Mqtt:Broker"] = "Embedded",
            ["Mqtt:Embedded:Port"] = _port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Mqtt:Embedded:MaxPacketBytes"] = "8192",
        });
        await _host.WaitForSubscriberAsync();
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task SimulatedSession_ThroughEmbeddedBroker_BecomesOneCanonicalCsv_WithAllSamplesInOrder()
    {
        var riderId = Guid.NewGuid();
        var device = await _host.RegisterDeviceAsync(riderId);

        var result = await DeviceSimulator.RunAsync(
            new SimulatedDevice(device.Device.Id, device.Secret),
            new DeviceSimulationOptions { Port = _port, RateHz = 50, Batch = 10, Duration = TimeSpan.FromSeconds(10), RealTime = false },
            TimeProvider.System, CancellationToken.None);

        var ride = await _host.Sink.WaitForAsync(device.Device.Id, TimeSpan.FromSeconds(20));
        Assert.Equal(riderId, ride.RiderId);
        Assert.Equal("timestamp,ax,ay,az,gx,gy,gz,mx,my,mz,speed,lat,lon,alt,seq", ride.Lines[0]);
        Assert.Equal(Enumerable.Range(0, (int)result.Samples).Select(i => (long)i), ride.SeqNumbers);
        var timestamps = ride.Lines.Skip(1).Select(l => DateTimeOffset.Parse(l.Split(',')[0], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.True(timestamps.Zip(timestamps.Skip(1)).All(pair => pair.First < pair.Second), "timestamps strictly increase");
        Assert.Single(_host.Sink.Submissions);
        Assert.Equal(0, result.FailedPublishes);
    }

    [Fact]
    public async Task MosquittoPub_WithDeviceCredentials_IsAcceptedByEmbeddedBroker()
    {
        var device = await _host.RegisterDeviceAsync();
        var id = device.Device.Id;
        string[] Pub(string subtopic, string payload) =>
            ["-h", "127.0.0.1", "-p", _port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-i", id, "-u", id, "-P", device.Secret, "-q", "1", "-t", $"rides/{id}/{subtopic}", "-m", payload];

        var sample = await MosquittoBroker.RunAsync("mosquitto_pub", Pub("telemetry", """{"timestamp":"2026-05-03T09:15:02.130Z","acc_x":0.5,"ay":0,"az":9.81,"gx":1,"gy":2,"gz":3,"seq":7}"""));
        var end = await MosquittoBroker.RunAsync("mosquitto_pub", Pub("session", """{"event":"end"}"""));

        Assert.True(sample.ExitCode == 0, sample.Output);
        Assert.True(end.ExitCode == 0, end.Output);
        var ride = await _host.Sink.WaitForAsync(id, TimeSpan.FromSeconds(20));
        Assert.Equal("2026-05-03T09:15:02.13Z,0.5,0,9.81,1,2,3,,,,,,,,7", ride.Lines[1]);
    }

    [Fact]
    public async Task MosquittoPub_WithWrongSecret_IsRefused()
    {
        var device = await _host.RegisterDeviceAsync();
        var id = device.Device.Id;

        var pub = await MosquittoBroker.RunAsync("mosquitto_pub",
            ["-h", "127.0.0.1", "-p", _port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-i", id, "-u", id, "-P", "not-the-secret", "-q", "1", "-t", $"rides/{id}/telemetry", "-m", "{}"]);

        Assert.NotEqual(0, pub.ExitCode);
        Assert.Equal(1, _host.Metrics.ConnectionsRejectedFor(RejectReason.WrongSecret));
    }

    [Fact]
    public async Task Device_PublishingToAnotherDevicesTopic_IsRefused_AndNothingReachesTheOtherDevice()
    {
        var intruder = await _host.RegisterDeviceAsync();
        var victim = await _host.RegisterDeviceAsync();
        using var client = await ConnectAsync(intruder.Device.Id, intruder.Secret);

        var result = await client.PublishStringAsync($"rides/{victim.Device.Id}/telemetry",
            """{"timestamp":1777799702130,"ax":1,"ay":1,"az":1,"gx":1,"gy":1,"gz":1}""", MqttQualityOfServiceLevel.AtLeastOnce);
        await client.PublishStringAsync($"rides/{victim.Device.Id}/session", """{"event":"end"}""", MqttQualityOfServiceLevel.AtLeastOnce);

        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, result.ReasonCode);
        Assert.Equal(2, _host.Metrics.MessagesRejectedFor(RejectReason.ForeignTopic));
        Assert.Equal(0, _host.Metrics.SessionsStarted);
    }

    [Fact]
    public async Task UnknownDevice_IsRefusedAtConnect()
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var options = new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", _port).WithProtocolVersion(MqttProtocolVersion.V500)
            .WithClientId("dev-nobody00").WithCredentials("dev-nobody00", "whatever").Build();

        var result = await client.ConnectAsync(options);

        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, result.ResultCode);
        Assert.False(client.IsConnected);
        Assert.Equal(1, _host.Metrics.ConnectionsRejectedFor(RejectReason.UnknownDevice));
        client.Dispose();
    }

    [Fact]
    public async Task DisabledDevice_IsRefusedAtConnect_AndRotatedSecretReplacesTheOldOne()
    {
        var device = await _host.RegisterDeviceAsync();
        string newSecret = "";
        await _host.WithRegistryAsync(async registry => newSecret = (await registry.RotateSecretAsync(device.Device.Id, CancellationToken.None))!.Secret);

        var withOldSecret = await TryConnectAsync(device.Device.Id, device.Secret);
        var withNewSecret = await TryConnectAsync(device.Device.Id, newSecret);
        await _host.WithRegistryAsync(registry => registry.DisableAsync(device.Device.Id, CancellationToken.None));
        var whenDisabled = await TryConnectAsync(device.Device.Id, newSecret);

        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, withOldSecret);
        Assert.Equal(MqttClientConnectResultCode.Success, withNewSecret);
        Assert.Equal(MqttClientConnectResultCode.Banned, whenDisabled);

        Assert.Equal(1, _host.Metrics.ConnectionsRejectedFor(RejectReason.WrongSecret));
        Assert.Equal(1, _host.Metrics.ConnectionsRejectedFor(RejectReason.DisabledDevice));
    }

    [Fact]
    public async Task OversizedPayload_IsRefusedByTheBroker_AndCounted_AndTheSessionGoesOn()
    {
        var device = await _host.RegisterDeviceAsync();
        using var client = await ConnectAsync(device.Device.Id, device.Secret);
        var topic = $"rides/{device.Device.Id}";

        var oversized = await client.PublishStringAsync($"{topic}/telemetry", "[" + string.Join(',', Enumerable.Repeat("""{"timestamp":1777799702130,"ax":1}""", 400)) + "]", MqttQualityOfServiceLevel.AtLeastOnce);
        await client.PublishStringAsync($"{topic}/telemetry", """{"timestamp":1777799702130,"ax":1,"ay":2,"az":3,"gx":4,"gy":5,"gz":6,"seq":1}""", MqttQualityOfServiceLevel.AtLeastOnce);
        await client.PublishStringAsync($"{topic}/session", """{"event":"end"}""", MqttQualityOfServiceLevel.AtLeastOnce);

        var ride = await _host.Sink.WaitForAsync(device.Device.Id, TimeSpan.FromSeconds(20));
        Assert.Equal(MqttClientPublishReasonCode.QuotaExceeded, oversized.ReasonCode);
        Assert.Equal(1, _host.Metrics.MessagesRejectedFor(RejectReason.Oversized));
        Assert.Equal([1L], ride.SeqNumbers);
    }

    [Fact]
    public async Task BrokerRestart_SubscriberReconnectsByItself_AndTheNextSessionArrives()
    {
        var device = await _host.RegisterDeviceAsync();
        var broker = _host.Hosted<EmbeddedMqttBroker>();
        var connectsBefore = _host.Metrics.SubscriberConnects;

        await broker.StopAsync(CancellationToken.None);
        await LiveTestPorts.WaitUntilAsync(() => !_host.Metrics.SubscriberConnected, TimeSpan.FromSeconds(20), "the subscriber to notice the broker is gone");
        await broker.StartAsync(CancellationToken.None);
        await LiveTestPorts.WaitUntilAsync(() => _host.Metrics.SubscriberConnected, TimeSpan.FromSeconds(30), "the subscriber to reconnect");

        var result = await DeviceSimulator.RunAsync(new SimulatedDevice(device.Device.Id, device.Secret),
            new DeviceSimulationOptions { Port = _port, Duration = TimeSpan.FromSeconds(2), RealTime = false }, TimeProvider.System, CancellationToken.None);
        var ride = await _host.Sink.WaitForAsync(device.Device.Id, TimeSpan.FromSeconds(20));
        Assert.Equal(101, result.Samples); // 2 s at 50 Hz, both ends
        Assert.Equal(Enumerable.Range(0, 101).Select(i => (long)i), ride.SeqNumbers);
        Assert.Equal(connectsBefore + 1, _host.Metrics.SubscriberConnects);
    }

    [Fact]
    public async Task MqttHealthCheck_IsHealthyWithCounters_AndUnhealthyWhileTheBrokerIsDown()
    {
        var health = (HealthCheckService)_host.Services.GetService(typeof(HealthCheckService))!;
        var broker = _host.Hosted<EmbeddedMqttBroker>();
        await TryConnectAsync("dev-nobody00", "x");

        var running = await health.CheckHealthAsync(c => c.Tags.Contains("ready"));
        await broker.StopAsync(CancellationToken.None);
        var stopped = await health.CheckHealthAsync(c => c.Name == MqttHealthCheck.Name);
        await broker.StartAsync(CancellationToken.None);

        Assert.Equal(HealthStatus.Healthy, running.Entries[MqttHealthCheck.Name].Status);
        Assert.Equal(1L, running.Entries[MqttHealthCheck.Name].Data["connections_rejected.unknown_device"]);
        Assert.Equal(HealthStatus.Unhealthy, stopped.Entries[MqttHealthCheck.Name].Status);
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
        try
        {
            var result = await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", _port).WithProtocolVersion(MqttProtocolVersion.V500)
                .WithClientId(deviceId).WithCredentials(deviceId, secret).Build());
            Assert.Equal(MqttClientConnectResultCode.Success, result.ResultCode);
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }
}
