using System.Globalization;
using System.Text;

namespace Portal.Jobs.Live;

/// <summary>Turns a session spool into the canonical ride CSV: sorted by time, QoS 1 redeliveries dropped.</summary>
public static class LiveRideCsv
{
    public static readonly string Header = "timestamp," + string.Join(',', LiveSample.ValueColumns) + ",seq";

    /// <summary>
    /// Writes <paramref name="csvFile"/> from the spool and returns the number of rows. Rows are ordered by
    /// (timestamp, seq); a row identical to the previous one is a redelivery and is dropped. The session is
    /// held in memory while sorting (about 100 bytes per sample: an hour at 100 Hz is ~40 MB).
    /// </summary>
    public static async Task<long> WriteAsync(string spoolFile, string csvFile, CancellationToken cancellationToken)
    {
        var rows = new List<(long Ticks, long Seq, string Line)>();
        foreach (var line in File.ReadLines(spoolFile))
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var firstComma = line.IndexOf(',', StringComparison.Ordinal);
            var lastComma = line.LastIndexOf(',');
            if (firstComma <= 0 || !long.TryParse(line.AsSpan(0, firstComma), NumberStyles.Integer, CultureInfo.InvariantCulture, out var ticks))
            {
                continue;
            }

            var seq = long.TryParse(line.AsSpan(lastComma + 1), NumberStyles.Integer, CultureInfo.InvariantCulture, out var s) ? s : -1;
            rows.Add((ticks, seq, line));
        }

        rows.Sort(static (a, b) => a.Ticks != b.Ticks ? a.Ticks.CompareTo(b.Ticks) : a.Seq != b.Seq ? a.Seq.CompareTo(b.Seq) : string.CompareOrdinal(a.Line, b.Line));

        long written = 0;
        await using var stream = new FileStream(csvFile, FileMode.Create, FileAccess.Write, FileShare.None, 65536, FileOptions.Asynchronous);
        await using var writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), 65536) { NewLine = "\n" };
        await writer.WriteLineAsync(Header);
        string? previous = null;
        foreach (var (ticks, _, line) in rows)
        {
            if (string.Equals(line, previous, StringComparison.Ordinal))
            {
                continue;
            }

            previous = line;
            var timestamp = new DateTime(ticks, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);
            await writer.WriteAsync(timestamp);
            await writer.WriteLineAsync(line.AsMemory(line.IndexOf(',', StringComparison.Ordinal)), cancellationToken);
            written++;
        }

        await writer.FlushAsync(cancellationToken);
        stream.Flush(flushToDisk: true);
        return written;
    }
}
