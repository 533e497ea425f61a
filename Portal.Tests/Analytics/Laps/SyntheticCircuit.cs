using Portal.Core.Analytics;
using Portal.Core.Analytics.Metrics;

namespace Portal.Tests.Analytics.Laps;

/// <summary>
/// A track session on a closed stadium-shaped circuit (two straights, two left-hand hairpins, ridden
/// counter-clockwise) with known lap times: the rider waits, rides out from before the line, laps the circuit
/// with a different pace on every lap, rides half a lap more and stops. GPS fixes carry Gaussian noise.
/// The simulator's own track scenario repeats its corners without closing the loop, so it cannot give laps.
/// </summary>
internal sealed class SyntheticCircuit
{
    private const double Straight = 700;
    private const double Radius = 120;
    private const double OriginLat = 44.3;
    private const double OriginLon = 11.1;
    private const double MetresPerDegreeLat = GeoMath.EarthRadiusM * GeoMath.DegToRad;
    private const double Step = 0.5;
    private static readonly double MetresPerDegreeLon = MetresPerDegreeLat * Math.Cos(OriginLat * GeoMath.DegToRad);

    private readonly List<double> arc = [];   // metres along the circuit from the ride's start
    private readonly List<double> times = [];

    public SyntheticCircuit(double[] lapPace, double gpsRateHz = 5, double noiseM = 1.5, int seed = 1, double waitS = 20, double rideOutM = 300)
    {
        ArgumentNullException.ThrowIfNull(lapPace);
        LapPace = lapPace;
        Begin = -rideOutM;
        End = (lapPace.Length * Length) + (Length / 2);

        // Time along the ride from the speed profile: the circuit's pace, launched from and braking to rest at 6 m/s².
        var t = waitS;
        var previousSpeed = 0.0;
        for (var s = Begin; s <= End; s += Step)
        {
            var speed = Math.Max(0.5, Math.Min(PaceAt(s), Math.Min(Math.Sqrt(2 * 6 * (s - Begin)), Math.Sqrt(2 * 6 * (End - s)))));
            if (arc.Count > 0)
            {
                t += Step * 2 / (speed + previousSpeed);
            }

            arc.Add(s);
            times.Add(t);
            previousSpeed = speed;
        }

        var random = new Random(seed);
        double Noise() => noiseM * Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        var fixTimes = new List<double>();
        var lats = new List<double>();
        var lons = new List<double>();
        var speeds = new List<double>();
        var leans = new List<double>();
        var finish = times[^1] + waitS;
        for (var k = 0; k * (1 / gpsRateHz) <= finish; k++)
        {
            var time = k / gpsRateHz;
            var s = ArcAt(time);
            var (x, y) = Position(s);
            fixTimes.Add(time);
            lats.Add(OriginLat + ((y + Noise()) / MetresPerDegreeLat));
            lons.Add(OriginLon + ((x + Noise()) / MetresPerDegreeLon));
            var speed = SpeedAt(time);
            speeds.Add(speed * 3.6);
            leans.Add(IsInHairpin(s) ? -Math.Atan(speed * speed / (Radius * 9.81)) * GeoMath.RadToDeg : 0);
        }

        var fixT = fixTimes.ToArray();
        Traces = new RideTraces(
        [
            new Trace(TraceNames.Speed, "km/h", fixT, [.. speeds]),
            new Trace(TraceNames.Lean, "°", fixT, [.. leans]),
            new Trace(TraceNames.Latitude, "°", fixT, [.. lats]),
            new Trace(TraceNames.Longitude, "°", fixT, [.. lons]),
        ], []);
    }

    public static double Length => (2 * Straight) + (2 * Math.PI * Radius);

    public double[] LapPace { get; }

    public double Begin { get; }

    public double End { get; }

    public RideTraces Traces { get; }

