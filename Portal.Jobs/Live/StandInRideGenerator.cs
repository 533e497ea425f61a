using System.Text.Json.Nodes;

namespace Portal.Jobs.Live;

/// <summary>
/// A small stand-in for the ride simulator (Portal.Core/Simulation, to be swapped in after the merge): a
/// deterministic ride with speed changes, bends and GPS in canonical channels, good enough to exercise the live path.
/// <c>city</c>: 0–50 km/h with stops and 90° corners; <c>track</c>: 60–220 km/h with hard braking and deep lean.
/// </summary>
public sealed class StandInRideGenerator(string scenario, double rateHz, int seed = 1)
{
    private const double Gravity = 9.80665;
    private readonly bool _track = string.Equals(scenario, "track", StringComparison.OrdinalIgnoreCase);
    private readonly Random _noise = new(seed);
    private double _headingRad;
    private double _lat = 48.137;
    private double _lon = 11.575;
    private double _previousSpeedMs;

    public static IReadOnlyList<string> Scenarios { get; } = ["city", "track"];

    /// <summary>The sample <paramref name="index"/> (0-based) as a telemetry JSON object; call with increasing indices.</summary>
    public JsonObject Next(long index, DateTimeOffset timestamp)
    {
        var t = index / rateHz;
        var dt = 1 / rateHz;
        var speedKmh = _track
            ? 140 + 80 * Math.Sin(t / 9) * Math.Abs(Math.Sin(t / 4))
            : Math.Max(0, 30 + 25 * Math.Sin(t / 12)) * (Math.Sin(t / 40) > -0.9 ? 1 : 0);
        var speedMs = speedKmh / 3.6;
        var forward = (speedMs - _previousSpeedMs) / dt;
        _previousSpeedMs = speedMs;

        var yawRateDps = _track ? 35 * Math.Sin(t / 3) : (Math.Sin(t / 15) > 0.95 ? 30 : 0);
        var yawRateRad = yawRateDps * Math.PI / 180;
        _headingRad += yawRateRad * dt;
        var leanRad = Math.Atan(speedMs * yawRateRad / Gravity);
        _lat += speedMs * Math.Cos(_headingRad) * dt / 111_320;
        _lon += speedMs * Math.Sin(_headingRad) * dt / (111_320 * Math.Cos(_lat * Math.PI / 180));

        double Noise(double amplitude) => (_noise.NextDouble() - 0.5) * 2 * amplitude;
        return new JsonObject
        {
            ["timestamp"] = timestamp.ToUnixTimeMilliseconds(),
            ["ax"] = Math.Round(forward + Noise(0.3), 4),
            ["ay"] = Math.Round(Noise(0.3), 4),
            ["az"] = Math.Round(Gravity / Math.Max(0.2, Math.Cos(leanRad)) + Noise(0.3), 4),
            ["gx"] = Math.Round(Noise(1.5), 4),
            ["gy"] = Math.Round(Noise(1.5), 4),
            ["gz"] = Math.Round(yawRateDps * Math.Cos(leanRad) + Noise(0.5), 4),
            ["speed"] = Math.Round(speedKmh, 3),
            ["lat"] = Math.Round(_lat, 7),
            ["lon"] = Math.Round(_lon, 7),
            ["alt"] = 520,
            ["seq"] = index,
        };
    }
}
