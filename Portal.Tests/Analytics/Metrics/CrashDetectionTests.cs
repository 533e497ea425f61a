using System.Globalization;

namespace Portal.Tests.Analytics.Metrics;

/// <summary>Crash detection per ride-format.md: lowsides and highsides are found, the bait events are not.</summary>
[Trait("Category", "Analytics")]
public sealed class CrashDetectionTests
{
    [Fact]
    public void Lowside_IsDetected_AtTheStartOfTheLossOfControl()
    {
        var ride = new SyntheticRide().Drive(10, 60, 0).Drive(30, 60, 0).Drive(3, 60, 20);
        var lossOfControl = ride.Samples[^1].T;
        var analysis = ride.Tumble(seconds: 1.5, rateDps: 400, freeFallS: 0, lieS: 15).Analyze();

        Assert.True(analysis.Metrics!.CrashDetected);
        Assert.InRange(analysis.Metrics.CrashTimeS!.Value, lossOfControl - 0.5, lossOfControl + 0.5);
        var crash = analysis.Crash!;
        Assert.Equal("lowside", crash.Kind);
        Assert.InRange(crash.SpeedBeforeKmh, 55, 61);
        Assert.True(crash.PeakRateDps >= 350);
        Assert.NotNull(crash.Latitude);
        Assert.Contains("left", crash.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Highside_WithAFreeFall_IsDetectedAsHighside()
    {
        var ride = new SyntheticRide().Drive(10, 90, 0).Drive(20, 90, 0).Drive(2, 70, -10);
        var lossOfControl = ride.Samples[^1].T;
        var analysis = ride.Tumble(seconds: 1.5, rateDps: 600, freeFallS: 0.4, lieS: 15).Analyze();

        Assert.True(analysis.Metrics!.CrashDetected);
        Assert.InRange(analysis.Metrics.CrashTimeS!.Value, lossOfControl - 0.5, lossOfControl + 0.5);
        Assert.Equal("highside", analysis.Crash!.Kind);
    }

    [Fact]
    public void Crash_SecondsAfterAHardKerbStrike_IsTimedAtTheCrash_NotAtTheStrike()
    {
        var ride = new SyntheticRide().Drive(10, 60, 0).Drive(10, 60, 0).Spike(5.5, 0.03).Drive(5, 60, 0).Drive(2, 60, 20);
        var lossOfControl = ride.Samples[^1].T;
        var metrics = ride.Tumble(seconds: 1.5, rateDps: 400, freeFallS: 0, lieS: 15).Analyze().Metrics!;

        Assert.True(metrics.CrashDetected);
        Assert.InRange(metrics.CrashTimeS!.Value, lossOfControl - 0.5, lossOfControl + 0.5);
    }

    [Fact]
    public void HardBraking_AtOnePointOneG_IsNotACrash()
    {
        // 100 km/h to standstill at 10.8 m/s² (1.1 g), then standing.
        var metrics = new SyntheticRide().Drive(10, 100, 0).Drive(10, 100, 0).Drive(27.78 / 10.8, 0, 0).Drive(20, 0, 0).Analyze().Metrics!;

        Assert.False(metrics.CrashDetected);
        Assert.Null(metrics.CrashTimeS);
        Assert.InRange(metrics.MaxDecelMs2!.Value, 10.8 * 0.85, 10.8 * 1.15);
    }

    [Theory]
    [InlineData(3.0)]
    [InlineData(4.0)]
    public void PotholeOrKerbSpike_IsNotACrash(double peakG)
    {
        var metrics = new SyntheticRide().Drive(10, 50, 0).Drive(5, 50, 0).Spike(peakG).Drive(5, 50, 0).Spike(peakG, 0.02).Drive(10, 0, 0).Drive(10, 0, 0).Analyze().Metrics!;

        Assert.False(metrics.CrashDetected);
    }

    [Fact]
    public void KneeDownLeanAtSixtyDegrees_IsNotACrash_AndIsMeasured()
    {
        // 100 km/h and 35 °/s of yaw: tan(lean) = v·ω/g = 1.73 → 60°.
        var metrics = new SyntheticRide(rateHz: 200).Drive(10, 100, 0).Drive(6, 100, 35).Drive(3, 100, 0).Drive(6, 100, -35).Drive(10, 0, 0).Drive(10, 0, 0).Analyze().Metrics!;

        Assert.False(metrics.CrashDetected);
        Assert.InRange(metrics.MaxLeanLeftDeg!.Value, 57, 63);
        Assert.InRange(metrics.MaxLeanRightDeg!.Value, 57, 63);
    }

    [Fact]
    public void SuitDroppedWhileParked_IsNotACrash()
    {
        var metrics = new SyntheticRide().Drive(10, 40, 0).Drive(10, 0, 0).Drive(30, 0, 0)
            .Tumble(seconds: 0.6, rateDps: 350, freeFallS: 0.3, lieS: 30, slideDecel: 0)
            .Analyze().Metrics!;

        Assert.False(metrics.CrashDetected);
    }

    [Fact]
    public void Crash_IsNotClaimed_WhenTheFileHasNoSpeedOrPosition()
    {
        // "The rider was moving" cannot be checked without speed or GPS; a dropped suit looks the same.
        var metrics = new SyntheticRide { WithSpeed = false, WithPosition = false }
            .Drive(10, 60, 0).Drive(20, 60, 0).Tumble(seconds: 1.5, rateDps: 400, freeFallS: 0, lieS: 15)
            .Analyze().Metrics!;

        Assert.False(metrics.CrashDetected);
    }

    [Fact]
    public void Metrics_DescribeTheRideUpToTheCrash()
    {
        // After the crash the suit travels on at 150 km/h (in a van, say): no ride metric may see it.
        var analysis = new SyntheticRide()
            .Drive(10, 60, 0).Drive(20, 60, 0).Drive(2, 60, 20) // ~30° into a bend: not yet a turn
            .Tumble(seconds: 1.5, rateDps: 400, freeFallS: 0, lieS: 15)
            .Drive(20, 150, 0).Drive(10, 150, 30).Drive(20, 0, 0)
            .Analyze();

        var metrics = analysis.Metrics!;
        Assert.True(metrics.CrashDetected);
        Assert.InRange(metrics.MaxSpeedKmh!.Value, 59, 61);
        Assert.Equal(0, metrics.LeftTurns);
        Assert.True(metrics.MaxLeanLeftDeg < 35, $"lean left {metrics.MaxLeanLeftDeg}");
        Assert.True(metrics.DistanceKm < 0.6, $"distance {metrics.DistanceKm}");
    }

    [Fact]
    public void CrashWindow_IsFullRateCsv_FromTenSecondsBeforeToTenSecondsAfter()
    {
        var analysis = new SyntheticRide(rateHz: 100).Drive(10, 60, 0).Drive(30, 60, 0).Drive(3, 60, 20)
            .Tumble(seconds: 1.5, rateDps: 400, freeFallS: 0, lieS: 30)
            .Analyze();

        var lines = analysis.CrashWindowCsv!.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("timestamp,ax,ay,az,gx,gy,gz", lines[0], StringComparison.Ordinal);
        var times = lines.Skip(1).Select(l => double.Parse(l.Split(',')[0], CultureInfo.InvariantCulture)).ToList();
        var crashT = analysis.Crash!.TimeS;
        Assert.InRange(times[0], crashT - 10.02, crashT - 9.98);
        Assert.InRange(times[^1], crashT + 9.98, crashT + 10.0);
        Assert.InRange(times.Count, 1995, 2002); // 20 s at 100 Hz
    }
}
