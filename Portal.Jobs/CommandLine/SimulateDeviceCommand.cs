using System.Globalization;
using MQTTnet.Protocol;
using Portal.Core.Simulation;
using Portal.Jobs.Live;

namespace Portal.Jobs.CommandLine;

/// <summary>
/// <c>simulate-device --device ID --secret S --broker HOST:PORT [--scenario city|country|track|crash-lowside|crash-highside|drop]
/// [--rate 50] [--batch 10] [--duration 60] [--devices N] [--qos 1] [--prefix rides] [--seed N]</c>: publishes a ride of the
/// analytics simulator (Portal.Core/Simulation) in real time, as JSON batches with sequence numbers between start and end
/// session events. For several devices give comma-separated ids and
/// secrets (<c>--device a,b --secret sa,sb</c>); against an anonymous broker <c>--devices N</c> with one id
/// publishes as ID-1 … ID-N.
/// </summary>
public static class SimulateDeviceCommand
{
    private static readonly string[] Options = ["device", "secret", "broker", "scenario", "rate", "batch", "duration", "devices", "qos", "prefix", "seed"];

    public static async Task<int> RunAsync(ReadOnlyMemory<string> args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        DeviceSimulationOptions options;
        List<SimulatedDevice> devices;
        try
        {
            var parsed = CommandArguments.Parse(args.Span, flags: [], known: Options);
            var (host, port) = CommandArguments.HostAndPort(parsed.RequiredText("broker"), "broker");
            var scenarioName = parsed.Text("scenario") ?? "city";
            if (!DeviceSimulationOptions.Scenarios.TryGetValue(scenarioName, out var scenario))
            {
                throw new ArgumentException($"Option --scenario must be one of {string.Join(", ", DeviceSimulationOptions.Scenarios.Keys)}.");
            }

            options = new DeviceSimulationOptions
            {
                Host = host,
                Port = port,
                Scenario = scenario,
                TopicPrefix = parsed.Text("prefix") ?? "rides",
                RateHz = parsed.Number("rate", 50, 1, 2000),
                Batch = parsed.Integer("batch", 10, 1, 10_000),
                Duration = TimeSpan.FromSeconds(parsed.Number("duration", 60, 1, 86_400)),
                Qos = (MqttQualityOfServiceLevel)parsed.Integer("qos", 1, 0, 2),
                Seed = parsed.Text("seed") is null ? null : parsed.Integer("seed", 1, 0, int.MaxValue),
            };
            if (scenario is RideScenario.CrashLowside or RideScenario.CrashHighside or RideScenario.Drop
                && options.Duration.TotalSeconds < SimulationOptions.MinimumEventDurationSeconds)
            {
                throw new ArgumentException($"Option --duration must be at least {SimulationOptions.MinimumEventDurationSeconds} s for --scenario {scenarioName} (the ride, its event and coming to rest).");
            }

            devices = Devices(parsed.RequiredText("device"), parsed.Text("secret"), parsed.Integer("devices", 0, 0, 10_000));
        }
        catch (ArgumentException exception)
        {
            await stderr.WriteLineAsync(exception.Message);
            return 2;
        }

        await stdout.WriteLineAsync($"Publishing {devices.Count} device(s) to {options.Host}:{options.Port} for {options.Duration.TotalSeconds:0} s at {options.RateHz} Hz, {options.Batch} samples per message, QoS {(int)options.Qos}.");
        try
        {
            var results = await Task.WhenAll(devices.Select(d => DeviceSimulator.RunAsync(d, options, TimeProvider.System, cancellationToken)));
            foreach (var result in results)
            {
                await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"{result.DeviceId}: {result.Samples} samples in {result.Messages} messages, {result.FailedPublishes} refused by the broker"));
            }

            return results.Any(r => r.FailedPublishes > 0) ? 1 : 0;
        }
        catch (InvalidOperationException exception)
        {
            await stderr.WriteLineAsync(exception.Message);
            return 1;
        }
    }

    private static List<SimulatedDevice> Devices(string ids, string? secrets, int count)
    {
        var idList = ids.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var secretList = secrets?.Split(',', StringSplitOptions.TrimEntries) ?? [];
        if (secretList.Length > 0 && secretList.Length != idList.Length)
        {
            throw new ArgumentException("Give one --secret per --device (comma-separated, in the same order).");
        }

        if (count > 1 && idList.Length == 1 && secretList.Length == 0)
        {
            return [.. Enumerable.Range(1, count).Select(i => new SimulatedDevice($"{idList[0]}-{i}", null))];
        }

        if (count > 0 && count != idList.Length)
        {
            throw new ArgumentException("--devices N needs N comma-separated --device ids (and secrets), or a single id against an anonymous broker.");
        }

        return [.. idList.Select((id, i) => new SimulatedDevice(id, secretList.Length > 0 ? secretList[i] : null))];
    }
}
