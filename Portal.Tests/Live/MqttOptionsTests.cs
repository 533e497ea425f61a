using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Portal.Jobs.Live;

namespace Portal.Tests.Live;

[Trait("Category", "Live")]
public sealed class MqttOptionsTests
{
    private static string[] Failures(params (string Key, string Value)[] settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings.ToDictionary(s => s.Key, s => (string?)s.Value));
        builder.AddLiveDevices();
        using var provider = builder.Services.BuildServiceProvider();
        try
        {
            _ = provider.GetRequiredService<IOptions<MqttOptions>>().Value;
            return [];
        }
        catch (OptionsValidationException exception)
        {
            return [.. exception.Failures];
        }
    }

    [Fact]
    public void Defaults_AreValid_WithTheSpoolUnderTheDataDirectory()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Embedded:DataDir"] = "/srv/portal-data" });
        builder.AddLiveDevices();
        using var provider = builder.Services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<MqttOptions>>().Value;

        Assert.Equal(MqttBrokerMode.Embedded, options.Broker);
        Assert.Equal(1883, options.Embedded.Port);
        Assert.Equal("rides", options.TopicPrefix);
        Assert.Equal(Path.GetFullPath("/srv/portal-data/spool"), options.Subscriber.SpoolDir);
    }

    [Theory]
    [InlineData("Mqtt:External:Host")]
    public void ExternalBrokerWithoutHost_NamesTheKey(string key)
    {
        Assert.Contains(Failures(("Mqtt:Broker", "External")), f => f.Contains(key, StringComparison.Ordinal));
    }

    [Fact]
    public void WrongValues_AreReportedWithTheirExactKeys()
    {
        var failures = Failures(
            ("Mqtt:Embedded:CertificatePath", "/nonexistent/broker.pfx"),
            ("Mqtt:Embedded:MaxPacketBytes", "10"),
            ("Mqtt:Subscriber:SharedGroup", "a/b"),
            ("Mqtt:Subscriber:IdleTimeoutSeconds", "0"),
            ("Mqtt:TopicPrefix", "rides/#"));

        Assert.Contains(failures, f => f.StartsWith("Mqtt:Embedded:CertificatePath", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Mqtt:Embedded:MaxPacketBytes", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Mqtt:Subscriber:SharedGroup", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Mqtt:Subscriber:IdleTimeoutSeconds", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Mqtt:TopicPrefix", StringComparison.Ordinal));
    }

    [Fact]
    public void Partitions_AreCheckedWithTheirExactKeys_AndExcludeASharedGroup()
    {
        var outOfRange = Failures(("Mqtt:Subscriber:PartitionCount", "2"), ("Mqtt:Subscriber:PartitionIndex", "2"));
        var withSharedGroup = Failures(("Mqtt:Subscriber:PartitionCount", "2"), ("Mqtt:Subscriber:SharedGroup", "ingest"));
        var none = Failures(("Mqtt:Subscriber:PartitionCount", "0"));

        Assert.Contains(outOfRange, f => f.StartsWith("Mqtt:Subscriber:PartitionIndex", StringComparison.Ordinal));
        Assert.Contains(withSharedGroup, f => f.StartsWith("Mqtt:Subscriber:SharedGroup must be empty", StringComparison.Ordinal));
        Assert.Contains(none, f => f.StartsWith("Mqtt:Subscriber:PartitionCount", StringComparison.Ordinal));
    }

    [Fact]
    public void Partitions_GiveEveryDeviceToExactlyOneInstance()
    {
        var partitions = Enumerable.Range(0, 3).Select(i => new SubscriberOptions { PartitionCount = 3, PartitionIndex = i }).ToArray();
        var devices = Enumerable.Range(0, 300).Select(i => $"dev-{i:x6}").ToArray();

        var owners = devices.Select(d => partitions.Count(p => p.OwnsDevice(d))).ToArray();
        var perPartition = partitions.Select(p => devices.Count(p.OwnsDevice)).ToArray();

        Assert.All(owners, count => Assert.Equal(1, count));
        Assert.All(perPartition, count => Assert.InRange(count, 60, 140)); // a hash, not all on one instance
    }
}
