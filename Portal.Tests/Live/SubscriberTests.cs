using System.Globalization;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using Portal.Jobs.Live;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Live;

/// <summary>
/// The subscriber against the shared anonymous test Mosquitto (PORTAL_TEST_MQTT_HOST/PORT): a unique topic prefix and
/// client id per test keep concurrent test runs apart.
/// </summary>
[Trait("Category", "Live")]
public sealed class SubscriberTests : IAsyncLifetime
{
    private readonly string _prefix = "t" + Guid.NewGuid().ToString("N")[..10] + "/rides";
    private readonly string _clientId = "portal-sub-" + Guid.NewGuid().ToString("N")[..10];
    private readonly string _directory = LiveTestHost.NewDirectory();
    private LiveTestHost? _host;

    private LiveTestHost Host => _host!;

    public async Task InitializeAsync() => _host = await StartSubscriberAsync();

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }

    private async Task<LiveTestHost> StartSubscriberAsync(RecordingLiveRideSink? sink = null)
    {
        var host = await LiveTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Mqtt:Broker"] = "External",
            ["Mqtt:External:Host"] = TestServices.MqttHost,
            ["Mqtt:External:Port"] = TestServices.MqttPort.ToString(CultureInfo.InvariantCulture),
            ["Mqtt:Subscriber:ClientId"] = _clientId,
            ["Mqtt:Subscriber:MaxPayloadBytes"] = "4096",
            ["Mqtt:TopicPrefix"] = _prefix,
        }, _directory, sink);
        await host.WaitForSubscriberAsync();
        return host;
    }

    [Fact]
    public async Task BadMessages_AreRejectedAndCounted_SubscriberStaysHealthy_AndTheGoodSessionIsUntouched()
    {
        var device = await Host.RegisterDeviceAsync();
        var id = device.Device.Id;
        using var client = await ConnectAsync(id);

        await PublishAsync(client, $"{_prefix}/{id}/telemetry", "{not json");
        await PublishAsync(client, $"{_prefix}/{id}/telemetry", """{"colour":"red","mood":7}""");
        await PublishAsync(client, $"{_prefix}/{id}/telemetry", "[" + string.Join(',', Enumerable.Repeat("""{"timestamp":1777799702130,"ax":1}""", 200)) + "]");
        await PublishAsync(client, $"{_prefix}/dev-unknown1/telemetry", """{"timestamp":1777799702130,"ax":1,"seq":99}""");
        await PublishAsync(client, $"{_prefix}/{id}/session", """{"event":"explode"}""");
        await PublishAsync(client, $"{_prefix}/{id}/telemetry", """{"timestamp":"2026-05-03T09:15:02.130Z","ax":1,"ay":2,"az":3,"gx":4,"gy":5,"gz":6,"seq":5}""");
        await PublishAsync(client, $"{_prefix}/{id}/session", """{"event":"end"}""");

        var ride = await Host.Sink.WaitForAsync(id, TimeSpan.FromSeconds(20));
        Assert.Equal([5L], ride.SeqNumbers);
        Assert.Equal(1, Host.Metrics.MessagesRejectedFor(RejectReason.MalformedJson));
        Assert.Equal(1, Host.Metrics.MessagesRejectedFor(RejectReason.NoKnownKeys));
        Assert.Equal(1, Host.Metrics.MessagesRejectedFor(RejectReason.Oversized));
        Assert.Equal(1, Host.Metrics.MessagesRejectedFor(RejectReason.UnknownDevice));
        Assert.Equal(1, Host.Metrics.MessagesRejectedFor(RejectReason.BadSessionEvent));
        Assert.True(Host.Metrics.SubscriberConnected);
        Assert.Single(Host.Sink.Submissions);
    }

    [Fact]
    public async Task DuplicateAndOutOfOrderBatches_BecomeOneSortedRide_WithoutDuplicates()
    {
        var device = await Host.RegisterDeviceAsync();
        var id = device.Device.Id;
        using var client = await ConnectAsync(id);
        string Batch(int from) => "[" + string.Join(',', Enumerable.Range(from, 5).Select(i =>
            $$"""{"timestamp":{{1777799702000 + i * 20}},"ax":0.1,"ay":0,"az":9.8,"gx":0,"gy":0,"gz":0,"seq":{{i}}}""")) + "]";

        foreach (var from in new[] { 10, 0, 5, 0, 15, 10 })
        {
            await PublishAsync(client, $"{_prefix}/{id}/telemetry", Batch(from));
        }

        await PublishAsync(client, $"{_prefix}/{id}/session", """{"event":"end"}""");

        var ride = await Host.Sink.WaitForAsync(id, TimeSpan.FromSeconds(20));
        Assert.Equal(Enumerable.Range(0, 20).Select(i => (long)i), ride.SeqNumbers);
    }

    [Fact]
    public async Task SubscriberStoppedWhileDeviceKeepsPublishingAtQos1_LosesNoSample_AfterRestart()
    {
        var device = await Host.RegisterDeviceAsync();
        var simulation = DeviceSimulator.RunAsync(new SimulatedDevice(device.Device.Id, null),
            new DeviceSimulationOptions { Host = TestServices.MqttHost, Port = TestServices.MqttPort, TopicPrefix = _prefix, RateHz = 50, Batch = 10, Duration = TimeSpan.FromSeconds(10) },
            TimeProvider.System, CancellationToken.None);

        await LiveTestPorts.WaitUntilAsync(() => Host.Metrics.MessagesSpooled >= 10, TimeSpan.FromSeconds(10), "the first messages to be spooled");
        await Host.DisposeAsync();
        _host = null;
        await Task.Delay(TimeSpan.FromSeconds(5));
        var sink = new RecordingLiveRideSink();
        _host = await StartSubscriberAsync(sink);
        var result = await simulation;

        var ride = await sink.WaitForAsync(device.Device.Id, TimeSpan.FromSeconds(30));
        Assert.Equal(Enumerable.Range(0, (int)result.Samples).Select(i => (long)i), ride.SeqNumbers);
    }

    [Fact]
    public async Task IdleSession_EndsAfterTheIdleTimeout_AndBecomesARide()
    {
        await Host.DisposeAsync();
        _host = await LiveTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Mqtt:Broker"] = "External",
            ["Mqtt:External:Host"] = TestServices.MqttHost,
            ["Mqtt:External:Port"] = TestServices.MqttPort.ToString(CultureInfo.InvariantCulture),
            ["Mqtt:Subscriber:ClientId"] = _clientId,
            ["Mqtt:Subscriber:IdleTimeoutSeconds"] = "1",
            ["Mqtt:TopicPrefix"] = _prefix,
        }, _directory);
        await Host.WaitForSubscriberAsync();
        var device = await Host.RegisterDeviceAsync();
        using var client = await ConnectAsync(device.Device.Id);

        await PublishAsync(client, $"{_prefix}/{device.Device.Id}/telemetry", """{"timestamp":1777799702130,"ax":1,"ay":1,"az":1,"gx":1,"gy":1,"gz":1,"seq":3}""");

        var ride = await Host.Sink.WaitForAsync(device.Device.Id, TimeSpan.FromSeconds(15));
        Assert.Equal([3L], ride.SeqNumbers);
    }

    private static async Task<IMqttClient> ConnectAsync(string clientId)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer(TestServices.MqttHost, TestServices.MqttPort)
            .WithProtocolVersion(MqttProtocolVersion.V500).WithClientId(clientId + "-" + Guid.NewGuid().ToString("N")[..6]).Build());
        return client;
    }

    private static async Task PublishAsync(IMqttClient client, string topic, string payload)
    {
        var result = await client.PublishStringAsync(topic, payload, MqttQualityOfServiceLevel.AtLeastOnce);
        Assert.True(result.IsSuccess, $"publish to {topic}: {result.ReasonCode}");
    }
}
