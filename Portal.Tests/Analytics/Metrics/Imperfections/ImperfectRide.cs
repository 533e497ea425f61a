using Portal.Core.Analytics;
using Portal.Core.Simulation;

namespace Portal.Tests.Analytics.Metrics.Imperfections;

/// <summary>
/// Simulated rides with real-world imperfections through the real reader and analyser, and the
/// ride-format.md §3 tolerances against the simulator's truth (taken from the clean signals).
/// </summary>
internal static class ImperfectRide
{
    public static async Task<(RideGroundTruth Truth, RideAnalysis Analysis)> AnalyzeAsync(SimulationOptions options, DeviceProfile? profile = null)
    {
        using var file = new MemoryStream();
        var truth = await SimulatedRideCsvWriter.WriteAsync(file, options, gzip: false, maxContentBytes: null, CancellationToken.None);
        file.Position = 0;
        var analysis = await new RideAnalyzer().AnalyzeAsync(file, profile, progress: null, CancellationToken.None);
        Assert.Null(analysis.Rejection);
        return (truth, analysis);
    }

    public static RideScenario RidingScenario(int seed) => (seed % 3) switch
    {
        0 => RideScenario.City,
        1 => RideScenario.Country,
        _ => RideScenario.Track,
    };

    /// <summary>Every riding metric within ride-format.md's tolerances (or, for the named metrics, null with a reason).</summary>
    public static void AssertRideMetrics(RideGroundTruth truth, RideAnalysis analysis, string context, params string[] mayBeUnavailable)
    {
        var m = analysis.Metrics!;
        var unavailable = analysis.Quality!.Unavailable;
        Assert.Equal(truth.CrashDetected, m.CrashDetected);
        Within("distance_km", truth.DistanceKm, m.DistanceKm, 0.02);
        if (truth.CrashDetected)
        {
            Assert.InRange(m.CrashTimeS!.Value, truth.CrashTimeS!.Value - 2, truth.CrashTimeS.Value + 2);
            return;
        }

        Within("max_speed_kmh", truth.MaxSpeedKmh, m.MaxSpeedKmh, 0.03);
        Within("avg_speed_kmh", truth.AvgSpeedKmh!.Value, m.AvgSpeedKmh, 0.03);
        Within("max_accel_ms2", truth.MaxAccelMs2, m.MaxAccelMs2, 0.15);
        Within("max_decel_ms2", truth.MaxDecelMs2, m.MaxDecelMs2, 0.15);
        Lean("max_lean_left_deg", truth.MaxLeanLeftDeg, m.MaxLeanLeftDeg);
        Lean("max_lean_right_deg", truth.MaxLeanRightDeg, m.MaxLeanRightDeg);
        Count("left_turns", truth.LeftTurns, m.LeftTurns);
        Count("right_turns", truth.RightTurns, m.RightTurns);

        void Within(string name, double expected, double? actual, double tolerance)
        {
            if (Skipped(name, actual))
            {
                return;
            }

            Assert.True(actual.HasValue, $"{context}: {name} is null ({Reason(name)}), expected {expected}");
            Assert.True(Math.Abs(actual!.Value - expected) <= tolerance * Math.Abs(expected), $"{context}: {name} = {actual} is not within {tolerance:P0} of {expected}");
        }

        void Lean(string name, double expected, double? actual)
        {
            if (Skipped(name, actual))
            {
                return;
            }

            Assert.True(actual.HasValue, $"{context}: {name} is null ({Reason(name)}), expected {expected}");
            if (expected >= 10)
            {
                Assert.True(Math.Abs(actual!.Value - expected) <= 3, $"{context}: {name} = {actual:0.00}° is not within ±3° of {expected}°");
            }
        }

        void Count(string name, int expected, int? actual)
        {
            if (Skipped(name, actual))
            {
                return;
            }

            Assert.True(actual.HasValue, $"{context}: {name} is null ({Reason(name)}), expected {expected}");
            Assert.True(expected == actual, $"{context}: {name} = {actual}, expected {expected}");
        }

        bool Skipped(string name, object? actual)
        {
            if (!mayBeUnavailable.Contains(name) || actual is not null)
            {
                return false;
            }

            Assert.True(unavailable.ContainsKey(name), $"{context}: {name} is null without a reason in quality.unavailable");
            return true;
        }

        string Reason(string name) => unavailable.TryGetValue(name, out var reason) ? reason : "no reason given";
    }

    /// <summary>What GPS cleaning is for: distance, top and average speed, within ride-format.md's tolerances.</summary>
    public static void AssertTravelMetrics(RideGroundTruth truth, RideAnalysis analysis, string context)
    {
        var m = analysis.Metrics!;
        Assert.Equal(truth.CrashDetected, m.CrashDetected);
        Within(truth.DistanceKm, m.DistanceKm, 0.02, "distance_km");
        Within(truth.MaxSpeedKmh, m.MaxSpeedKmh, 0.03, "max_speed_kmh");
        Within(truth.AvgSpeedKmh!.Value, m.AvgSpeedKmh, 0.03, "avg_speed_kmh");

        void Within(double expected, double? actual, double tolerance, string name)
        {
            Assert.True(actual.HasValue, $"{context}: {name} is null, expected {expected}");
            Assert.True(Math.Abs(actual!.Value - expected) <= tolerance * Math.Abs(expected), $"{context}: {name} = {actual} is not within {tolerance:P0} of {expected}");
        }
    }

    /// <summary>The angle (degrees) of the rotation between the estimated and the true mount.</summary>
    public static double MountErrorDeg(RideQuality quality, double roll, double pitch, double yaw)
    {
        Assert.NotNull(quality.MountRollDeg);
        var a = Matrix(quality.MountRollDeg!.Value, quality.MountPitchDeg!.Value, quality.MountYawDeg!.Value);
        var b = Matrix(roll, pitch, yaw);
        double trace = 0;
        for (var i = 0; i < 3; i++)
        {
            for (var j = 0; j < 3; j++)
            {
                trace += a[i, j] * b[i, j];
            }
        }

        return Math.Acos(Math.Clamp((trace - 1) / 2, -1, 1)) * 180 / Math.PI;
    }

    private static double[,] Matrix(double rollDeg, double pitchDeg, double yawDeg)
    {
        double[,] Rx(double a) => new[,] { { 1, 0, 0 }, { 0, Math.Cos(a), -Math.Sin(a) }, { 0, Math.Sin(a), Math.Cos(a) } };
        double[,] Ry(double a) => new[,] { { Math.Cos(a), 0, Math.Sin(a) }, { 0, 1, 0 }, { -Math.Sin(a), 0, Math.Cos(a) } };
        double[,] Rz(double a) => new[,] { { Math.Cos(a), -Math.Sin(a), 0 }, { Math.Sin(a), Math.Cos(a), 0 }, { 0, 0, 1 } };
        const double d = Math.PI / 180;
        return Multiply(Multiply(Rx(rollDeg * d), Ry(pitchDeg * d)), Rz(yawDeg * d));
    }

    private static double[,] Multiply(double[,] a, double[,] b)
    {
        var c = new double[3, 3];
        for (var i = 0; i < 3; i++)
        {
            for (var j = 0; j < 3; j++)
            {
                for (var k = 0; k < 3; k++)
                {
                    c[i, j] += a[i, k] * b[k, j];
                }
            }
        }

        return c;
    }
}
