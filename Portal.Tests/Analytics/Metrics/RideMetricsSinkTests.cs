using Portal.Core.Analytics;

namespace Portal.Tests.Analytics.Metrics;

/// <summary>The metric definitions of ride-format.md on small synthetic rides whose truth is known by construction.</summary>
[Trait("Category", "Analytics")]
public sealed class RideMetricsSinkTests
{
    [Fact]
    public void LeftTurn_OfNinetyDegrees_CountsOneLeftTurn()
    {
        var metrics = new SyntheticRide().Drive(5, 40, 0).Drive(6, 40, 15).Drive(5, 40, 0).Drive(5, 0, 0).Analyze().Metrics!;

        Assert.Equal(1, metrics.LeftTurns);
        Assert.Equal(0, metrics.RightTurns);
    }

    [Fact]
    public void RightTurns_AreCountedAsRight_AndEachTurnIsMarked()
    {
        var analysis = new SyntheticRide().Drive(5, 40, 0).Drive(6, 40, -15).Drive(4, 40, 0).Drive(4, 40, -25).Drive(5, 0, 0).Analyze();

        Assert.Equal(0, analysis.Metrics!.LeftTurns);
        Assert.Equal(2, analysis.Metrics.RightTurns);
        Assert.Equal(2, analysis.Traces!.Turns.Count);
        Assert.All(analysis.Traces.Turns, turn => Assert.Equal("right", turn.Direction));
        Assert.InRange(analysis.Traces.Turns[0].HeadingChangeDeg, 60, 100);
    }

