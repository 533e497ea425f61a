namespace Portal.Core.Analytics.Charts;

/// <summary>
/// Cuts a ride's chart traces to a time window and thins them to a point budget for an interactive chart: signals keep
/// the minimum and maximum of every time bucket (peaks survive any zoom level), positions keep one fix per bucket (a
/// min/max pair of latitudes would be no point on the track). One point either side of the window is kept so lines
/// reach the edges. Inside a window narrower than the stored resolution every stored point is returned.
/// </summary>
public static class TraceWindows
{
    public const int MinPoints = 10;
    public const int MaxPoints = 20_000;

    /// <summary>Names of channels thinned by keeping one point per bucket (GPS positions).</summary>
    private static readonly HashSet<string> Positions = new(StringComparer.OrdinalIgnoreCase) { "lat", "lon", "latitude", "longitude" };

    /// <summary>Why the window is refused, or null when it is valid.</summary>
    public static string? Validate(double? fromS, double? toS, int? points)
    {
        if (fromS is { } f && !double.IsFinite(f) || toS is { } t && !double.IsFinite(t))
        {
            return "from and to are seconds from the ride's first sample (finite numbers).";
        }

        if (fromS is { } from && toS is { } to && to <= from)
        {
            return $"to ({to}) must be greater than from ({from}).";
        }

        return points is { } p && (p < MinPoints || p > MaxPoints)
            ? $"points must be between {MinPoints} and {MaxPoints} (got {p})."
            : null;
    }

    /// <param name="points">Most points per channel in the answer.</param>
    public static RideTraces Cut(RideTraces traces, double? fromS, double? toS, int points)
    {
        ArgumentNullException.ThrowIfNull(traces);
        ArgumentOutOfRangeException.ThrowIfLessThan(points, MinPoints);
        var from = fromS ?? double.NegativeInfinity;
        var to = toS ?? double.PositiveInfinity;
        var channels = traces.Channels.Select(c => CutChannel(c, from, to, points)).ToList();
        var turns = traces.Turns.Where(turn => turn.EndS >= from && turn.StartS <= to).ToList();
        return new RideTraces(channels, turns);
    }

    private static Trace CutChannel(Trace channel, double from, double to, int points)
    {
        var t = channel.T;
        if (t.Length == 0 || t.Length != channel.Values.Length)
        {
            return channel;
        }

        var first = LowerBound(t, from);
        var end = LowerBound(t, to);
        while (end < t.Length && t[end] <= to)
        {
            end++;
        }

        // One point outside either edge, so the line reaches the window's borders.
        first = Math.Max(0, first - 1);
        end = Math.Min(t.Length, end + 1);
        var count = end - first;
        if (count <= points)
        {
            return new Trace(channel.Name, channel.Unit, t[first..end], channel.Values[first..end]);
        }

        return Positions.Contains(channel.Name)
            ? EveryNth(channel, first, end, points)
            : MinMax(channel, first, end, points);
    }

    private static Trace MinMax(Trace channel, int first, int end, int points)
    {
        var t = channel.T;
        var v = channel.Values;
        var buckets = Math.Max(1, points / 2);
        var start = t[first];
        var width = (t[end - 1] - start) / buckets;
        var outT = new List<double>(points + 2);
        var outV = new List<double>(points + 2);
        var i = first;
        for (var b = 0; b < buckets && i < end; b++)
        {
            var bucketEnd = b == buckets - 1 ? double.PositiveInfinity : start + ((b + 1) * width);
            int minAt = -1, maxAt = -1;
            for (; i < end && t[i] < bucketEnd; i++)
            {
                if (double.IsNaN(v[i]))
                {
                    continue;
                }

                if (minAt < 0 || v[i] < v[minAt])
                {
                    minAt = i;
                }

                if (maxAt < 0 || v[i] > v[maxAt])
                {
                    maxAt = i;
                }
            }

            if (minAt < 0)
            {
                continue;
            }

            var (a, c) = minAt <= maxAt ? (minAt, maxAt) : (maxAt, minAt);
            outT.Add(t[a]);
            outV.Add(v[a]);
            if (c != a)
            {
                outT.Add(t[c]);
                outV.Add(v[c]);
            }
        }

        return new Trace(channel.Name, channel.Unit, [.. outT], [.. outV]);
    }

    private static Trace EveryNth(Trace channel, int first, int end, int points)
    {
        var count = end - first;
        var step = (double)count / points;
        var outT = new double[points];
        var outV = new double[points];
        for (var k = 0; k < points; k++)
        {
            var i = first + Math.Min(count - 1, (int)(k * step));
            outT[k] = channel.T[i];
            outV[k] = channel.Values[i];
        }

        // The last fix ends the line where the ride (or window) ends.
        outT[^1] = channel.T[end - 1];
        outV[^1] = channel.Values[end - 1];
        return new Trace(channel.Name, channel.Unit, outT, outV);
    }

    private static int LowerBound(double[] sorted, double value)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (sorted[mid] < value)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }
}
