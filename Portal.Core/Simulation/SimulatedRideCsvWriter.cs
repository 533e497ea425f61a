using System.Buffers.Text;
using System.Globalization;
using System.IO.Compression;

namespace Portal.Core.Simulation;

/// <summary>
/// Writes a simulated ride as a CSV file straight to a stream (64 KB buffer: a 250 MB file is never
/// held in memory) and returns the ground truth of exactly the rows written.
/// </summary>
public static class SimulatedRideCsvWriter
{
    private const int BufferSize = 64 * 1024;
    private const int MaxRowBytes = 1024;

    private enum Column { Timestamp, Ax, Ay, Az, Gx, Gy, Gz, Mx, My, Mz, Speed, Lat, Lon, Temperature, Battery, Firmware }

    /// <param name="maxContentBytes">Stop after this many CSV bytes (before compression), for files of a given size; null writes the whole duration.</param>
    public static async Task<RideGroundTruth> WriteAsync(Stream output, SimulationOptions options, bool gzip, long? maxContentBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        var simulator = new RideSimulator(options);
        var columns = ChooseColumns(options);
        var compressed = gzip ? new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true) : null;
        var target = compressed ?? output;
        try
        {
            var buffer = new byte[BufferSize + MaxRowBytes];
            var length = WriteHeader(buffer, columns, options);
            long written = 0;
            var startMilliseconds = simulator.StartTime.ToUnixTimeMilliseconds();
            var timeFormat = TimeFormatFor(options);
            while (simulator.TryNext(out var sample))
            {
                length += WriteRow(buffer.AsSpan(length), columns, in sample, options, simulator.StartTime, startMilliseconds, timeFormat);
                if (length >= BufferSize)
                {
                    await target.WriteAsync(buffer.AsMemory(0, length), cancellationToken);
                    written += length;
                    length = 0;
                }

                if (maxContentBytes is { } max && written + length >= max)
                {
                    break;
                }
            }

            await target.WriteAsync(buffer.AsMemory(0, length), cancellationToken);
            await target.FlushAsync(cancellationToken);
        }
        finally
        {
            if (compressed is not null)
            {
                await compressed.DisposeAsync();
            }
        }

