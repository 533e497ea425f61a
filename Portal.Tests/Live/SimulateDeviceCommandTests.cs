using System.Globalization;
using Portal.Jobs.CommandLine;

namespace Portal.Tests.Live;

/// <summary><c>simulate-device</c> from the command line against the embedded broker.</summary>
[Trait("Category", "Live")]
public sealed class SimulateDeviceCommandTests
{
    [Fact]
    public async Task SimulateDevice_PublishesARideThatArrivesWithEverySequenceNumber()
    {
        var port = LiveTestPorts.FreeLoopbackPort();
        await using var host = await LiveTestHost.StartAsync(new Dictionary<string, string?> { ["Mqtt:Embedded:Port"] = port.ToString(CultureInfo.InvariantCulture) });
        await host.WaitForSubscriberAsync();
        var device = await host.RegisterDeviceAsync();
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var exitCode = await JobsCommandLine.RunAsync(
            ["simulate-device", "--device", device.Device.Id, "--secret", device.Secret, "--broker", $"127.0.0.1:{port}",
             "--scenario", "track", "--rate", "100", "--batch", "25", "--duration", "2"],
            stdout, stderr, CancellationToken.None);

        var ride = await host.Sink.WaitForAsync(device.Device.Id, TimeSpan.FromSeconds(20));
        Assert.True(exitCode == 0, stderr.ToString());
        // The ride simulator's 2 s at 100 Hz are samples 0..200 (both ends): 9 telemetry messages of up to 25, start and end.
        Assert.Equal(Enumerable.Range(0, 201).Select(i => (long)i), ride.SeqNumbers);
        Assert.Contains("201 samples in 11 messages", stdout.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--broker", "no-port-here", "--broker must be HOST:PORT")]
    [InlineData("--scenario", "moon", "--scenario must be one of city, country, track, crash-lowside, crash-highside, drop")]
    [InlineData("--scenario", "crash-highside", "--duration must be at least 150 s for --scenario crash-highside")]
    [InlineData("--rate", "fast", "--rate must be a number")]
    [InlineData("--colour", "red", "Unknown option '--colour'")]
    public async Task SimulateDevice_WithABadOption_ExitsWith2_AndNamesTheOption(string option, string value, string message)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var args = new List<string> { "simulate-device", "--device", "dev-x", "--broker", "127.0.0.1:1" };
        var existing = args.IndexOf(option);
        if (existing >= 0)
        {
            args[existing + 1] = value;
        }
        else
        {
            args.AddRange([option, value]);
        }

        var exitCode = await JobsCommandLine.RunAsync([.. args], stdout, stderr, CancellationToken.None);

        Assert.Equal(2, exitCode);
        Assert.Contains(message, stderr.ToString(), StringComparison.Ordinal);
    }
}
