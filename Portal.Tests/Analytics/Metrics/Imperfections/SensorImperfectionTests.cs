using Portal.Core.Simulation;

namespace Portal.Tests.Analytics.Metrics.Imperfections;

/// <summary>
/// Sensors and clocks as real devices have them (ride-format.md §4): gyro bias and drift, clipping
/// accelerometers, 2–5 Hz loggers, jittery timestamps. Each metric is right, or null with its reason.
/// </summary>
[Trait("Category", "Analytics")]
public sealed class SensorImperfectionTests
{
    public static TheoryData<int> Seeds() => new(Enumerable.Range(500, 30));

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task GyroBiasAndDrift_LeaveLeanAndTurnsRight(int seed)
    {
        var random = new Random(seed);
        var options = new SimulationOptions
        {
            Scenario = ImperfectRide.RidingScenario(seed), Seed = seed, RateHz = 50, DurationSeconds = 240,
            GyroBiasDps = 0.5 + (2.5 * random.NextDouble()), GyroDriftDpsPerMinute = 0.5 * random.NextDouble(),
        };

        var (truth, analysis) = await ImperfectRide.AnalyzeAsync(options);

        var bias = analysis.Quality!.GyroBiasDps;
        Assert.NotNull(bias);
        // Measured at the first stops, by when the bias has drifted by up to drift × time.
        var drifted = options.GyroDriftDpsPerMinute * options.DurationSeconds / 60;
        Assert.True(bias.All(b => Math.Abs(Math.Abs(b) - options.GyroBiasDps) <= drifted + 0.3), $"seed {seed}: bias {string.Join(", ", bias)} for ±{options.GyroBiasDps:0.00} drifting {drifted:0.00}");
        ImperfectRide.AssertRideMetrics(truth, analysis, $"seed {seed} {options.Scenario} bias {options.GyroBiasDps:0.00} drift {options.GyroDriftDpsPerMinute:0.00}/min");
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task JitteryTimestamps_AreIrregular_ButTheMetricsHold(int seed)
    {
        var options = new SimulationOptions
        {
            Scenario = ImperfectRide.RidingScenario(seed), Seed = seed, RateHz = 100, DurationSeconds = 200,
            TimestampJitter = 0.6, TimeFormat = (SimulatedTimeFormat)(seed % 3),
        };

        var (truth, analysis) = await ImperfectRide.AnalyzeAsync(options);

        Assert.True(analysis.Quality!.ImuRateIrregular);
        ImperfectRide.AssertRideMetrics(truth, analysis, $"seed {seed} jitter");
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task LowRateLoggers_KeepSpeedAndDistance_AndLeaveLeanAndBrakingNullWithAReason(int seed)
    {
        var rate = 2 + (seed % 4); // 2–5 Hz
        var options = new SimulationOptions
        {
            // A logger writes its receiver's newest fix on every row (the simulator's truth has the IMU's resolution).
            Scenario = ImperfectRide.RidingScenario(seed), Seed = seed, RateHz = rate, GpsRateHz = rate, DurationSeconds = 240,
        };

        var (truth, analysis) = await ImperfectRide.AnalyzeAsync(options);

        var m = analysis.Metrics!;
        var unavailable = analysis.Quality!.Unavailable;
        Assert.Null(m.MaxLeanLeftDeg);
        Assert.Null(m.MaxAccelMs2);
        Assert.Null(m.MaxDecelMs2);
        Assert.Contains("Hz", unavailable["max_lean_left_deg"], StringComparison.Ordinal);
        Assert.Contains("Hz", unavailable["max_decel_ms2"], StringComparison.Ordinal);
        Assert.Equal(rate < 4, m.LeftTurns is null);
        ImperfectRide.AssertRideMetrics(truth, analysis, $"seed {seed} at {rate} Hz",
            "max_accel_ms2", "max_decel_ms2", "max_lean_left_deg", "max_lean_right_deg", "left_turns", "right_turns");
    }

    [Theory]
    [InlineData(2, RideScenario.Track, 601)]
    [InlineData(2, RideScenario.City, 602)]
    [InlineData(4, RideScenario.Track, 603)]
    [InlineData(4, RideScenario.Country, 604)]
    [InlineData(8, RideScenario.Track, 605)]
    public async Task ClippingAccelerometers_AreCounted_AndBrakingIsRightOrNullWithAReason(double rangeG, RideScenario scenario, int seed)
    {
        var options = new SimulationOptions { Scenario = scenario, Seed = seed, RateHz = 100, DurationSeconds = 200, AccelerometerRangeG = rangeG };

        var (truth, analysis) = await ImperfectRide.AnalyzeAsync(options);

        var quality = analysis.Quality!;
        if (quality.AccelClippedSamples > 0)
        {
            Assert.Equal(rangeG, quality.AccelRangeG);
        }

        ImperfectRide.AssertRideMetrics(truth, analysis, $"±{rangeG} g {scenario}", "max_accel_ms2", "max_decel_ms2");
        if (analysis.Metrics!.MaxDecelMs2 is null)
        {
            Assert.Contains("clipped", quality.Unavailable["max_decel_ms2"], StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(4, RideScenario.CrashLowside, 611)]
    [InlineData(4, RideScenario.CrashHighside, 612)]
    [InlineData(8, RideScenario.CrashLowside, 613)]
    [InlineData(8, RideScenario.CrashHighside, 614)]
    [InlineData(16, RideScenario.CrashHighside, 615)]
    public async Task Crashes_AreStillDetected_WhenTheAccelerometerClipsTheirPeaks(double rangeG, RideScenario scenario, int seed)
    {
        var options = new SimulationOptions { Scenario = scenario, Seed = seed, RateHz = 200, DurationSeconds = 200, AccelerometerRangeG = rangeG };

        var (truth, analysis) = await ImperfectRide.AnalyzeAsync(options);

        Assert.True(truth.CrashDetected);
        ImperfectRide.AssertRideMetrics(truth, analysis, $"±{rangeG} g {scenario}");
    }
}