    [Fact]
    public void GentleBendsAndLaneChanges_AreNotTurns()
    {
        var metrics = new SyntheticRide()
            .Drive(5, 60, 0)
            .Drive(6, 60, 4)      // a long gentle bend: 24° but below 5 °/s
            .Drive(3, 60, 0)
            .Drive(1.5, 60, 12)   // a lane change: left then right, ~15° each way
            .Drive(1.5, 60, -12)
            .Drive(3, 60, 0)
            .Drive(2.5, 60, 15)   // a short bend above 5 °/s but only ~30°
            .Drive(5, 0, 0)
            .Analyze().Metrics!;

        Assert.Equal(0, metrics.LeftTurns);
        Assert.Equal(0, metrics.RightTurns);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void LeftTurn_LeansLeft_WhicheverSignTheDeviceGivesTheRollRate(bool rollRateFlipped)
    {
        // 72 km/h at 20 °/s: balance lean atan(20 m/s · 0.349 rad/s / g) = 35.4°.
        var expectedLean = Math.Atan(20 * 20 * Math.PI / 180 / 9.80665) * 180 / Math.PI;
        var metrics = new SyntheticRide { RollRateFlipped = rollRateFlipped }
            .Drive(8, 72, 0).Drive(8, 72, 20).Drive(4, 72, 0).Drive(4, 72, -8).Drive(6, 0, 0)
            .Analyze().Metrics!;

        Assert.InRange(metrics.MaxLeanLeftDeg!.Value, expectedLean - 2, expectedLean + 2);
        var expectedRight = Math.Atan(20 * 8 * Math.PI / 180 / 9.80665) * 180 / Math.PI;
        Assert.InRange(metrics.MaxLeanRightDeg!.Value, expectedRight - 2, expectedRight + 2);
    }

    [Fact]
    public void Lean_DoesNotDrift_WithAGyroBiasOverALongRide()
    {
        // 0.5 °/s of bias integrated over 20 minutes would be 600°; the lean must stay near upright.
        var metrics = new SyntheticRide(rateHz: 50) { GyroBiasDps = 0.5 }
            .Drive(10, 80, 0).Drive(1200, 80, 0).Drive(10, 0, 0)
            .Analyze().Metrics!;

        Assert.InRange(metrics.MaxLeanLeftDeg!.Value, 0, 3);
        Assert.InRange(metrics.MaxLeanRightDeg!.Value, 0, 3);
    }

    [Fact]
    public void Lean_IsNotReadFromTheAccelerometer_InABalancedTurn()
    {
        // In a balanced turn the accelerometer reads straight along z (ay ≈ 0) — the lean still shows.
        var ride = new SyntheticRide().Drive(5, 90, 0).Drive(8, 90, 18).Drive(5, 0, 0);
        var turnSamples = ride.Samples.Where(s => s.T is > 8 and < 12).ToList();
        Assert.All(turnSamples, s => Assert.InRange(s.Ay, -1.5, 1.5));

        var metrics = ride.Analyze().Metrics!;

        Assert.True(metrics.MaxLeanLeftDeg > 30, $"lean left {metrics.MaxLeanLeftDeg}");
    }

    [Fact]
    public void SpeedMetrics_AreNull_WhenThereIsNoSpeedAndNoGps()
    {
        var metrics = new SyntheticRide { WithSpeed = false, WithPosition = false }
            .Drive(5, 50, 0).Drive(6, 50, 15).Drive(5, 0, 0)
            .Analyze().Metrics!;

        Assert.Null(metrics.DistanceKm);
        Assert.Null(metrics.MaxSpeedKmh);
        Assert.Null(metrics.AvgSpeedKmh);
        Assert.Null(metrics.MovingTimeS);
        Assert.NotNull(metrics.MaxLeanLeftDeg);
        Assert.Equal(1, metrics.LeftTurns);
        Assert.False(metrics.CrashDetected);
    }

    [Fact]
    public void SpeedAndDistance_ComeFromGps_WhenThereIsNoSpeedColumn()
    {
        // 2 km at 72 km/h with 2.5 m GPS scatter: raw fix-to-fix differences would read tens of km/h too much.
        var ride = new SyntheticRide { WithSpeed = false, GpsNoiseM = 2.5 }.Drive(10, 72, 0).Drive(100, 72, 0).Drive(10, 0, 0);
        var trueDistanceKm = ((10 * 10) + (100 * 20) + (10 * 10)) / 1000.0;

        var metrics = ride.Analyze().Metrics!;

        Assert.InRange(metrics.DistanceKm!.Value, trueDistanceKm * 0.98, trueDistanceKm * 1.02);
        Assert.InRange(metrics.MaxSpeedKmh!.Value, 72 * 0.94, 72 * 1.06); // GPS-only peak speed: ±6 % (documented)
        Assert.InRange(metrics.MovingTimeS!.Value, 110, 122);
    }

    [Fact]
    public void Distance_AverageAndMovingTime_FollowTheirDefinitions()
    {
        // Accelerate 0→36 km/h in 10 s (50 m), cruise 60 s (600 m), brake to 0 in 10 s (50 m), stand 20 s.
        var metrics = new SyntheticRide().Drive(10, 36, 0).Drive(60, 36, 0).Drive(10, 0, 0).Drive(20, 0, 0).Analyze().Metrics!;

        Assert.InRange(metrics.DistanceKm!.Value, 0.70 * 0.99, 0.70 * 1.01);
        Assert.InRange(metrics.MaxSpeedKmh!.Value, 35.5, 36.5);
        Assert.InRange(metrics.MovingTimeS!.Value, 76, 78.5); // 80 s minus the two ~1.4 s under 5 km/h
        Assert.InRange(metrics.MaxAccelMs2!.Value, 0.9, 1.2);
        Assert.InRange(metrics.MaxDecelMs2!.Value, 0.9, 1.2);
        Assert.InRange(metrics.SampleRateHz!.Value, 99.9, 100.1);
        Assert.InRange(metrics.DurationS!.Value, 99.9, 100);
        Assert.Equal(10_000, metrics.Samples);
    }

    [Fact]
    public void Traces_StayUnderFiveThousandPointsPerChannel_InTimeOrder()
    {
        // An hour at 200 Hz: 720 000 samples per channel.
        var analysis = new SyntheticRide(rateHz: 200, seed: 3).Drive(10, 60, 0).Drive(3580, 60, 0).Drive(10, 0, 0).Analyze();

        Assert.Equal(7, analysis.Traces!.Channels.Count);
        Assert.All(analysis.Traces.Channels, channel =>
        {
            Assert.InRange(channel.T.Length, 100, 5000);
            Assert.Equal(channel.T.Length, channel.Values.Length);
            Assert.True(channel.T.Zip(channel.T.Skip(1)).All(p => p.First <= p.Second), $"{channel.Name} is not in time order");
        });
        var speed = analysis.Traces.Channels.Single(c => c.Name == "speed");
        Assert.InRange(speed.Values.Max(), 59.5, 60.5);
    }

    [Fact]
    public void SpeedTrace_KeepsAShortPeak_OnALongRide()
    {
        // A two-second burst to 150 km/h inside an hour at 50 km/h must still show on the chart.
        var analysis = new SyntheticRide(rateHz: 100).Drive(10, 50, 0).Drive(1800, 50, 0).Drive(1, 150, 0).Drive(1, 50, 0).Drive(1800, 50, 0).Drive(10, 0, 0).Analyze();

        var speed = analysis.Traces!.Channels.Single(c => c.Name == "speed");
        Assert.InRange(speed.Values.Max(), 145, 151);
        Assert.InRange(speed.T.Length, 100, 5000);
    }
}
