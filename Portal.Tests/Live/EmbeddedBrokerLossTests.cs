using System.Globalization;
using Portal.Jobs.Live;

namespace Portal.Tests.Live;

/// <summary>
/// The embedded broker and the subscriber in separate hosts sharing one data directory (as a portal and a worker
/// process would): the subscriber goes away while a device keeps publishing at QoS 1 and comes back.
/// </summary>
[Trait("Category", "Live")]
public sealed class EmbeddedBrokerLossTests
{
    [Fact]
    public async Task SubscriberStoppedWhileDeviceKeepsPublishingAtQos1_LosesNoSample_TheBrokerKeptItsSession()
    {
        var port = LiveTestPorts.FreeLoopbackPort();
        var directory = LiveTestHost.NewDirectory();
        await using var broker = await LiveTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Mqtt:Broker"] = "Embedded",
            ["Mqtt:Embedded:Port"] = port.ToString(CultureInfo.InvariantCulture),
            ["Mqtt:Subscriber:Enabled"] = "false",
        }, directory);
        var credentials = (SubscriberCredentials)broker.Services.GetService(typeof(SubscriberCredentials))!;
        var subscriberSettings = new Dictionary<string, string?>
        {
            ["Mqtt:Broker"] = "External",
            ["Mqtt:External:Host"] = "127.0.0.1",
            ["Mqtt:External:Port"] = port.ToString(CultureInfo.InvariantCulture),
            ["Mqtt:External:Username"] = credentials.Username,
            ["Mqtt:External:Password"] = credentials.Secret,
        };
        var subscriber = await LiveTestHost.StartAsync(subscriberSettings, directory);
        await subscriber.WaitForSubscriberAsync();
        var device = await broker.RegisterDeviceAsync();

        var simulation = DeviceSimulator.RunAsync(new SimulatedDevice(device.Device.Id, device.Secret),
            new DeviceSimulationOptions { Port = port, RateHz = 50, Batch = 10, Duration = TimeSpan.FromSeconds(10) },
            TimeProvider.System, CancellationToken.None);
        await LiveTestPorts.WaitUntilAsync(() => subscriber.Metrics.MessagesSpooled >= 10, TimeSpan.FromSeconds(10), "the first messages to be spooled");
        await subscriber.DisposeAsync();
        await Task.Delay(TimeSpan.FromSeconds(5));
        await using var restarted = await LiveTestHost.StartAsync(subscriberSettings, directory);
        var result = await simulation;

        var ride = await restarted.Sink.WaitForAsync(device.Device.Id, TimeSpan.FromSeconds(30));
        Assert.Equal(Enumerable.Range(0, (int)result.Samples).Select(i => (long)i), ride.SeqNumbers);
        Assert.Equal(0, result.FailedPublishes);
    }
}
