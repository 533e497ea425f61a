namespace Portal.Core.Analytics.Laps;

/// <summary>Why a ride has no laps, in words for the ride page.</summary>
public static class LapAbsence
{
    private const double ReturnRadiusM = 40;
    private const double MinLoopS = 30;
    private const int MaxPoints = 1500;

    /// <summary>The reason <see cref="LapDetector.Detect(RideTraces?, LapDetectorOptions?)"/> found no laps.</summary>
    public static string Explain(RideTraces? traces)
    {
        var lat = traces?.Channels.FirstOrDefault(c => string.Equals(c.Name, "lat", StringComparison.OrdinalIgnoreCase));
        var lon = traces?.Channels.FirstOrDefault(c => string.Equals(c.Name, "lon", StringComparison.OrdinalIgnoreCase));
        if (lat is null || lon is null || lat.T.Length < 2 || lon.T.Length != lat.T.Length)
        {
            return "This ride has no GPS positions, so no lap can be timed.";
        }

        var step = Math.Max(1, lat.T.Length / MaxPoints);
        var points = new List<(double T, double X, double Y)>();
        var metresPerDegreeLon = 111_320 * Math.Cos(lat.Values[0] * Math.PI / 180);
        for (var i = 0; i < lat.T.Length; i += step)
        {
            if (double.IsFinite(lat.Values[i]) && double.IsFinite(lon.Values[i]) && (lat.Values[i] != 0 || lon.Values[i] != 0))
            {
                points.Add((lat.T[i], (lon.Values[i] - lon.Values[0]) * metresPerDegreeLon, (lat.Values[i] - lat.Values[0]) * 110_574));
            }
        }

        var loops = 0;
        for (var i = 0; i < points.Count && loops < 2; i++)
        {
            for (var j = i + 1; j < points.Count; j++)
            {
                if (points[j].T - points[i].T < MinLoopS)
                {
                    continue;
                }

                var dx = points[j].X - points[i].X;
                var dy = points[j].Y - points[i].Y;
                if ((dx * dx) + (dy * dy) <= ReturnRadiusM * ReturnRadiusM && MovedAwayBetween(points, i, j))
                {
                    loops++;
                    i = j;
                    break;
                }
            }
        }

        return loops == 0
            ? "No laps: the track never comes back to a place it passed before, so there is no circuit to time (a road ride, or a track ride whose corners do not close a loop)."
            : "No laps: the track comes back on itself, but no line across it gives at least two laps of the same path and length (at least 800 m and 30 s each, within 10 % of each other).";
    }

    /// <summary>A return only counts when the rider went at least a few hundred metres away in between (not a stop).</summary>
    private static bool MovedAwayBetween(List<(double T, double X, double Y)> points, int from, int to)
    {
        for (var k = from + 1; k < to; k++)
        {
            var dx = points[k].X - points[from].X;
            var dy = points[k].Y - points[from].Y;
            if ((dx * dx) + (dy * dy) >= 300 * 300)
            {
                return true;
            }
        }

        return false;
    }
}
