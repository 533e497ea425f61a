using System.Globalization;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using Portal.Core.Live;
using Portal.Jobs.Live;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Live;

/// <summary>
/// The live view's read-only MQTT client end to end: a registered device streams through the embedded broker (beside the
/// ingest subscriber) or through the test Mosquitto, and its samples arrive in the portal's feed.
/// </summary>
[Trait("Category", "Live")]
public sealed class LiveViewFeedTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private readonly int _port = LiveTestPorts.FreeLoopbackPort();
    private LiveTestHost _host = null!;

    public async Task InitializeAsync() =>
        _host = await LiveTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Mqtt:Broker"] = "Embedded",
            ["Mqtt:Embedded:Port"] = _port.ToString(CultureInfo.InvariantCulture),
        });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task RegisteredDevice_StreamingThroughTheEmbeddedBroker_ArrivesInTheFeed_WhileTheIngestSubscriberStillGetsTheRide()
    {
        await _host.WaitForSubscriberAsync();
        var device = await _host.RegisterDeviceAsync();
        await using var source = ActivatorUtilities.CreateInstance<MqttLiveTelemetrySource>(_host.Services);
        await using var feed = new LiveFeed(source, Options.Create(new LiveViewOptions()));
        var watch = await feed.WatchAsync(device.Device.Id, CancellationToken.None);
        await LiveTestPorts.WaitUntilAsync(() => source.IsConnected, Timeout, "the live view client to connect and subscribe");

        var result = await DeviceSimulator.RunAsync(new SimulatedDevice(device.Device.Id, device.Secret),
            new DeviceSimulationOptions { Port = _port, RateHz = 50, Batch = 10, Duration = TimeSpan.FromSeconds(4), RealTime = false },
            TimeProvider.System, CancellationToken.None);

        await LiveTestPorts.WaitUntilAsync(() => watch.Snapshot().SessionEnded, Timeout, "the end event to reach the feed");
        var snapshot = watch.Snapshot();
        Assert.Equal(result.Samples, snapshot.SamplesReceived);
        Assert.True(snapshot.SessionStartSeen);
        Assert.Equal(50, snapshot.SampleRateHz!.Value, 1);
        Assert.Equal(result.Samples, snapshot.LongitudinalG.Count);
        Assert.True(snapshot.SpeedKmh.Count > 0, "the simulator sends speed");
        Assert.Equal(TimeSpan.FromSeconds((result.Samples - 1) / 50.0).TotalSeconds, snapshot.SessionDuration!.Value.TotalSeconds, 3);
        Assert.NotNull(await _host.Sink.WaitForAsync(device.Device.Id, Timeout));

        await watch.DisposeAsync();
        Assert.Empty(source.WatchedDevices);
        Assert.False(source.IsConnected);
    }

    [Fact]
    public async Task ReaderLogin_OfTheSubscriberAndTheLiveView_MayNotPublish_ToTheEmbeddedBroker()
    {
        var device = await _host.RegisterDeviceAsync();
        var credentials = _host.Services.GetRequiredService<SubscriberCredentials>();
        using var client = new MqttClientFactory().CreateMqttClient();
        await client.ConnectAsync(new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", _port)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithClientId("ride-portal-subscriber-live-test")
            .WithCredentials(credentials.Username, credentials.Secret)
            .Build());

        var published = await client.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic($"rides/{device.Device.Id}/telemetry")
            .WithPayload("""{"timestamp":"2026-05-03T09:15:02.130Z","ax":0.1,"ay":0,"az":9.81,"gx":0,"gy":0,"gz":1.5,"speed":42,"seq":1}""")
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build());

        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, published.ReasonCode);
        Assert.Equal(1, _host.Metrics.MessagesRejectedFor(RejectReason.ReaderPublish));
    }
}

