using System.Globalization;
using Portal.Jobs.Live;

namespace Portal.Tests.Live;

/// <summary>
/// Issue 7: two subscriber instances against a real Mosquitto split the devices (Mqtt:Subscriber:PartitionCount), each
/// with its own client id and spool; one goes away in the middle of the sessions and comes back, and every sample
/// ends up in its device's ride exactly once, submitted by the instance that owns the device.
/// </summary>
[Trait("Category", "Live")]
public sealed class PartitionedSubscribersTests
{
    [Fact]
    public async Task TwoPartitionedSubscribers_SplitTheDevices_AndOneGoingAwayMidSessionLosesAndDuplicatesNoSample()
    {
        await using var broker = await MosquittoBroker.StartAsync("rides");
        var directory = LiveTestHost.NewDirectory(); // one catalog (as one registry in production), a spool per instance
        Dictionary<string, string?> Settings(int index) => new()
        {
            ["Mqtt:Broker"] = "External",
            ["Mqtt:External:Host"] = "127.0.0.1",
            ["Mqtt:External:Port"] = broker.Port.ToString(CultureInfo.InvariantCulture),
            ["Mqtt:External:Username"] = MosquittoBroker.SubscriberUser,
            ["Mqtt:External:Password"] = broker.SubscriberPassword,
            ["Mqtt:External:ClientId"] = $"ingest-{index}-" + broker.Port.ToString(CultureInfo.InvariantCulture),
            ["Mqtt:Subscriber:PartitionCount"] = "2",
            ["Mqtt:Subscriber:PartitionIndex"] = index.ToString(CultureInfo.InvariantCulture),
            ["Mqtt:Subscriber:SpoolDir"] = Path.Combine(directory, $"spool-{index}"),
        };
        var first = await LiveTestHost.StartAsync(Settings(0), directory);
        await using var second = await LiveTestHost.StartAsync(Settings(1), directory);
        await Task.WhenAll(first.WaitForSubscriberAsync(), second.WaitForSubscriberAsync());

        var devices = new List<SimulatedDevice>();
        for (var i = 0; i < 6; i++)
        {
            var device = await first.RegisterDeviceAsync();
            await broker.AddUserAsync(device.Device.Id, device.Secret);
            devices.Add(new SimulatedDevice(device.Device.Id, device.Secret));
        }

        var partitionOfFirst = new SubscriberOptions { PartitionCount = 2, PartitionIndex = 0 };
        Assert.Contains(devices, d => partitionOfFirst.OwnsDevice(d.DeviceId));
        Assert.Contains(devices, d => !partitionOfFirst.OwnsDevice(d.DeviceId));

        var options = new DeviceSimulationOptions { Port = broker.Port, RateHz = 50, Batch = 10, Duration = TimeSpan.FromSeconds(8), Scenario = Portal.Core.Simulation.RideScenario.City };
        var publishing = Task.WhenAll(devices.Select(d => DeviceSimulator.RunAsync(d, options, TimeProvider.System, CancellationToken.None)));
        await LiveTestPorts.WaitUntilAsync(() => first.Metrics.MessagesSpooled >= 20, TimeSpan.FromSeconds(20), "the first instance to spool its devices' messages");
        await first.DisposeAsync(); // away mid-session: its broker session queues its devices' messages
        await Task.Delay(TimeSpan.FromSeconds(3));
        await using var restarted = await LiveTestHost.StartAsync(Settings(0), directory);
        var results = await publishing;

        foreach (var (device, result) in devices.Zip(results))
        {
            var owner = partitionOfFirst.OwnsDevice(device.DeviceId) ? restarted : second;
            var other = owner == restarted ? second : restarted;
            var ride = await owner.Sink.WaitForAsync(device.DeviceId, TimeSpan.FromSeconds(30));
            Assert.Equal(Enumerable.Range(0, (int)result.Samples).Select(i => (long)i), ride.SeqNumbers);
            Assert.Single(owner.Sink.Submissions, s => s.DeviceId == device.DeviceId);
            Assert.DoesNotContain(other.Sink.Submissions, s => s.DeviceId == device.DeviceId);
        }

        Assert.True(second.Metrics.MessagesOfOtherPartitions > 0);
    }
}
