using Portal.Core.Analytics.Metrics;

namespace Portal.Core.Analytics.Laps;

/// <summary>
/// Finds the laps of a track session in a ride's GPS trace (pure, no I/O). Candidate start/finish gates are
/// placed evenly along the ridden track, each a short line across the direction of travel; every gate counts the
/// times the rider passes it in that direction (crossing times interpolated between trace points). The gate whose
/// passes cut the ride into the most consistent laps wins: laps of about the same length (the median ±
/// <see cref="LapDetectorOptions.LapLengthTolerance"/>) that follow the same path. Fewer than
/// <see cref="LapDetectorOptions.MinLaps"/> such laps is no track session (city and country rides) and gives null.
/// Among equally good gates the one passed first wins, so laps start as early in the session as possible.
/// </summary>
public static class LapDetector
{
    private static readonly double[] QuarterPoints = [0.25, 0.5, 0.75];

    /// <summary>Laps from the ride's <c>lat</c>/<c>lon</c> chart traces; null without position or without laps.</summary>
    public static LapSession? Detect(RideTraces? traces, LapDetectorOptions? options = null) =>
        Positions(traces) is (var t, var latitudes, var longitudes) ? Detect(t, latitudes, longitudes, options) : null;

    /// <summary>The position traces on the latitude trace's times (longitude interpolated when its times differ); null without a usable pair.</summary>
    private static (double[] T, double[] Latitudes, double[] Longitudes)? Positions(RideTraces? traces)
    {
        var lat = Find(traces, TraceNames.Latitude);
        var lon = Find(traces, TraceNames.Longitude);
        if (lat is null || lon is null || lat.T.Length != lat.Values.Length || lon.T.Length != lon.Values.Length)
        {
            return null;
        }

        var longitudes = lat.T.AsSpan().SequenceEqual(lon.T)
            ? lon.Values
            : lat.T.Select(t => LapSession.Interpolate(lon.T, lon.Values, t)).ToArray();
        return (lat.T, lat.Values, longitudes);
    }

    /// <summary>Laps from a position trace: seconds, degrees; NaN fixes, 0/0 and non-increasing times are skipped.</summary>
    public static LapSession? Detect(IReadOnlyList<double> times, IReadOnlyList<double> latitudes, IReadOnlyList<double> longitudes, LapDetectorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(times);
        ArgumentNullException.ThrowIfNull(latitudes);
        ArgumentNullException.ThrowIfNull(longitudes);
        if (times.Count != latitudes.Count || times.Count != longitudes.Count)
        {
            throw new ArgumentException("Times, latitudes and longitudes must have the same length.", nameof(times));
        }

        options ??= LapDetectorOptions.Default;
        var track = Track.From(times, latitudes, longitudes);
        if (track is null)
        {
            return null;
        }

        Gate? bestGate = null;
        List<Crossing[]>? bestLaps = null;
        foreach (var gate in CandidateGates(track, options))
        {
            var laps = ConsistentLaps(track, Crossings(track, gate, options), options);
            if (laps.Count == 0)
            {
                continue;
            }

            var better = bestLaps is null
                || laps.Count > bestLaps.Count
                || (laps.Count == bestLaps.Count && laps[0][0].TimeS < bestLaps[0][0].TimeS);
            if (better)
            {
                (bestGate, bestLaps) = (gate, laps);
            }
        }

        if (bestGate is null || bestLaps is null || bestLaps.Count < options.MinLaps)
        {
            return null;
        }

        var numbered = bestLaps
            .Select((lap, i) => new Lap(i + 1, lap[0].TimeS, lap[1].TimeS, lap[1].DistanceM - lap[0].DistanceM))
            .ToList();
        var (latitude, longitude) = track.ToDegrees(bestGate.X, bestGate.Y);
        var heading = (Math.Atan2(bestGate.Ux, bestGate.Uy) * GeoMath.RadToDeg + 360) % 360;
        return new LapSession(new StartFinishLine(latitude, longitude, heading), numbered, track.T, track.D);
    }

    /// <summary>
    /// Laps timed at a line the rider set (a point and the direction it is ridden in) instead of one the detector picks:
    /// every pass in that direction within the gate's half width, crossing times interpolated between fixes. Laps that
    /// are not about the median length or leave the median lap's path (pit lane) drop out as in <see cref="Detect(RideTraces?, LapDetectorOptions?)"/>.
    /// </summary>
    /// <returns>Null without position or when the line gives no lap.</returns>
    public static LapSession? TimeAt(RideTraces? traces, StartFinishLine line, LapDetectorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(line);
        if (Positions(traces) is not (var t, var latitudes, var longitudes))
        {
            return null;
        }

        options ??= LapDetectorOptions.Default;
        var track = Track.From(t, latitudes, longitudes);
        if (track is null)
        {
            return null;
        }

        var (x, y) = track.FromDegrees(line.Latitude, line.Longitude);
        var heading = line.HeadingDeg * GeoMath.DegToRad;
        var gate = new Gate(x, y, Math.Sin(heading), Math.Cos(heading));
        var laps = ConsistentLaps(track, Crossings(track, gate, options), options);
        if (laps.Count == 0)
        {
            return null;
        }

        var numbered = laps
            .Select((lap, i) => new Lap(i + 1, lap[0].TimeS, lap[1].TimeS, lap[1].DistanceM - lap[0].DistanceM))
            .ToList();
        return new LapSession(line, numbered, track.T, track.D);
    }

