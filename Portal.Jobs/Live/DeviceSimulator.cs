using System.Diagnostics;
using System.Text.Json.Nodes;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Portal.Jobs.Live;

public sealed record SimulatedDevice(string DeviceId, string? Secret);

public sealed class DeviceSimulationOptions
{
    public string Host { get; set; } = "127.0.0.1";
    public int Port { get; set; } = 1883;
    public string TopicPrefix { get; set; } = "rides";
    public string Scenario { get; set; } = "city";
    public double RateHz { get; set; } = 50;
    public int Batch { get; set; } = 10;
    public TimeSpan Duration { get; set; } = TimeSpan.FromSeconds(60);
    public MqttQualityOfServiceLevel Qos { get; set; } = MqttQualityOfServiceLevel.AtLeastOnce;

    /// <summary>True: publish in real time; false: as fast as the broker accepts, with timestamps spaced by the rate.</summary>
    public bool RealTime { get; set; } = true;

    public bool SendSessionEvents { get; set; } = true;

    /// <summary>Starting time of the ride's timestamps when not in real time.</summary>
    public DateTimeOffset? StartAt { get; set; }
}

public sealed record DeviceSimulationResult(string DeviceId, long Messages, long Samples, long FailedPublishes, IReadOnlyList<double> PublishMilliseconds);

/// <summary>Publishes one device's ride as JSON batches with sequence numbers, framed by start and end session events.</summary>
public static class DeviceSimulator
{
    public static async Task<DeviceSimulationResult> RunAsync(SimulatedDevice device, DeviceSimulationOptions options, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
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
        var generator = new StandInRideGenerator(options.Scenario, options.RateHz, seed: device.DeviceId.GetHashCode(StringComparison.Ordinal));
        var totalSamples = (long)Math.Round(options.Duration.TotalSeconds * options.RateHz);
        var start = options.StartAt ?? timeProvider.GetUtcNow();
        var startTimestamp = timeProvider.GetTimestamp();
        long messages = 0, failed = 0;
        var latencies = new List<double>();

        async Task PublishAsync(string subtopic, string payload)
        {
            var message = new MqttApplicationMessageBuilder().WithTopic($"{topic}/{subtopic}").WithPayload(payload).WithQualityOfServiceLevel(options.Qos).Build();
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
                    return;
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
            await PublishAsync("session", """{"event":"start"}""");
        }

        for (long first = 0; first < totalSamples; first += options.Batch)
        {
            var batch = new JsonArray();
            var last = Math.Min(first + options.Batch, totalSamples);
            for (var index = first; index < last; index++)
            {
                batch.Add(generator.Next(index, start + TimeSpan.FromSeconds(index / options.RateHz)));
            }

            if (options.RealTime)
            {
                var due = TimeSpan.FromSeconds((last - 1) / options.RateHz) - timeProvider.GetElapsedTime(startTimestamp);
                if (due > TimeSpan.Zero)
                {
                    await Task.Delay(due, timeProvider, cancellationToken);
                }
            }

            await PublishAsync("telemetry", batch.ToJsonString());
        }

        if (options.SendSessionEvents)
        {
            await PublishAsync("session", """{"event":"end"}""");
        }

        await client.DisconnectAsync(new MqttClientDisconnectOptions(), cancellationToken);
        return new DeviceSimulationResult(device.DeviceId, messages, totalSamples, failed, latencies);
    }
}
