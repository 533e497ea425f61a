using System.Globalization;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using Portal.Jobs.Live;

namespace Portal.Tests.Live;

/// <summary>
/// A real Mosquitto started by the test on a free loopback port with the production setup: per-device password
/// file (mosquitto_passwd), ACL <c>pattern write rides/%u/#</c>, the subscriber as an external-broker client.
/// </summary>
[Trait("Category", "Live")]
public sealed class MosquittoBrokerTests : IAsyncLifetime
{
    private const string Prefix = "rides";
    private MosquittoBroker _broker = null!;
    private LiveTestHost _host = null!;

    public async Task InitializeAsync()
    {
        _broker = await MosquittoBroker.StartAsync(Prefix);
        _host = await LiveTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Mqtt:Broker"] = "External",
            ["Mqtt:External:Host"] = "127.0.0.1",
            ["Mqtt:External:Port"] = _broker.Port.ToString(CultureInfo.InvariantCulture),
            ["Mqtt:External:Username"] = MosquittoBroker.SubscriberUser,
            ["Mqtt:External:Password"] = _broker.SubscriberPassword,
            ["Mqtt:External:ClientId"] = "portal-sub-" + Guid.NewGuid().ToString("N")[..8],
        });
        await _host.WaitForSubscriberAsync();
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _broker.DisposeAsync();
    }

    [Fact]
    public async Task SimulatedSession_ThroughMosquitto_BecomesOneCanonicalCsv_WithAllSamplesInOrder()
    {
        var riderId = Guid.NewGuid();
        var device = await _host.RegisterDeviceAsync(riderId);
        await _broker.AddUserAsync(device.Device.Id, device.Secret);

        var result = await DeviceSimulator.RunAsync(new SimulatedDevice(device.Device.Id, device.Secret),
            new DeviceSimulationOptions { Port = _broker.Port, RateHz = 100, Batch = 20, Duration = TimeSpan.FromSeconds(10), RealTime = false, Scenario = Portal.Core.Simulation.RideScenario.Track },
            TimeProvider.System, CancellationToken.None);

        var ride = await _host.Sink.WaitForAsync(device.Device.Id, TimeSpan.FromSeconds(20));
        Assert.Equal(riderId, ride.RiderId);
        Assert.Equal(Enumerable.Range(0, (int)result.Samples).Select(i => (long)i), ride.SeqNumbers);
        Assert.Single(_host.Sink.Submissions);
    }

    [Fact]
    public async Task Device_PublishingToAnotherDevicesTopic_IsDroppedByTheAcl_AndNeverReachesTheOtherRidersRide()
    {
        var intruder = await _host.RegisterDeviceAsync();
        var victim = await _host.RegisterDeviceAsync();
        await _broker.AddUserAsync(intruder.Device.Id, intruder.Secret);
        using var client = await ConnectAsync(intruder.Device.Id, intruder.Secret);

        await client.PublishStringAsync($"{Prefix}/{victim.Device.Id}/telemetry", """{"timestamp":1777799702130,"ax":1,"ay":1,"az":1,"gx":1,"gy":1,"gz":1,"seq":666}""", MqttQualityOfServiceLevel.AtLeastOnce);
        await client.PublishStringAsync($"{Prefix}/{victim.Device.Id}/session", """{"event":"end"}""", MqttQualityOfServiceLevel.AtLeastOnce);
        await client.PublishStringAsync($"{Prefix}/{intruder.Device.Id}/telemetry", """{"timestamp":1777799702130,"ax":1,"ay":1,"az":1,"gx":1,"gy":1,"gz":1,"seq":1}""", MqttQualityOfServiceLevel.AtLeastOnce);
        await client.PublishStringAsync($"{Prefix}/{intruder.Device.Id}/session", """{"event":"end"}""", MqttQualityOfServiceLevel.AtLeastOnce);

        var own = await _host.Sink.WaitForAsync(intruder.Device.Id, TimeSpan.FromSeconds(20));
        Assert.Equal([1L], own.SeqNumbers);
        Assert.DoesNotContain(_host.Sink.Submissions, s => s.DeviceId == victim.Device.Id);
        Assert.Equal(1, _host.Metrics.SessionsStarted);
    }

    [Fact]
    public async Task Device_WithWrongSecret_IsRefusedByMosquitto()
    {
        var device = await _host.RegisterDeviceAsync();
        await _broker.AddUserAsync(device.Device.Id, device.Secret);
        using var client = new MqttClientFactory().CreateMqttClient();

        var result = await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", _broker.Port).WithProtocolVersion(MqttProtocolVersion.V500)
            .WithClientId(device.Device.Id).WithCredentials(device.Device.Id, "wrong").Build());

        // Mosquitto 2 answers "not authorized" for a wrong password.
        Assert.Contains(result.ResultCode, new[] { MqttClientConnectResultCode.BadUserNameOrPassword, MqttClientConnectResultCode.NotAuthorized });
        Assert.False(client.IsConnected);
    }

    [Fact]
    public async Task DisabledDevice_StillConnectedToMosquitto_HasItsTelemetryRefusedWithinSeconds()
    {
        var device = await _host.RegisterDeviceAsync();
        await _broker.AddUserAsync(device.Device.Id, device.Secret);
        using var client = await ConnectAsync(device.Device.Id, device.Secret);
        var topic = $"{Prefix}/{device.Device.Id}";
        await client.PublishStringAsync($"{topic}/telemetry", """{"timestamp":1777799702130,"ax":1,"ay":1,"az":1,"gx":1,"gy":1,"gz":1,"seq":1}""", MqttQualityOfServiceLevel.AtLeastOnce);
        await LiveTestPorts.WaitUntilAsync(() => _host.Metrics.SessionsStarted == 1, TimeSpan.FromSeconds(10), "the first sample to start a session");

        await _host.WithRegistryAsync(registry => registry.DisableAsync(device.Device.Id, CancellationToken.None));
        await Task.Delay(TimeSpan.FromSeconds(6));
        await client.PublishStringAsync($"{topic}/telemetry", """{"timestamp":1777799702150,"ax":1,"ay":1,"az":1,"gx":1,"gy":1,"gz":1,"seq":2}""", MqttQualityOfServiceLevel.AtLeastOnce);
        await client.PublishStringAsync($"{topic}/telemetry", """{"timestamp":1777799702170,"ax":1,"ay":1,"az":1,"gx":1,"gy":1,"gz":1,"seq":3}""", MqttQualityOfServiceLevel.AtLeastOnce);
        await client.PublishStringAsync($"{topic}/session", """{"event":"end"}""", MqttQualityOfServiceLevel.AtLeastOnce);

        await LiveTestPorts.WaitUntilAsync(() => _host.Metrics.MessagesRejectedFor(RejectReason.DisabledDevice) >= 3, TimeSpan.FromSeconds(10),
            "the disabled device's three later messages to be refused");
        Assert.Equal(3, _host.Metrics.MessagesRejectedFor(RejectReason.DisabledDevice));
        Assert.DoesNotContain(_host.Sink.Submissions, s => s.DeviceId == device.Device.Id && s.SeqNumbers.Contains(2L));
    }

    /// <summary>Also the broker-restart case of the Faults category (docs/scale-out.md).</summary>
    [Fact]
    [Trait("Category", "Faults")]
    public async Task MosquittoRestart_SubscriberReconnectsByItself_AndTheNextSessionArrives()
    {
        var device = await _host.RegisterDeviceAsync();
        await _broker.AddUserAsync(device.Device.Id, device.Secret);
        var connectsBefore = _host.Metrics.SubscriberConnects;

        await _broker.StopProcessAsync();
        await LiveTestPorts.WaitUntilAsync(() => !_host.Metrics.SubscriberConnected, TimeSpan.FromSeconds(20), "the subscriber to notice mosquitto is gone");
        await _broker.StartProcessAsync();
        await LiveTestPorts.WaitUntilAsync(() => _host.Metrics.SubscriberConnected, TimeSpan.FromSeconds(30), "the subscriber to reconnect");

        var result = await DeviceSimulator.RunAsync(new SimulatedDevice(device.Device.Id, device.Secret),
            new DeviceSimulationOptions { Port = _broker.Port, Duration = TimeSpan.FromSeconds(2), RealTime = false }, TimeProvider.System, CancellationToken.None);
        var ride = await _host.Sink.WaitForAsync(device.Device.Id, TimeSpan.FromSeconds(20));
        Assert.Equal(101, result.Samples); // 2 s at 50 Hz, both ends
        Assert.Equal(Enumerable.Range(0, 101).Select(i => (long)i), ride.SeqNumbers);
        Assert.True(_host.Metrics.SubscriberConnects > connectsBefore);
    }

    private async Task<IMqttClient> ConnectAsync(string deviceId, string secret)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var result = await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", _broker.Port).WithProtocolVersion(MqttProtocolVersion.V500)
            .WithClientId(deviceId).WithCredentials(deviceId, secret).Build());
        Assert.Equal(MqttClientConnectResultCode.Success, result.ResultCode);
        return client;
    }
}
