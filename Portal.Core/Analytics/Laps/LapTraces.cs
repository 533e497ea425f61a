namespace Portal.Core.Analytics.Laps;

/// <summary>Cuts a ride's chart traces down to one lap, for overlaying laps on a common axis.</summary>
public static class LapTraces
{
    /// <summary>The traces within the lap, their times counted from the lap's start; turns overlapping the lap are clipped to it.</summary>
    public static RideTraces Slice(RideTraces traces, Lap lap)
    {
        ArgumentNullException.ThrowIfNull(traces);
        ArgumentNullException.ThrowIfNull(lap);
        var channels = traces.Channels.Select(channel =>
        {
            var (first, end) = Window(channel.T, lap);
            var times = new double[end - first];
            for (var i = 0; i < times.Length; i++)
            {
                times[i] = channel.T[first + i] - lap.StartS;
            }

            return new Trace(channel.Name, channel.Unit, times, channel.Values[first..end]);
        }).ToList();
        var turns = traces.Turns
            .Where(turn => turn.EndS > lap.StartS && turn.StartS < lap.EndS)
            .Select(turn => turn with { StartS = Math.Max(turn.StartS, lap.StartS) - lap.StartS, EndS = Math.Min(turn.EndS, lap.EndS) - lap.StartS })
            .ToList();
        return new RideTraces(channels, turns);
    }

    /// <summary>
    /// One channel within the lap against the distance ridden from the lap's start (metres along the GPS track),
    /// or null when the ride has no such channel.
    /// </summary>
    public static (double[] DistanceM, double[] Values)? ByDistance(RideTraces traces, LapSession session, Lap lap, string channelName)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(lap);
        if (LapSummary.Find(traces, channelName) is not { } channel)
        {
            return null;
        }

        var (first, end) = Window(channel.T, lap);
        var startDistance = session.DistanceAt(lap.StartS);
        var distances = new double[end - first];
        for (var i = 0; i < distances.Length; i++)
        {
            distances[i] = session.DistanceAt(channel.T[first + i]) - startDistance;
        }

        return (distances, channel.Values[first..end]);
    }

    private static (int First, int End) Window(double[] times, Lap lap)
    {
        var first = FirstIndexAtOrAfter(times, lap.StartS);
        var end = FirstIndexAtOrAfter(times, lap.EndS);
        while (end < times.Length && times[end] <= lap.EndS)
        {
            end++;
        }

        return (first, Math.Max(first, end));
    }

    internal static int FirstIndexAtOrAfter(double[] times, double t)
    {
        var index = Array.BinarySearch(times, t);
        if (index < 0)
        {
            return ~index;
        }

        while (index > 0 && times[index - 1] >= t)
        {
            index--;
        }

        return index;
    }
}
