using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Portal.Jobs.Live;

/// <summary>One live sample in canonical units (ride-format.md): UTC time, m/s², deg/s, µT, km/h, degrees, m.</summary>
public sealed class LiveSample
{
    /// <summary>Order of <see cref="Values"/>; the canonical CSV writes them in this order after <c>timestamp</c>.</summary>
    public static readonly string[] ValueColumns = ["ax", "ay", "az", "gx", "gy", "gz", "mx", "my", "mz", "speed", "lat", "lon", "alt"];

    public long TimestampTicks { get; init; }
    public double?[] Values { get; } = new double?[ValueColumns.Length];
    public long? Seq { get; set; }

    /// <summary>The spool's line: UTC ticks, the values (empty when missing), seq. Identical samples give identical lines.</summary>
    public string ToSpoolLine()
    {
        var buffer = new ArrayBufferWriter<byte>(160);
        WriteSpoolLine(buffer);
        return Encoding.UTF8.GetString(buffer.WrittenSpan[..^1]);
    }

    /// <summary>Appends the spool line and its '\n' as UTF-8, formatting numbers straight into the buffer.</summary>
    public void WriteSpoolLine(IBufferWriter<byte> output)
    {
        // 20 bytes of ticks + 13 values of at most 32 bytes + seq + separators fit in 512.
        var span = output.GetSpan(512);
        var at = 0;
        TimestampTicks.TryFormat(span, out var written, default, CultureInfo.InvariantCulture);
        at += written;
        foreach (var value in Values)
        {
            span[at++] = (byte)',';
            if (value is { } v)
            {
                v.TryFormat(span[at..], out written, default, CultureInfo.InvariantCulture);
                at += written;
            }
        }

        span[at++] = (byte)',';
        if (Seq is { } seq)
        {
            seq.TryFormat(span[at..], out written, default, CultureInfo.InvariantCulture);
            at += written;
        }

        span[at++] = (byte)'\n';
        output.Advance(at);
    }
}

public sealed record TelemetryParseResult(IReadOnlyList<LiveSample> Samples, string? RejectReason, string? Detail, int SkippedSamples)
{
    public bool Accepted => RejectReason is null;
}

/// <summary>
/// Turns a telemetry payload (one JSON object or an array of them) into canonical samples. Keys follow the
/// CSV names and aliases (ax, acc_x, accel_x_g, gyro_x_rads, speed_mps, latitude, lng, time_ms, …);
/// timestamps are ISO 8601 strings or epoch milliseconds (epoch seconds with an <c>_s</c> suffix or "(s)").
/// A sample without a readable timestamp is skipped and counted; a payload with none left is rejected.
/// </summary>
public static class TelemetryPayload
{
    private const double StandardGravity = 9.80665;

    private static readonly ConcurrentDictionary<string, KeyMapping?> MappingCache = new(StringComparer.Ordinal);

    private static readonly Dictionary<string, string> BaseNames = BuildBaseNames();

    public static TelemetryParseResult Parse(ReadOnlySequence<byte> payload)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(payload, new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException exception)
        {
            return Rejected(RejectReason.MalformedJson, exception.Message);
        }