    private static Trace? Find(RideTraces? traces, string name) =>
        traces?.Channels.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>Gates evenly spaced by distance, where the rider moves fast enough for a direction to be clear.</summary>
    private static IEnumerable<Gate> CandidateGates(Track track, LapDetectorOptions options)
    {
        var total = track.D[^1];
        var step = Math.Max(total / options.MaxCandidateGates, 5);
        var previous = -1;
        for (var target = 0.0; target <= total; target += step)
        {
            var i = track.IndexAtOrAfter(target);
            if (i == previous || i < 1 || i > track.Count - 2)
            {
                continue;
            }

            previous = i;
            var dx = track.X[i + 1] - track.X[i - 1];
            var dy = track.Y[i + 1] - track.Y[i - 1];
            var length = Math.Sqrt((dx * dx) + (dy * dy));
            var dt = track.T[i + 1] - track.T[i - 1];
            if (length < 1 || length > 2 * options.MaxSegmentLengthM || dt <= 0 || length / dt * 3.6 < options.MinGateSpeedKmh)
            {
                continue;
            }

            yield return new Gate(track.X[i], track.Y[i], dx / length, dy / length);
        }
    }

    /// <summary>Every pass through the gate in its direction, at least one minimal lap apart.</summary>
    private static List<Crossing> Crossings(Track track, Gate gate, LapDetectorOptions options)
    {
        var crossings = new List<Crossing>();
        var cosAgreement = Math.Cos(options.HeadingAgreementDeg * GeoMath.DegToRad);
        var along = Along(track, gate, 0);
        for (var j = 0; j < track.Count - 1; j++)
        {
            var alongNext = Along(track, gate, j + 1);
            if (along < 0 && alongNext >= 0)
            {
                var sx = track.X[j + 1] - track.X[j];
                var sy = track.Y[j + 1] - track.Y[j];
                var length = Math.Sqrt((sx * sx) + (sy * sy));
                var f = -along / (alongNext - along);
                var lateral = Across(track, gate, j) + (f * (Across(track, gate, j + 1) - Across(track, gate, j)));
                if (length > 0 && length <= options.MaxSegmentLengthM
                    && Math.Abs(lateral) <= options.GateHalfWidthM
                    && IsMoving(track, j, options)
                    && ((sx * gate.Ux) + (sy * gate.Uy)) / length >= cosAgreement)
                {
                    var crossing = new Crossing(
                        track.T[j] + (f * (track.T[j + 1] - track.T[j])),
                        track.D[j] + (f * (track.D[j + 1] - track.D[j])));
                    if (crossings.Count == 0
                        || (crossing.DistanceM - crossings[^1].DistanceM >= options.MinLapLengthM && crossing.TimeS - crossings[^1].TimeS >= options.MinLapTimeS))
                    {
                        crossings.Add(crossing);
                    }
                }
            }

            along = alongNext;
        }

        return crossings;
    }

    /// <summary>GPS jitter at rest wanders across a gate too: a pass needs real progress over a couple of seconds around it.</summary>
    private static bool IsMoving(Track track, int segment, LapDetectorOptions options)
    {
        const double HalfWindowS = 1;
        var (a, b) = (segment, segment + 1);
        while (a > 0 && track.T[segment] - track.T[a] < HalfWindowS)
        {
            a--;
        }

        while (b < track.Count - 1 && track.T[b] - track.T[segment + 1] < HalfWindowS)
        {
            b++;
        }

        var dx = track.X[b] - track.X[a];
        var dy = track.Y[b] - track.Y[a];
        return Math.Sqrt((dx * dx) + (dy * dy)) / (track.T[b] - track.T[a]) * 3.6 >= options.MinGateSpeedKmh / 2;
    }

    private static double Along(Track track, Gate gate, int i) => ((track.X[i] - gate.X) * gate.Ux) + ((track.Y[i] - gate.Y) * gate.Uy);

    private static double Across(Track track, Gate gate, int i) => ((track.Y[i] - gate.Y) * gate.Ux) - ((track.X[i] - gate.X) * gate.Uy);

