using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Portal.Core.Analytics;
using Portal.Core.Analytics.Reading;

namespace Portal.Core.Devices;

/// <summary>One column of the sample: its header, the channel it feeds (null: ignored) and the first values.</summary>
public sealed record SampleColumn(string Name, string? Channel, IReadOnlyList<string> FirstValues);

/// <summary>
/// What the portal makes of a sample file: the columns, a draft profile (mapping, units and time base by name, as
/// <see cref="DeviceProfileRules.Validate"/> takes them), how the reader decided each, and a preview of the metrics
/// from the real analyzer on the (bounded) sample.
/// </summary>
/// <param name="Draft">The suggested profile, without a name: what saving it would store.</param>
/// <param name="Facts">The reader's decisions on the sample; null when it could not even find a header.</param>
/// <param name="Rejection">Why the sample cannot be read as it is (the admin maps the columns by hand then).</param>
/// <param name="Metrics">The first metrics of the sample; null when it was refused.</param>
/// <param name="Quality">Whatever the analysis reports beside the metrics under <c>quality</c> (mount, rates …), shown as given.</param>
/// <param name="SampleBytes">How much of the file was analysed.</param>
/// <param name="Truncated">Whether the file was longer than <see cref="DeviceProfileSuggester.MaxSampleBytes"/> (the preview covers its start only).</param>
public sealed record DeviceProfileSuggestion(
    IReadOnlyList<SampleColumn> Columns,
    DeviceProfileDraft Draft,
    RideReadFacts? Facts,
    RideRejection? Rejection,
    RideMetrics? Metrics,
    IReadOnlyDictionary<string, JsonElement> Quality,
    long SampleBytes,
    bool Truncated);

/// <summary>
/// Suggests a device profile from a sample file and previews the analysis with it, or with the admin's adjusted
/// profile. The sample is bounded (<see cref="MaxSampleBytes"/> of text, cut at a line end), so a large upload costs
/// no more than a short ride.
/// </summary>
public sealed class DeviceProfileSuggester(IRideAnalyzer analyzer)
{
    /// <summary>The part of a sample that is analysed: minutes of a 100 Hz ride, enough for units and first metrics.</summary>
    public const int MaxSampleBytes = 8 * 1024 * 1024;

    private const int ShownValues = 3;

    /// <summary>Reads up to <see cref="MaxSampleBytes"/> of text from the sample (gzip is inflated).</summary>
    public static async Task<(byte[] Bytes, bool Truncated)> ReadSampleAsync(Stream sample, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sample);
        var head = new byte[2];
        var got = await sample.ReadAtLeastAsync(head, 2, throwOnEndOfStream: false, cancellationToken);
        var prefixed = new PrefixedStream(head.AsMemory(0, got), sample);
        Stream text = got == 2 && head[0] == 0x1F && head[1] == 0x8B ? new GZipStream(prefixed, CompressionMode.Decompress) : prefixed;
        await using (text)
        {
            var buffer = new byte[MaxSampleBytes + 1];
            int length;
            try
            {
                length = await text.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken);
            }
            catch (InvalidDataException)
            {
                return ([], false); // a corrupt gzip: the reader refuses the empty sample with its reason
            }

            if (length <= MaxSampleBytes)
            {
                return (buffer[..length], false);
            }

