namespace Portal.Core.Analytics.Laps;

/// <summary>The start/finish line the laps are timed at: a point on the track and the direction it is ridden in.</summary>
public sealed record StartFinishLine(double Latitude, double Longitude, double HeadingDeg);

/// <summary>One lap; times are seconds from the ride's first sample (the traces' clock), interpolated between trace points.</summary>
public sealed record Lap(int Number, double StartS, double EndS, double DistanceM)
{
    public double TimeS => EndS - StartS;
}

/// <summary>The laps of a track session, and the distance ridden along the GPS track to map times to distances.</summary>
public sealed class LapSession
{
    private readonly double[] trackTimes;
    private readonly double[] trackDistances;

    internal LapSession(StartFinishLine line, IReadOnlyList<Lap> laps, double[] trackTimes, double[] trackDistances)
    {
        Line = line;
        Laps = laps;
        this.trackTimes = trackTimes;
        this.trackDistances = trackDistances;
    }

    public StartFinishLine Line { get; }

    public IReadOnlyList<Lap> Laps { get; }

    /// <summary>The fastest lap (the first of equals).</summary>
    public Lap BestLap => Laps.MinBy(l => l.TimeS)!;

    public Lap? Find(int number) => Laps.FirstOrDefault(l => l.Number == number);

    /// <summary>Metres ridden along the GPS track from the ride's start to <paramref name="timeS"/> (clamped to the track).</summary>
    public double DistanceAt(double timeS) => Interpolate(trackTimes, trackDistances, timeS);

    internal static double Interpolate(double[] xs, double[] ys, double x)
    {
        if (xs.Length == 0)
        {
            return double.NaN;
        }

        if (x <= xs[0])
        {
            return ys[0];
        }

        if (x >= xs[^1])
        {
            return ys[^1];
        }

        var index = Array.BinarySearch(xs, x);
        if (index >= 0)
        {
            return ys[index];
        }

        var upper = ~index;
        var lower = upper - 1;
        var span = xs[upper] - xs[lower];
        return span <= 0 ? ys[lower] : ys[lower] + ((ys[upper] - ys[lower]) * (x - xs[lower]) / span);
    }
}
