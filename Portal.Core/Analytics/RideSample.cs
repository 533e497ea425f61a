namespace Portal.Core.Analytics;

/// <summary>
/// One valid row of a ride file in canonical units: seconds from the first valid sample, m/s²,
/// deg/s, µT, km/h, degrees, metres. A channel the file lacks, or an empty GPS cell between
/// fixes, is NaN; repeated GPS cells are passed on as they are.
/// </summary>
#pragma warning disable CA1051, CA1815 // A plain field struct on the hot path: one is written per row, millions per file.
public struct RideSample
{
    public double T;
    public double Ax, Ay, Az;
    public double Gx, Gy, Gz;
    public double Mx, My, Mz;
    public double Speed;
    public double Lat, Lon, Alt;
}
#pragma warning restore CA1051, CA1815

/// <summary>Which optional channels the file has, known once the header is read.</summary>
public sealed record RideChannels(bool HasMagnetometer, bool HasSpeed, bool HasPosition, bool HasAltitude);

/// <summary>Consumes samples in time order as the reader produces them (one pass, constant memory).</summary>
public interface IRideSampleSink
{
    void Begin(RideChannels channels);

    void Add(in RideSample sample);
}

/// <summary>What the reader found: the counts, the absolute start time when the file had one, or why it refused the file.</summary>
public sealed record RideReadSummary(long Samples, long RowsSkipped, DateTimeOffset? StartTime, RideRejection? Rejection)
{
    /// <summary>How the reader understood the file (format, time, units and how each was decided); null when it refused the file before its header.</summary>
    public Reading.RideReadFacts? Facts { get; init; }
}
