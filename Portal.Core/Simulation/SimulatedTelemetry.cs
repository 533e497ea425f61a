using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Portal.Core.Simulation;

/// <summary>
/// Live telemetry as a suit sends it over MQTT (ride-format.md §2): JSON arrays of sample objects with
/// the CSV column names as keys; GPS keys only at a fix when the gap style is <see cref="GpsGapStyle.Empty"/>.
/// </summary>
public static class SimulatedTelemetry
{
    /// <summary>Each element is one UTF-8 JSON payload (an array of <paramref name="samplesPerBatch"/> objects, or one object when it is 1).</summary>
    public static IEnumerable<byte[]> Batches(SimulationOptions options, int samplesPerBatch, bool epochMillisecondTimestamps)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(samplesPerBatch, 1);
        var simulator = new RideSimulator(options);
        var buffer = new ArrayBufferWriter<byte>(256 * samplesPerBatch);
        while (true)
        {
            buffer.ResetWrittenCount();
            var count = 0;
            using (var json = new Utf8JsonWriter(buffer))
            {
                if (samplesPerBatch > 1)
                {
                    json.WriteStartArray();
                }

                while (count < samplesPerBatch && simulator.TryNext(out var sample))
                {
                    WriteSample(json, in sample, simulator.StartTime, epochMillisecondTimestamps);
                    count++;
                }

                if (samplesPerBatch > 1)
                {
                    json.WriteEndArray();
                }
            }

            if (count == 0)
            {
                yield break;
            }

            yield return buffer.WrittenSpan.ToArray();
        }
    }

    /// <summary>The same payloads paced in real time (one batch per batch duration) with the given clock.</summary>
    public static async IAsyncEnumerable<byte[]> PacedAsync(SimulationOptions options, int samplesPerBatch, bool epochMillisecondTimestamps, TimeProvider timeProvider, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        var interval = TimeSpan.FromSeconds(samplesPerBatch / options.RateHz);
        foreach (var payload in Batches(options, samplesPerBatch, epochMillisecondTimestamps))
        {
            yield return payload;
            await Task.Delay(interval, timeProvider, cancellationToken);
        }
    }

    private static void WriteSample(Utf8JsonWriter json, in SimulatedSample sample, DateTimeOffset start, bool epochMilliseconds)
    {
        ref readonly var m = ref sample.Measured;
        json.WriteStartObject();
        var time = start.AddTicks((long)Math.Round(m.T * TimeSpan.TicksPerSecond));
        if (epochMilliseconds)
        {
            json.WriteNumber("timestamp", time.ToUnixTimeMilliseconds());
        }
        else
        {
            json.WriteString("timestamp", time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture));
        }

        json.WriteNumber("ax", Math.Round(m.Ax, 4));
        json.WriteNumber("ay", Math.Round(m.Ay, 4));
        json.WriteNumber("az", Math.Round(m.Az, 4));
        json.WriteNumber("gx", Math.Round(m.Gx, 4));
        json.WriteNumber("gy", Math.Round(m.Gy, 4));
        json.WriteNumber("gz", Math.Round(m.Gz, 4));
        json.WriteNumber("mx", Math.Round(m.Mx, 4));
        json.WriteNumber("my", Math.Round(m.My, 4));
        json.WriteNumber("mz", Math.Round(m.Mz, 4));
        if (!double.IsNaN(m.Speed))
        {
            json.WriteNumber("speed", Math.Round(m.Speed, 2));
            json.WriteNumber("lat", Math.Round(m.Lat, 7));
            json.WriteNumber("lon", Math.Round(m.Lon, 7));
        }

        json.WriteEndObject();
    }
}
