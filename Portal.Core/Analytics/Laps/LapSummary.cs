using Portal.Core.Analytics.Metrics;

namespace Portal.Core.Analytics.Laps;

/// <summary>The key numbers of one lap; null where the ride has no such trace (shown as "—").</summary>
public sealed record LapSummary(
    Lap Lap,
    bool IsBest,
    double AvgSpeedKmh,
    double? MaxSpeedKmh,
    double? MaxLeanLeftDeg,
    double? MaxLeanRightDeg)
{
    public double? MaxLeanDeg => MaxLeanLeftDeg is { } left && MaxLeanRightDeg is { } right ? Math.Max(left, right) : MaxLeanLeftDeg ?? MaxLeanRightDeg;

    /// <summary>Each lap of <paramref name="session"/> with its maxima read from the ride's chart traces (speed, lean right positive).</summary>
    public static IReadOnlyList<LapSummary> Summarize(LapSession session, RideTraces? traces)
    {
        ArgumentNullException.ThrowIfNull(session);
        var speed = Find(traces, TraceNames.Speed);
        var lean = Find(traces, TraceNames.Lean);
        var best = session.BestLap;
        return session.Laps.Select(lap => new LapSummary(
            lap,
            ReferenceEquals(lap, best),
            lap.TimeS > 0 ? lap.DistanceM / lap.TimeS * 3.6 : 0,
            Max(speed, lap, v => v),
            Max(lean, lap, v => -v),
            Max(lean, lap, v => v))).ToList();
    }

    /// <summary>The largest value of the trace within the lap; a lean side never reached gives 0, no trace gives null.</summary>
    private static double? Max(Trace? trace, Lap lap, Func<double, double> read)
    {
        if (trace is null)
        {
            return null;
        }

        double? max = null;
        var start = LapTraces.FirstIndexAtOrAfter(trace.T, lap.StartS);
        for (var i = start; i < trace.T.Length && trace.T[i] <= lap.EndS; i++)
        {
            var value = read(trace.Values[i]);
            if (double.IsFinite(value) && (max is null || value > max))
            {
                max = value;
            }
        }

        return max is { } found ? Math.Max(0, found) : null;
    }

    internal static Trace? Find(RideTraces? traces, string name) =>
        traces?.Channels.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase));
}