    /// <summary>Consecutive crossings as laps, keeping those of about the median length that follow the median lap's path.</summary>
    private static List<Crossing[]> ConsistentLaps(Track track, List<Crossing> crossings, LapDetectorOptions options)
    {
        if (crossings.Count < 2)
        {
            return [];
        }

        var laps = new List<Crossing[]>(crossings.Count - 1);
        for (var i = 0; i < crossings.Count - 1; i++)
        {
            laps.Add([crossings[i], crossings[i + 1]]);
        }

        static double LengthOf(Crossing[] lap) => lap[1].DistanceM - lap[0].DistanceM;
        var byLength = laps.OrderBy(LengthOf).ToList();
        var reference = byLength[(byLength.Count - 1) / 2];
        var median = LengthOf(reference);
        if (median < options.MinLapLengthM)
        {
            return [];
        }

        var pathTolerance = Math.Max(options.SamePathToleranceM, 0.05 * median);
        var referencePoints = QuarterPoints.Select(q => track.PositionAt(reference[0].DistanceM + (q * median))).ToArray();
        return laps.Where(lap =>
        {
            var length = LengthOf(lap);
            if (Math.Abs(length - median) > options.LapLengthTolerance * median)
            {
                return false;
            }

            for (var k = 0; k < QuarterPoints.Length; k++)
            {
                var (x, y) = track.PositionAt(lap[0].DistanceM + (QuarterPoints[k] * length));
                var (rx, ry) = referencePoints[k];
                if (Math.Sqrt(((x - rx) * (x - rx)) + ((y - ry) * (y - ry))) > pathTolerance)
                {
                    return false;
                }
            }

            return true;
        }).ToList();
    }

    private sealed record Gate(double X, double Y, double Ux, double Uy);

    private readonly record struct Crossing(double TimeS, double DistanceM);

    /// <summary>The valid fixes in a flat local projection (metres east/north of their mean), with the distance ridden.</summary>
    private sealed class Track
    {
        private readonly double originLat;
        private readonly double originLon;
        private readonly double metresPerDegreeLon;
        private const double MetresPerDegreeLat = GeoMath.EarthRadiusM * GeoMath.DegToRad;
        private const double SmoothingWindowS = 1.2;

        private Track(double[] t, double[] lat, double[] lon)
        {
            originLat = lat.Average();
            originLon = lon.Average();
            metresPerDegreeLon = MetresPerDegreeLat * Math.Cos(originLat * GeoMath.DegToRad);
            T = t;
            X = Smooth(t, lon.Select(l => (l - originLon) * metresPerDegreeLon).ToArray());
            Y = Smooth(t, lat.Select(l => (l - originLat) * MetresPerDegreeLat).ToArray());
            D = new double[t.Length];
            for (var i = 1; i < t.Length; i++)
            {
                var dx = X[i] - X[i - 1];
                var dy = Y[i] - Y[i - 1];
                D[i] = D[i - 1] + Math.Sqrt((dx * dx) + (dy * dy));
            }
        }

        public double[] T { get; }
        public double[] X { get; }
        public double[] Y { get; }
        public double[] D { get; }
        public int Count => T.Length;

        /// <summary>
        /// Centred mean over <see cref="SmoothingWindowS"/>: GPS noise between dense fixes would otherwise add metres
        /// to every lap's length; sparse traces (fixes further apart than the window) stay as they are.
        /// </summary>
        private static double[] Smooth(double[] t, double[] values)
        {
            var smoothed = new double[values.Length];
            var (from, to, sum) = (0, 0, 0.0);
            for (var i = 0; i < values.Length; i++)
            {
                while (to < values.Length && t[to] <= t[i] + (SmoothingWindowS / 2))
                {
                    sum += values[to++];
                }

                while (t[from] < t[i] - (SmoothingWindowS / 2))
                {
                    sum -= values[from++];
                }

                smoothed[i] = sum / (to - from);
            }

            return smoothed;
        }

        public static Track? From(IReadOnlyList<double> times, IReadOnlyList<double> latitudes, IReadOnlyList<double> longitudes)
        {
            var t = new List<double>(times.Count);
            var lat = new List<double>(times.Count);
            var lon = new List<double>(times.Count);
            for (var i = 0; i < times.Count; i++)
            {
                var (time, la, lo) = (times[i], latitudes[i], longitudes[i]);
                var valid = double.IsFinite(time) && double.IsFinite(la) && double.IsFinite(lo)
                    && !(la == 0 && lo == 0) && Math.Abs(la) <= 90 && Math.Abs(lo) <= 180
                    && (t.Count == 0 || time > t[^1]);
                if (valid)
                {
                    t.Add(time);
                    lat.Add(la);
                    lon.Add(lo);
                }
            }

            return t.Count < 3 ? null : new Track([.. t], [.. lat], [.. lon]);
        }

        public int IndexAtOrAfter(double distance)
        {
            var index = Array.BinarySearch(D, distance);
            return index >= 0 ? index : Math.Min(~index, Count - 1);
        }

        public (double X, double Y) PositionAt(double distance) =>
            (LapSession.Interpolate(D, X, distance), LapSession.Interpolate(D, Y, distance));

        public (double Latitude, double Longitude) ToDegrees(double x, double y) =>
            (originLat + (y / MetresPerDegreeLat), originLon + (x / metresPerDegreeLon));

        public (double X, double Y) FromDegrees(double latitude, double longitude) =>
            ((longitude - originLon) * metresPerDegreeLon, (latitude - originLat) * MetresPerDegreeLat);
    }
}
