using System.Buffers;
using System.Diagnostics;
using System.Text.Json;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using Portal.Core.Simulation;

namespace Portal.Jobs.Live;

public sealed record SimulatedDevice(string DeviceId, string? Secret);

public sealed class DeviceSimulationOptions
{
    /// <summary>The scenario names of <c>simulate</c> and <c>simulate-device --scenario</c>.</summary>
    public static IReadOnlyDictionary<string, RideScenario> Scenarios { get; } = new Dictionary<string, RideScenario>(StringComparer.Ordinal)
    {
        ["city"] = RideScenario.City,
        ["country"] = RideScenario.Country,
        ["track"] = RideScenario.Track,
        ["crash-lowside"] = RideScenario.CrashLowside,
        ["crash-highside"] = RideScenario.CrashHighside,
        ["drop"] = RideScenario.Drop,
    };

    public string Host { get; set; } = "127.0.0.1";
    public int Port { get; set; } = 1883;
    public string TopicPrefix { get; set; } = "rides";
    public RideScenario Scenario { get; set; } = RideScenario.City;
    public double RateHz { get; set; } = 50;
    public int Batch { get; set; } = 10;
    public TimeSpan Duration { get; set; } = TimeSpan.FromSeconds(60);
    public MqttQualityOfServiceLevel Qos { get; set; } = MqttQualityOfServiceLevel.AtLeastOnce;

    /// <summary>The ride simulator's seed; null derives a stable one from the device id (devices ride different rides).</summary>
    public int? Seed { get; set; }

    /// <summary>True: publish in real time; false: as fast as the broker accepts, with timestamps spaced by the rate.</summary>
    public bool RealTime { get; set; } = true;

    public bool SendSessionEvents { get; set; } = true;

    /// <summary>Time of the ride's first sample; null: now (real time) or the simulator's reproducible start.</summary>
    public DateTimeOffset? StartAt { get; set; }

    /// <summary>
    /// Called with (device id, first seq, last seq) of each telemetry batch the broker acknowledged with success
    /// (QoS 1 PUBACK), so a test knows exactly which samples the broker took responsibility for.
    /// </summary>
    public Action<string, long, long>? TelemetryAcknowledged { get; set; }
}

public sealed record DeviceSimulationResult(string DeviceId, long Messages, long Samples, long FailedPublishes, long PayloadBytes, IReadOnlyList<double> PublishMilliseconds);