        return simulator.GroundTruth();
    }

    /// <summary>The header names the file will have, in order (for tests and docs).</summary>
    public static IReadOnlyList<string> HeaderFor(SimulationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return ChooseColumns(options).Select(c => ColumnName(c, options)).ToArray();
    }

    private static Column[] ChooseColumns(SimulationOptions options)
    {
        var columns = new List<Column> { Column.Timestamp, Column.Ax, Column.Ay, Column.Az, Column.Gx, Column.Gy, Column.Gz };
        if (options.IncludeMagnetometer)
        {
            columns.AddRange([Column.Mx, Column.My, Column.Mz]);
        }

        if (options.IncludeSpeed)
        {
            columns.Add(Column.Speed);
        }

        if (options.IncludePosition)
        {
            columns.AddRange([Column.Lat, Column.Lon]);
        }

        if (options.ExtraColumns)
        {
            columns.Insert(4, Column.Temperature);
            columns.AddRange([Column.Battery, Column.Firmware]);
        }

        if (options.ShuffleColumns)
        {
            var random = new Random(unchecked(options.Seed * 31 + 7));
            for (var i = columns.Count - 1; i > 0; i--)
            {
                var j = random.Next(i + 1);
                (columns[i], columns[j]) = (columns[j], columns[i]);
            }
        }

        return columns.ToArray();
    }

    private static string ColumnName(Column column, SimulationOptions options)
    {
        var aliases = options.ColumnNames == SimulatedColumnNames.Aliases;
        var inG = options.AccelerationUnit == SimulatedAccelerationUnit.G;
        return column switch
        {
            Column.Timestamp when aliases => options.TimeFormat switch
            {
                SimulatedTimeFormat.Iso => "Time",
                SimulatedTimeFormat.EpochMilliseconds => "time_ms",
                _ => "Time (s)",
            },
            Column.Ax or Column.Ay or Column.Az when aliases => inG ? $"accel_{Axis(column - Column.Ax)}_g" : $"acc_{Axis(column - Column.Ax)}",
            Column.Gx or Column.Gy or Column.Gz when aliases => $"gyro_{Axis(column - Column.Gx)}_dps",
            Column.Mx or Column.My or Column.Mz when aliases => $"mag_{Axis(column - Column.Mx)}_ut",
            Column.Speed when aliases => "Velocity (m/s)",
            Column.Lat when aliases => "LAT",
            Column.Lon when aliases => "LNG",
            Column.Temperature => "temp_c",
            Column.Battery => "battery_pct",
            Column.Firmware => "firmware",
            _ => column.ToString().ToLowerInvariant(),
        };

        static string Axis(int index) => index switch { 0 => "x", 1 => "y", _ => "z" };
    }

    private static int WriteHeader(Span<byte> buffer, Column[] columns, SimulationOptions options)
    {
        var header = string.Join(',', columns.Select(c => ColumnName(c, options))) + "\n";
        return System.Text.Encoding.UTF8.GetBytes(header, buffer);
    }

    private static bool ExactMilliseconds(SimulationOptions options) =>
        Math.Abs(1000 / options.RateHz - Math.Round(1000 / options.RateHz)) < 1e-9;

    private static string TimeFormatFor(SimulationOptions options) =>
        ExactMilliseconds(options) ? "yyyy-MM-dd'T'HH:mm:ss.fff'Z'" : "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'";

    private static int WriteRow(Span<byte> row, Column[] columns, in SimulatedSample sample, SimulationOptions options, DateTimeOffset start, long startMilliseconds, string isoFormat)
    {
        var position = 0;
        var accelerationScale = options.AccelerationUnit == SimulatedAccelerationUnit.G ? 1 / RideSimulator.Gravity : 1;
        var accelerationDecimals = options.AccelerationUnit == SimulatedAccelerationUnit.G ? 5 : 4;
        var speedScale = options.ColumnNames == SimulatedColumnNames.Aliases ? 1 / 3.6 : options.SpeedColumnUnit switch
        {
            SimulatedSpeedUnit.MilesPerHour => 1 / 1.609344,
            SimulatedSpeedUnit.MetersPerSecond => 1 / 3.6,
            _ => 1,
        };
        var speedDecimals = options.ColumnNames == SimulatedColumnNames.Aliases ? 3 : 2; // m/s needs one more digit for the same resolution
        ref readonly var m = ref sample.Measured;
        for (var i = 0; i < columns.Length; i++)
        {
            if (i > 0)
            {
                row[position++] = (byte)',';
            }

            var cell = row[position..];
            position += columns[i] switch
            {
                Column.Timestamp when options.TimestampJitter > 0 => WriteJitteredTime(cell, m.T, options, start, startMilliseconds),
                Column.Timestamp => WriteTime(cell, sample.State.Index, options, start, startMilliseconds, isoFormat),
                Column.Ax => WriteFixed(cell, m.Ax * accelerationScale, accelerationDecimals),
                Column.Ay => WriteFixed(cell, m.Ay * accelerationScale, accelerationDecimals),
                Column.Az => WriteFixed(cell, m.Az * accelerationScale, accelerationDecimals),
                Column.Gx => WriteFixed(cell, m.Gx, 4),
                Column.Gy => WriteFixed(cell, m.Gy, 4),
                Column.Gz => WriteFixed(cell, m.Gz, 4),
                Column.Mx => WriteFixed(cell, m.Mx, 4),
                Column.My => WriteFixed(cell, m.My, 4),
                Column.Mz => WriteFixed(cell, m.Mz, 4),
                Column.Speed => WriteFixed(cell, m.Speed * speedScale, speedDecimals),
                Column.Lat => WriteFixed(cell, m.Lat, 7),
                Column.Lon => WriteFixed(cell, m.Lon, 7),
                Column.Temperature => WriteFixed(cell, 31.5 + sample.State.T / 600.0, 1),
                Column.Battery => WriteFixed(cell, Math.Max(5, 90 - Math.Floor(sample.State.T / 120)), 0),
                _ => WriteAscii(cell, "2.3.1"),
            };
        }

        row[position++] = (byte)'\n';
        return position;
    }

    private static int WriteTime(Span<byte> cell, long index, SimulationOptions options, DateTimeOffset start, long startMilliseconds, string isoFormat)
    {
        switch (options.TimeFormat)
        {
            case SimulatedTimeFormat.Iso:
                var time = start.UtcDateTime.AddTicks((long)Math.Round(index * TimeSpan.TicksPerSecond / options.RateHz));
                time.TryFormat(cell, out var written, isoFormat, CultureInfo.InvariantCulture);
                return written;
            case SimulatedTimeFormat.EpochMilliseconds when ExactMilliseconds(options):
                Utf8Formatter.TryFormat(startMilliseconds + (long)Math.Round(index * 1000 / options.RateHz), cell, out written);
                return written;
            case SimulatedTimeFormat.EpochMilliseconds:
                // 400 Hz is 2.5 ms: whole milliseconds would jitter 2, 3, 2, 3 and fake the sample rate.
                return WriteFixed(cell, startMilliseconds + index * 1000 / options.RateHz, 3);
            default:
                return WriteFixed(cell, index / options.RateHz, ExactMilliseconds(options) ? 3 : 6);
        }
    }

    /// <summary>An irregular clock: the time as the sample carries it, at µs resolution.</summary>
    private static int WriteJitteredTime(Span<byte> cell, double seconds, SimulationOptions options, DateTimeOffset start, long startMilliseconds)
    {
        switch (options.TimeFormat)
        {
            case SimulatedTimeFormat.Iso:
                var time = start.UtcDateTime.AddTicks((long)Math.Round(seconds * TimeSpan.TicksPerSecond));
                time.TryFormat(cell, out var written, "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
                return written;
            case SimulatedTimeFormat.EpochMilliseconds:
                return WriteFixed(cell, startMilliseconds + (seconds * 1000), 3);
            default:
                return WriteFixed(cell, seconds, 6);
        }
    }

    private static readonly long[] PowersOfTen = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000];

    /// <summary>Fixed-point formatting without culture or allocation; NaN (a GPS gap) is an empty cell.</summary>
    internal static int WriteFixed(Span<byte> cell, double value, int decimals)
    {
        if (double.IsNaN(value))
        {
            return 0;
        }

        var scale = PowersOfTen[decimals];
        var scaled = (long)Math.Round(value * scale, MidpointRounding.AwayFromZero);
        var position = 0;
        if (scaled < 0)
        {
            cell[position++] = (byte)'-';
            scaled = -scaled;
        }

        Utf8Formatter.TryFormat(scaled / scale, cell[position..], out var written);
        position += written;
        if (decimals > 0)
        {
            cell[position++] = (byte)'.';
            var fraction = scaled % scale;
            for (var i = decimals - 1; i >= 0; i--)
            {
                cell[position + i] = (byte)('0' + fraction % 10);
                fraction /= 10;
            }

            position += decimals;
        }

        return position;
    }

    private static int WriteAscii(Span<byte> cell, string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            cell[i] = (byte)text[i];
        }

        return text.Length;
    }
}
