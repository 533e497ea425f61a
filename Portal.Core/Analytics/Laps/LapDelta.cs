namespace Portal.Core.Analytics.Laps;

/// <summary>
/// Time gained or lost along a lap against a reference lap, as lap timers show it: at every distance from the lap's
/// start, how much later (positive) or earlier (negative) the compared lap got there.
/// </summary>
public static class LapDelta
{
    /// <summary>Seconds from the lap's start against metres from it, at the lap's GPS fixes (both increase).</summary>
    public static (double[] DistanceM, double[] TimeS)? TimeByDistance(RideTraces traces, LapSession session, Lap lap)
    {
        ArgumentNullException.ThrowIfNull(traces);
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(lap);
        var lat = traces.Channels.FirstOrDefault(c => string.Equals(c.Name, "lat", StringComparison.OrdinalIgnoreCase));
        if (lat is null)
        {
            return null;
        }

        var startD = session.DistanceAt(lap.StartS);
        var distances = new List<double> { 0 };
        var times = new List<double> { 0 };
        foreach (var t in lat.T)
        {
            if (t <= lap.StartS || t >= lap.EndS)
            {
                continue;
            }

            var d = session.DistanceAt(t) - startD;
            if (d > distances[^1])
            {
                distances.Add(d);
                times.Add(t - lap.StartS);
            }
        }

        var endD = session.DistanceAt(lap.EndS) - startD;
        if (endD > distances[^1])
        {
            distances.Add(endD);
            times.Add(lap.TimeS);
        }

        return distances.Count < 2 ? null : ([.. distances], [.. times]);
    }

    /// <summary>
    /// Compared minus reference time every <paramref name="stepM"/> metres, over the distance both laps cover; the laps'
    /// own lengths are scaled to the reference's so the finish lines meet (GPS lengths of one circuit differ by a few metres).
    /// </summary>
    public static (double[] DistanceM, double[] DeltaS)? Compute(
        (double[] DistanceM, double[] TimeS) reference, (double[] DistanceM, double[] TimeS) compared, double stepM = 5)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(stepM, 0);
        var referenceLength = reference.DistanceM[^1];
        var comparedLength = compared.DistanceM[^1];
        if (referenceLength <= 0 || comparedLength <= 0)
        {
            return null;
        }

        var scale = comparedLength / referenceLength;
        var count = (int)Math.Floor(referenceLength / stepM) + 1;
        var distance = new double[count + 1];
        var delta = new double[count + 1];
        for (var i = 0; i <= count; i++)
        {
            var d = Math.Min(i * stepM, referenceLength);
            distance[i] = d;
            delta[i] = LapSession.Interpolate(compared.DistanceM, compared.TimeS, d * scale) - LapSession.Interpolate(reference.DistanceM, reference.TimeS, d);
        }

        return (distance, delta);
    }
}