/// <summary>
/// Publishes one device's ride, simulated by <see cref="RideSimulator"/> (Portal.Core/Simulation), as JSON batches with
/// sequence numbers framed by start and end session events. The values are rounded as the simulator's CSV writer
/// rounds them, so the live ride and <see cref="SimulatedRideCsvWriter"/>'s file of the same options hold the same numbers.
/// </summary>
public static class DeviceSimulator
{
    /// <summary>The simulation a device rides with these options: write it with <see cref="SimulatedRideCsvWriter"/> to get the same ride as a file.</summary>
    public static SimulationOptions SimulationFor(SimulatedDevice device, DeviceSimulationOptions options, DateTimeOffset? start)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(options);
        return new SimulationOptions
        {
            Scenario = options.Scenario,
            RateHz = options.RateHz,
            DurationSeconds = options.Duration.TotalSeconds,
            Seed = options.Seed ?? StableSeed(device.DeviceId),
            StartTime = start,
        };
    }

    public static async Task<DeviceSimulationResult> RunAsync(SimulatedDevice device, DeviceSimulationOptions options, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(options);
        var simulator = new RideSimulator(SimulationFor(device, options, options.StartAt ?? (options.RealTime ? timeProvider.GetUtcNow() : null)));
        using var client = new MqttClientFactory().CreateMqttClient();
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(options.Host, options.Port)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithClientId(device.DeviceId)
            .WithTimeout(TimeSpan.FromSeconds(10));
        if (device.Secret is not null)
        {
            builder = builder.WithCredentials(device.DeviceId, device.Secret);
        }

        var clientOptions = builder.Build();
        var connect = await client.ConnectAsync(clientOptions, cancellationToken);
        if (connect.ResultCode != MqttClientConnectResultCode.Success)
        {
            throw new InvalidOperationException($"The broker refused device {device.DeviceId}: {connect.ResultCode} {connect.ReasonString}");
        }

        var topic = $"{options.TopicPrefix}/{device.DeviceId}";
        var startTimestamp = timeProvider.GetTimestamp();
        long messages = 0, failed = 0, samples = 0, bytes = 0;
        var latencies = new List<double>();

        // True when the broker acknowledged the message with success.
        async Task<bool> PublishAsync(string subtopic, ReadOnlyMemory<byte> payload)
        {
            // The client keeps a reference to the payload until the broker acknowledged it: copy it out of the reused buffer.
            var message = new MqttApplicationMessageBuilder().WithTopic($"{topic}/{subtopic}").WithPayload(payload.ToArray()).WithQualityOfServiceLevel(options.Qos).Build();
            for (var attempt = 0; ; attempt++)
            {
                var before = Stopwatch.GetTimestamp();
                try
                {
                    if (!client.IsConnected)
                    {
                        await client.ConnectAsync(clientOptions, cancellationToken);
                    }

                    var result = await client.PublishAsync(message, cancellationToken);
                    if (!result.IsSuccess && result.ReasonCode != MqttClientPublishReasonCode.NoMatchingSubscribers)
                    {
                        failed++;
                    }

                    latencies.Add(Stopwatch.GetElapsedTime(before).TotalMilliseconds);
                    messages++;
                    bytes += payload.Length;
                    return result.IsSuccess;
                }
                catch (Exception) when (attempt < 5 && !cancellationToken.IsCancellationRequested)
                {
                    // The broker went away: a real device keeps its batch and tries again.
                    await Task.Delay(TimeSpan.FromMilliseconds(500 * (attempt + 1)), timeProvider, cancellationToken);
                }
            }
        }

        if (options.SendSessionEvents)
        {
            await PublishAsync("session", """{"event":"start"}"""u8.ToArray());
        }

        var buffer = new ArrayBufferWriter<byte>(256 * options.Batch);
        var startMilliseconds = simulator.StartTime.ToUnixTimeMilliseconds();
        var exactMilliseconds = Math.Abs(1000 / options.RateHz - Math.Round(1000 / options.RateHz)) < 1e-9;
        while (true)
        {
            buffer.ResetWrittenCount();
            var count = 0;
            long firstIndex = 0, lastIndex = 0;
            using (var json = new Utf8JsonWriter(buffer))
            {
                json.WriteStartArray();
                while (count < options.Batch && simulator.TryNext(out var sample))
                {
                    WriteSample(json, in sample, startMilliseconds, options.RateHz, exactMilliseconds);
                    firstIndex = count == 0 ? sample.State.Index : firstIndex;
                    lastIndex = sample.State.Index;
                    count++;
                }

                json.WriteEndArray();
            }

            if (count == 0)
            {
                break;
            }

            if (options.RealTime)
            {
                var due = TimeSpan.FromSeconds(lastIndex / options.RateHz) - timeProvider.GetElapsedTime(startTimestamp);
                if (due > TimeSpan.Zero)
                {
                    await Task.Delay(due, timeProvider, cancellationToken);
                }
            }

            if (await PublishAsync("telemetry", buffer.WrittenMemory))
            {
                options.TelemetryAcknowledged?.Invoke(device.DeviceId, firstIndex, lastIndex);
            }

            samples += count;
        }

        if (options.SendSessionEvents)
        {
            await PublishAsync("session", """{"event":"end"}"""u8.ToArray());
        }

        await client.DisconnectAsync(new MqttClientDisconnectOptions(), cancellationToken);
        return new DeviceSimulationResult(device.DeviceId, messages, samples, failed, bytes, latencies);
    }

    /// <summary>Canonical keys and the CSV writer's decimals (acceleration, rotation, field 4; speed 2; position 7).</summary>
    private static void WriteSample(Utf8JsonWriter json, in SimulatedSample sample, long startMilliseconds, double rateHz, bool exactMilliseconds)
    {
        ref readonly var m = ref sample.Measured;
        json.WriteStartObject();
        var milliseconds = startMilliseconds + sample.State.Index * 1000 / rateHz;
        if (exactMilliseconds)
        {
            json.WriteNumber("timestamp", (long)Math.Round(milliseconds));
        }
        else
        {
            json.WriteNumber("timestamp", Fixed(milliseconds, 3));
        }

        json.WriteNumber("ax", Fixed(m.Ax, 4));
        json.WriteNumber("ay", Fixed(m.Ay, 4));
        json.WriteNumber("az", Fixed(m.Az, 4));
        json.WriteNumber("gx", Fixed(m.Gx, 4));
        json.WriteNumber("gy", Fixed(m.Gy, 4));
        json.WriteNumber("gz", Fixed(m.Gz, 4));
        json.WriteNumber("mx", Fixed(m.Mx, 4));
        json.WriteNumber("my", Fixed(m.My, 4));
        json.WriteNumber("mz", Fixed(m.Mz, 4));
        if (!double.IsNaN(m.Speed))
        {
            json.WriteNumber("speed", Fixed(m.Speed, 2));
            json.WriteNumber("lat", Fixed(m.Lat, 7));
            json.WriteNumber("lon", Fixed(m.Lon, 7));
        }

        json.WriteNumber("seq", sample.State.Index);
        json.WriteEndObject();
    }

    private static readonly double[] PowersOfTen = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000];

    /// <summary>Rounds like the CSV writer (half away from zero), so both paths parse to the same double.</summary>
    private static double Fixed(double value, int decimals) =>
        Math.Round(value * PowersOfTen[decimals], MidpointRounding.AwayFromZero) / PowersOfTen[decimals];

    /// <summary>FNV-1a of the id: string hash codes differ between processes, a device's ride should not.</summary>
    private static int StableSeed(string deviceId)
    {
        var hash = 2166136261u;
        foreach (var character in deviceId)
        {
            hash = (hash ^ character) * 16777619u;
        }

        return (int)(hash & 0x7FFFFFFF);
    }
}