            // Cut at the last line end so that no half row is analysed.
            var lastNewline = Array.LastIndexOf(buffer, (byte)'\n', MaxSampleBytes - 1);
            return (buffer[..(lastNewline >= 0 ? lastNewline + 1 : MaxSampleBytes)], true);
        }
    }

    /// <summary>The suggestion for a sample, previewed with <paramref name="adjusted"/> when the admin changed it, else with the guess.</summary>
    public async Task<DeviceProfileSuggestion> SuggestAsync(byte[] sample, bool truncated, DeviceProfile? adjusted, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sample);
        var reader = new RideFileReader();
        RideReadSummary summary;
        using (var stream = new MemoryStream(sample, writable: false))
        {
            summary = await reader.ReadAsync(stream, adjusted, NoSink.Instance, progress: null, cancellationToken);
        }

        RideAnalysis analysis;
        using (var stream = new MemoryStream(sample, writable: false))
        {
            analysis = await analyzer.AnalyzeAsync(stream, adjusted, progress: null, cancellationToken);
        }

        var facts = summary.Facts;
        var columns = SampleColumns(sample, facts);
        var draft = adjusted is not null ? DraftOf(adjusted) : DraftOf(facts);
        return new DeviceProfileSuggestion(columns, draft, facts, analysis.Rejection ?? summary.Rejection, analysis.Metrics, QualityOf(analysis), sample.Length, truncated);
    }

    /// <summary>The draft that states explicitly what the reader decided, so the stored profile no longer depends on guessing.</summary>
    public static DeviceProfileDraft DraftOf(RideReadFacts? facts)
    {
        if (facts is null)
        {
            return new DeviceProfileDraft(null);
        }

        var mapping = facts.Columns
            .Where(c => !c.Value.StartsWith('(')) // a synthesised channel has no file column
            .ToDictionary(c => c.Key, c => (string?)c.Value, StringComparer.Ordinal);
        var acceleration = facts.AccelerationUnit == "g" ? nameof(AccelerationUnit.G) : nameof(AccelerationUnit.MetersPerSecondSquared);
        var angularRate = facts.AngularRateUnit == "rad/s" ? nameof(AngularRateUnit.RadiansPerSecond) : nameof(AngularRateUnit.DegreesPerSecond);
        var speed = facts.SpeedUnit switch
        {
            "m/s" => nameof(SpeedUnit.MetersPerSecond),
            "mph" => nameof(SpeedUnit.MilesPerHour),
            "kn" => nameof(SpeedUnit.Knots),
            _ => nameof(SpeedUnit.KilometersPerHour),
        };
        var time = (facts.TimeFormat, facts.TimeBase, facts.TimeUnit) switch
        {
            ("iso8601" or "local_text", _, _) => TimeBase.Iso8601,
            (_, "epoch", "s") => TimeBase.EpochSeconds,
            (_, "epoch", "ms") => TimeBase.EpochMilliseconds,
            (_, "epoch", "ns") => TimeBase.EpochNanoseconds,
            (_, "relative", "s") => TimeBase.RelativeSeconds,
            (_, "relative", "ms") => TimeBase.RelativeMilliseconds,
            (_, "relative", "us") => TimeBase.RelativeMicroseconds,
            (_, "relative", "ns") => TimeBase.RelativeNanoseconds,
            _ => TimeBase.Auto,
        };
        return new DeviceProfileDraft(null, $"Suggested from a {facts.Format} sample.", mapping, acceleration, angularRate, speed, time.ToString());
    }

    /// <summary>The draft form of a stored or adjusted profile.</summary>
    public static DeviceProfileDraft DraftOf(DeviceProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        return new DeviceProfileDraft(
            profile.Name,
            null,
            profile.Columns.ToDictionary(c => c.Key, c => (string?)c.Value, StringComparer.Ordinal),
            profile.Acceleration.ToString(),
            profile.AngularRate.ToString(),
            profile.Speed.ToString(),
            profile.Time.ToString(),
            profile.Mount is { } mount ? new DeviceProfileMountDraft(mount.Roll, mount.Pitch, mount.Yaw) : null);
    }

    private static IReadOnlyList<SampleColumn> SampleColumns(byte[] sample, RideReadFacts? facts)
    {
        var channelOf = facts?.Columns.Where(c => !c.Value.StartsWith('(')).ToDictionary(c => c.Value, c => c.Key, StringComparer.Ordinal)
                        ?? new Dictionary<string, string>(StringComparer.Ordinal);
        var lines = FirstLines(sample, 64);
        var headerIndex = HeaderLineIndex(lines, facts);
        if (headerIndex < 0)
        {
            return [];
        }

        var header = SplitCells(lines[headerIndex]);
        var rows = lines.Skip(headerIndex + 1)
            .Select(SplitCells)
            .Where(cells => cells.Length == header.Length && IsDataCell(cells[0]))
            .Take(ShownValues)
            .ToList();
        return [.. header.Select((name, i) => new SampleColumn(name, channelOf.GetValueOrDefault(name) ?? RaceChronoChannel(facts, name), [.. rows.Select(r => r[i])]))];
    }

    /// <summary>A data row starts with a number or a timestamp (units and sources rows do not).</summary>
    private static bool IsDataCell(string cell) =>
        double.TryParse(cell, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _) || IsoTimestamp.LooksLikeIso(cell);

    /// <summary>RaceChrono's effective names carry their unit ("speed (m/s)"); the sample's header cell is the bare name.</summary>
    private static string? RaceChronoChannel(RideReadFacts? facts, string name) =>
        facts?.Columns.FirstOrDefault(c => c.Value.StartsWith(name + " (", StringComparison.Ordinal)).Key;

    /// <summary>The header is the line naming the time column (metadata lines may precede it); else the first line.</summary>
    private static int HeaderLineIndex(List<string> lines, RideReadFacts? facts)
    {
        if (lines.Count == 0)
        {
            return -1;
        }

        if (facts?.Columns.GetValueOrDefault("timestamp") is { } time)
        {
            for (var i = 0; i < lines.Count; i++)
            {
                if (SplitCells(lines[i]).Any(c => c == time || time.StartsWith(c + " (", StringComparison.Ordinal)))
                {
                    return i;
                }
            }
        }

        return 0;
    }

    private static List<string> FirstLines(byte[] sample, int count)
    {
        var text = Encoding.UTF8.GetString(sample, 0, Math.Min(sample.Length, 256 * 1024)).TrimStart('\uFEFF');
        return [.. text.Split('\n', count + 1).Take(count).Select(l => l.TrimEnd('\r'))];
    }

    private static string[] SplitCells(string line) => [.. line.Split(',').Select(RideColumnLayout.CleanHeaderCell)];

    private static IReadOnlyDictionary<string, JsonElement> QualityOf(RideAnalysis analysis)
    {
        // Read through JSON so that whatever the analysis reports under "quality" is shown without this service knowing its keys.
        var json = JsonSerializer.SerializeToElement(analysis, DeviceProfileJson.Options);
        if (json.ValueKind == JsonValueKind.Object && json.TryGetProperty("quality", out var quality) && quality.ValueKind == JsonValueKind.Object)
        {
            return quality.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone(), StringComparer.Ordinal);
        }

        return new Dictionary<string, JsonElement>(StringComparer.Ordinal);
    }

    private sealed class NoSink : IRideSampleSink
    {
        public static readonly NoSink Instance = new();

        public void Begin(RideChannels channels)
        {
        }

        public void Add(in RideSample sample)
        {
        }
    }

    /// <summary>The bytes already read to look for the gzip magic, then the rest of the stream.</summary>
    private sealed class PrefixedStream(ReadOnlyMemory<byte> prefix, Stream rest) : Stream
    {
        private ReadOnlyMemory<byte> _prefix = prefix;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_prefix.Length > 0)
            {
                var n = Math.Min(buffer.Length, _prefix.Length);
                _prefix.Span[..n].CopyTo(buffer);
                _prefix = _prefix[n..];
                return n;
            }

            return rest.Read(buffer);
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_prefix.Length > 0)
            {
                var n = Math.Min(buffer.Length, _prefix.Length);
                _prefix[..n].CopyTo(buffer);
                _prefix = _prefix[n..];
                return n;
            }

            return await rest.ReadAsync(buffer, cancellationToken);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