    /// <summary>The true lap times measured at the circuit point nearest to (<paramref name="latitude"/>, <paramref name="longitude"/>).</summary>
    public IReadOnlyList<(double StartS, double EndS)> LapsTimedAt(double latitude, double longitude)
    {
        var gate = NearestArc(latitude, longitude);
        var crossings = new List<double>();
        for (var k = -1; (k * Length) + gate < End; k++)
        {
            var s = (k * Length) + gate;
            if (s > Begin)
            {
                crossings.Add(Interpolate(arc, times, s));
            }
        }

        return crossings.Zip(crossings.Skip(1)).ToList();
    }

    /// <summary>The direction of travel (degrees clockwise from north) at the circuit point nearest to the position.</summary>
    public static double HeadingAt(double latitude, double longitude)
    {
        var s = NearestArc(latitude, longitude);
        var (ax, ay) = Position(s - 1);
        var (bx, by) = Position(s + 1);
        return ((Math.Atan2(bx - ax, by - ay) * GeoMath.RadToDeg) + 360) % 360;
    }

    private static double NearestArc(double latitude, double longitude)
    {
        var gx = (longitude - OriginLon) * MetresPerDegreeLon;
        var gy = (latitude - OriginLat) * MetresPerDegreeLat;
        return Enumerable.Range(0, (int)(Length / 0.1)).Select(i => i * 0.1)
            .MinBy(s => Math.Pow(Position(s).X - gx, 2) + Math.Pow(Position(s).Y - gy, 2));
    }

    /// <summary>Circuit pace in m/s: 60 km/h in the hairpins, up to 200 km/h on the straights (accelerating/braking at 7 m/s²), scaled per lap.</summary>
    private double PaceAt(double s)
    {
        var lap = (int)Math.Floor(s / Length);
        var factor = LapPace[Math.Clamp(lap, 0, LapPace.Length - 1)];
        var local = Mod(s);
        var corner = 60 / 3.6;
        double toCorner;
        if (IsInHairpin(s))
        {
            return corner * factor;
        }

        // Position on a straight: distance to the nearest hairpin end.
        var onStraight = local < Straight ? local : local - Straight - (Math.PI * Radius);
        toCorner = Math.Min(onStraight, Straight - onStraight);
        return Math.Min(200 / 3.6, Math.Sqrt((corner * corner) + (2 * 7 * toCorner))) * factor;
    }

    private double ArcAt(double time) => Interpolate(times, arc, time);

    private double SpeedAt(double time)
    {
        const double h = 0.05;
        return time <= times[0] || time >= times[^1] ? 0 : (ArcAt(time + h) - ArcAt(time - h)) / (2 * h);
    }

    private static bool IsInHairpin(double s)
    {
        var local = Mod(s);
        return (local >= Straight && local < Straight + (Math.PI * Radius)) || local >= (2 * Straight) + (Math.PI * Radius);
    }

    private static double Mod(double s) => ((s % Length) + Length) % Length;

    /// <summary>Metres east/north; s = 0 is the start of the main straight heading east, hairpins turn left.</summary>
    private static (double X, double Y) Position(double s)
    {
        var local = Mod(s);
        if (local < Straight)
        {
            return (local, 0);
        }

        local -= Straight;
        if (local < Math.PI * Radius)
        {
            var phi = local / Radius;
            return (Straight + (Radius * Math.Sin(phi)), Radius - (Radius * Math.Cos(phi)));
        }

        local -= Math.PI * Radius;
        if (local < Straight)
        {
            return (Straight - local, 2 * Radius);
        }

        var psi = (local - Straight) / Radius;
        return (-Radius * Math.Sin(psi), Radius + (Radius * Math.Cos(psi)));
    }

    private static double Interpolate(List<double> xs, List<double> ys, double x)
    {
        if (x <= xs[0])
        {
            return ys[0];
        }

        if (x >= xs[^1])
        {
            return ys[^1];
        }

        var index = xs.BinarySearch(x);
        if (index >= 0)
        {
            return ys[index];
        }

        var upper = ~index;
        var lower = upper - 1;
        return ys[lower] + ((ys[upper] - ys[lower]) * (x - xs[lower]) / (xs[upper] - xs[lower]));
    }
}