/// <summary>The live view's client against the shared test Mosquitto (anonymous), as with <c>Mqtt:Broker = External</c>.</summary>
[Trait("Category", "Live")]
public sealed class LiveViewMosquittoTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    // Other test runs share the broker: a prefix of our own keeps their devices out of this feed.
    private readonly string _prefix = "live" + Guid.NewGuid().ToString("N")[..8];

    private MqttLiveTelemetrySource NewSource()
    {
        var mqtt = new MqttOptions
        {
            Broker = MqttBrokerMode.External,
            TopicPrefix = _prefix,
            External = new ExternalBrokerOptions { Host = TestServices.MqttHost, Port = TestServices.MqttPort },
            Subscriber = new SubscriberOptions { SpoolDir = LiveTestHost.NewDirectory() },
        };
        var options = Options.Create(mqtt);
        return new MqttLiveTelemetrySource(options, new SubscriberCredentials(options), TimeProvider.System, NullLogger<MqttLiveTelemetrySource>.Instance);
    }

    [Fact]
    public async Task PublishedBatches_ArriveInTheFeed_OnlyForTheWatchedDevice_UntilTheLastViewerLeaves()
    {
        await using var source = NewSource();
        await using var feed = new LiveFeed(source, Options.Create(new LiveViewOptions()));
        var watch = await feed.WatchAsync("dev-watched", CancellationToken.None);
        await using var other = await feed.WatchAsync("dev-other", CancellationToken.None);
        await LiveTestPorts.WaitUntilAsync(() => source.IsConnected, Timeout, "the live view client to connect to Mosquitto");

        using var device = new MqttClientFactory().CreateMqttClient();
        await device.ConnectAsync(new MqttClientOptionsBuilder()
            .WithTcpServer(TestServices.MqttHost, TestServices.MqttPort).WithProtocolVersion(MqttProtocolVersion.V500)
            .WithClientId("dev-watched-" + _prefix).Build());
        await PublishAsync(device, $"{_prefix}/dev-watched/session", """{"event":"start"}""");
        var start = new DateTimeOffset(2026, 5, 3, 9, 15, 0, TimeSpan.Zero);
        for (var batch = 0; batch < 3; batch++)
        {
            var samples = Enumerable.Range(batch * 20, 20).Select(i => string.Create(CultureInfo.InvariantCulture,
                $$"""{"timestamp":{{start.AddMilliseconds(i * 10).ToUnixTimeMilliseconds()}},"ax_g":0.1,"ay":0,"az":9.81,"gx":0,"gy":0,"gz":0,"speed_mps":10,"seq":{{i}}}"""));
            await PublishAsync(device, $"{_prefix}/dev-watched/telemetry", "[" + string.Join(',', samples) + "]");
        }

        await LiveTestPorts.WaitUntilAsync(() => watch.Snapshot().SamplesReceived == 60, Timeout, "60 samples in the feed");
        var snapshot = watch.Snapshot();
        Assert.True(snapshot.SessionStartSeen);
        Assert.Equal(100, snapshot.SampleRateHz!.Value, 6);
        Assert.Equal(36, snapshot.SpeedKmh.Latest!.Value, 6); // 10 m/s in canonical km/h
        Assert.Equal(0.1, snapshot.LongitudinalG.Latest!.Value, 6); // ax in g stays g
        Assert.Equal(0, other.Snapshot().SamplesReceived);

        await watch.DisposeAsync();
        Assert.Equal(["dev-other"], source.WatchedDevices);
        var late = $$"""{"timestamp":{{start.AddSeconds(5).ToUnixTimeMilliseconds()}},"ax":1,"ay":0,"az":9.81,"gx":0,"gy":0,"gz":0}""";
        await PublishAsync(device, $"{_prefix}/dev-watched/telemetry", late);
        // One publisher's messages arrive in order: once the other device's sample is in, the late one was ignored.
        await PublishAsync(device, $"{_prefix}/dev-other/telemetry", late);
        await LiveTestPorts.WaitUntilAsync(() => other.Snapshot().SamplesReceived == 1, Timeout, "the other device's sample");
        Assert.Equal(60, watch.Snapshot().SamplesReceived);
        Assert.True(source.IsConnected, "still connected while another device is watched");
    }

    [Fact]
    public async Task NoViewer_NoConnection_AndWatchingAnIdWithWildcards_IsRefused()
    {
        await using var source = NewSource();
        var buffer = new LiveDeviceBuffer(TimeSpan.FromSeconds(60), 1000, TimeSpan.FromSeconds(60));

        await Assert.ThrowsAsync<ArgumentException>(() => source.WatchAsync("dev/+", buffer, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => source.WatchAsync("#", buffer, CancellationToken.None));

        Assert.False(source.IsConnected);
        Assert.Empty(source.WatchedDevices);
    }

    private static async Task PublishAsync(IMqttClient client, string topic, string payload)
    {
        var result = await client.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic(topic).WithPayload(Encoding.UTF8.GetBytes(payload)).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
        Assert.True(result.IsSuccess, $"publish to {topic}: {result.ReasonCode}");
    }
}