        using (document)
        {
            var root = document.RootElement;
            var samples = new List<LiveSample>();
            var skipped = 0;
            var anyKnownKey = false;
            switch (root.ValueKind)
            {
                case JsonValueKind.Object:
                    ReadSample(root, samples, ref skipped, ref anyKnownKey);
                    break;
                case JsonValueKind.Array:
                    foreach (var element in root.EnumerateArray())
                    {
                        if (element.ValueKind != JsonValueKind.Object)
                        {
                            return Rejected(RejectReason.MalformedJson, "A batch is an array of JSON objects.");
                        }

                        ReadSample(element, samples, ref skipped, ref anyKnownKey);
                    }

                    break;
                default:
                    return Rejected(RejectReason.MalformedJson, "The payload is a JSON object or an array of objects.");
            }

            if (!anyKnownKey)
            {
                return Rejected(RejectReason.NoKnownKeys, "No key names a known channel (timestamp, ax, gx, speed, lat, …).");
            }

            return samples.Count == 0
                ? new TelemetryParseResult([], RejectReason.BadTimestamp, "No sample has a readable timestamp (ISO 8601 or epoch milliseconds).", skipped)
                : new TelemetryParseResult(samples, null, null, skipped);
        }
    }

    private static TelemetryParseResult Rejected(string reason, string detail) => new([], reason, detail, 0);

    private static void ReadSample(JsonElement element, List<LiveSample> samples, ref int skipped, ref bool anyKnownKey)
    {
        long? ticks = null;
        var timestampPresent = false;
        var values = new double?[LiveSample.ValueColumns.Length];
        long? seq = null;
        foreach (var property in element.EnumerateObject())
        {
            if (MappingCache.GetOrAdd(property.Name, MapKey) is not { } mapping)
            {
                continue;
            }

            anyKnownKey = true;
            if (mapping.Column == "timestamp")
            {
                timestampPresent = true;
                ticks = ReadTimestamp(property.Value, mapping.Scale);
            }
            else if (mapping.Column == "seq")
            {
                if (ReadNumber(property.Value) is { } number && number >= 0 && number == Math.Floor(number) && number < 9e15)
                {
                    seq = (long)number;
                }
            }
            else if (ReadNumber(property.Value) is { } number)
            {
                values[mapping.ValueIndex] = number * mapping.Scale;
            }
        }

        if (ticks is null)
        {
            if (timestampPresent || values.Any(v => v is not null) || seq is not null)
            {
                skipped++;
            }

            return;
        }

        var sample = new LiveSample { TimestampTicks = ticks.Value, Seq = seq };
        values.CopyTo(sample.Values, 0);
        samples.Add(sample);
    }

    private static double? ReadNumber(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number when value.TryGetDouble(out var number) && double.IsFinite(number) => number,
        JsonValueKind.String when double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number) => number,
        _ => null,
    };

    /// <param name="millisecondsPerUnit">1 for epoch milliseconds, 1000 for epoch seconds.</param>
    private static long? ReadTimestamp(JsonElement value, double millisecondsPerUnit)
    {
        if (value.ValueKind == JsonValueKind.String
            && DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
        {
            return parsed.UtcTicks;
        }

        if (ReadNumber(value) is { } number)
        {
            var milliseconds = number * millisecondsPerUnit;
            // Plausible epoch milliseconds: 2000-01-01 .. 2200-01-01; anything else is time since boot or garbage.
            if (milliseconds is > 946_684_800_000d and < 7_258_118_400_000d)
            {
                return DateTimeOffset.UnixEpoch.UtcTicks + (long)Math.Round(milliseconds * TimeSpan.TicksPerMillisecond);
            }
        }

        return null;
    }

    private sealed record KeyMapping(string Column, int ValueIndex, double Scale);

    private static KeyMapping? MapKey(string key)
    {
        var name = key.Trim().ToLowerInvariant();
        string? unit = null;
        var open = name.IndexOfAny(['(', '[']);
        if (open >= 0)
        {
            var close = name.IndexOfAny([')', ']'], open);
            unit = NormaliseUnit(name[(open + 1)..(close > open ? close : name.Length)]);
            name = name[..open].Trim();
        }

        name = name.Replace(' ', '_').Replace('-', '_').Replace('.', '_');
        if (unit is null)
        {
            foreach (var (suffix, suffixUnit) in UnitSuffixes)
            {
                if (name.EndsWith(suffix, StringComparison.Ordinal) && BaseNames.ContainsKey(name[..^suffix.Length].Replace("_", "")))
                {
                    name = name[..^suffix.Length];
                    unit = suffixUnit;
                    break;
                }
            }
        }

        if (!BaseNames.TryGetValue(name.Replace("_", ""), out var column))
        {
            return null;
        }

        if (column is "timestamp" or "seq")
        {
            return new KeyMapping(column, -1, column == "timestamp" && unit == "s" ? 1000 : 1);
        }

        var index = Array.IndexOf(LiveSample.ValueColumns, column);
        var scale = (column[0], unit) switch
        {
            ('a', "g") => StandardGravity,
            ('g', "rad/s") => 180 / Math.PI,
            ('s', "m/s") => 3.6,
            _ => 1.0,
        };
        return new KeyMapping(column, index, scale);
    }

    private static readonly (string Suffix, string Unit)[] UnitSuffixes =
    [
        ("_mps2", "m/s2"), ("_ms2", "m/s2"), ("_dps", "deg/s"), ("_rads", "rad/s"), ("_rps", "rad/s"),
        ("_ut", "ut"), ("_kmh", "km/h"), ("_mps", "m/s"), ("_ms", "ms"), ("_g", "g"), ("_s", "s"), ("_deg", "deg"), ("_m", "m"),
    ];

    private static string NormaliseUnit(string unit) => unit.Trim().Replace(" ", "") switch
    {
        "g" => "g",
        "m/s" or "mps" => "m/s",
        "km/h" or "kmh" or "kph" => "km/h",
        "s" or "sec" => "s",
        "ms" => "ms",
        "rad/s" or "rads" or "rps" => "rad/s",
        "m/s²" or "m/s^2" or "m/s2" or "mps2" or "ms2" => "m/s2",
        var other => other,
    };

    private static Dictionary<string, string> BuildBaseNames()
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        void Add(string column, params string[] aliases)
        {
            foreach (var alias in aliases)
            {
                names[alias] = column;
            }
        }

        Add("timestamp", "timestamp", "time", "ts", "t", "datetime", "utc", "epoch");
        Add("seq", "seq", "sequence", "seqno", "seqnr", "sequencenumber");
        foreach (var axis in new[] { "x", "y", "z" })
        {
            Add("a" + axis, "a" + axis, "acc" + axis, "accel" + axis, "acceleration" + axis, "accelerometer" + axis, "imuacc" + axis);
            Add("g" + axis, "g" + axis, "gyro" + axis, "gyr" + axis, "gyroscope" + axis, "rot" + axis, "imugyro" + axis);
            Add("m" + axis, "m" + axis, "mag" + axis, "magnetometer" + axis, "imumag" + axis);
        }

        Add("speed", "speed", "velocity", "gpsspeed", "groundspeed", "spd", "v");
        Add("lat", "lat", "latitude", "gpslat", "gpslatitude");
        Add("lon", "lon", "lng", "long", "longitude", "gpslon", "gpslng", "gpslongitude");
        Add("alt", "alt", "altitude", "gpsalt", "gpsaltitude", "elevation");
        return names;
    }
}
