using Portal.Core.Analytics;
using Portal.Core.Simulation;

namespace Portal.Tests.Analytics.Metrics.Imperfections;

/// <summary>
/// The IMU mounted at any rotation against the rider's body (ride-format.md §4): the engine finds the
/// rotation from the data and every metric lands within the §3 tolerances, as if it were mounted straight.
/// </summary>
[Trait("Category", "Analytics")]
public sealed class MountEstimationTests
{
    /// <summary>Estimated mounts land within this angle of the true one (a 3° pitch error would read 0.5 m/s² of gravity as acceleration).</summary>
    private const double MountToleranceDeg = 3;

    public static TheoryData<int> Seeds() => new(Enumerable.Range(100, 30));

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task AnyMountRotation_IsFound_AndTheMetricsAreThoseOfTheBodyFrame(int seed)
    {
        var random = new Random(seed);
        var (roll, pitch, yaw) = (random.Next(-180, 180), random.Next(-80, 80), random.Next(-180, 180));
        var options = new SimulationOptions
        {
            Scenario = ImperfectRide.RidingScenario(seed), Seed = seed, RateHz = 50, DurationSeconds = 240,
            MountRollDeg = roll, MountPitchDeg = pitch, MountYawDeg = yaw,
        };

        var (truth, analysis) = await ImperfectRide.AnalyzeAsync(options);

        var context = $"seed {seed} {options.Scenario} mount ({roll}, {pitch}, {yaw})";
        var quality = analysis.Quality!;
        Assert.Equal("estimated", quality.MountSource);
        Assert.Equal("speed_changes", quality.MountForwardAxis);
        Assert.True(ImperfectRide.MountErrorDeg(quality, roll, pitch, yaw) <= MountToleranceDeg,
            $"{context}: estimated ({quality.MountRollDeg}, {quality.MountPitchDeg}, {quality.MountYawDeg})");
        ImperfectRide.AssertRideMetrics(truth, analysis, context);
    }

    [Theory]
    [InlineData(RideScenario.City, 0, 35, 0, 201)]      // a sport rider's torso pitched forward
    [InlineData(RideScenario.City, 0, 0, 90, 202)]      // rotated 90° about z
    [InlineData(RideScenario.Track, 8, 25, -170, 203)]  // a track session, the IMU turned round and tilted
    [InlineData(RideScenario.Country, 180, 0, 0, 204)]  // upside down
    [InlineData(RideScenario.Country, 0, 0, 180, 205)]  // back to front
    public async Task NamedMounts_AreFound_AndTheMetricsAreThoseOfTheBodyFrame(RideScenario scenario, double roll, double pitch, double yaw, int seed)
    {
        var options = new SimulationOptions
        {
            Scenario = scenario, Seed = seed, RateHz = 100, DurationSeconds = 300,
            MountRollDeg = roll, MountPitchDeg = pitch, MountYawDeg = yaw,
        };

        var (truth, analysis) = await ImperfectRide.AnalyzeAsync(options);

        Assert.True(ImperfectRide.MountErrorDeg(analysis.Quality!, roll, pitch, yaw) <= MountToleranceDeg);
        ImperfectRide.AssertRideMetrics(truth, analysis, $"{scenario} mount ({roll}, {pitch}, {yaw})");
    }

    [Theory]
    [InlineData(RideScenario.CrashLowside, 301)]
    [InlineData(RideScenario.CrashHighside, 302)]
    [InlineData(RideScenario.CrashLowside, 303)]
    [InlineData(RideScenario.CrashHighside, 304)]
    public async Task Crashes_WithTheSensorMountedAtAnAngle_AreDetectedAtTheirTime(RideScenario scenario, int seed)
    {
        var random = new Random(seed);
        var options = new SimulationOptions
        {
            Scenario = scenario, Seed = seed, RateHz = 100, DurationSeconds = 200,
            MountRollDeg = random.Next(-180, 180), MountPitchDeg = random.Next(-60, 60), MountYawDeg = random.Next(-180, 180),
        };

        var (truth, analysis) = await ImperfectRide.AnalyzeAsync(options);

        Assert.True(truth.CrashDetected);
        ImperfectRide.AssertRideMetrics(truth, analysis, $"{scenario} seed {seed}");
    }

    [Fact]
    public async Task AProfilesMount_WinsOverTheEstimate()
    {
        var options = new SimulationOptions { Scenario = RideScenario.City, Seed = 211, RateHz = 50, DurationSeconds = 240, MountPitchDeg = 30, MountYawDeg = 90 };
        var profile = new DeviceProfile { Name = "back protector", Mount = new SensorMount(0, 30, 90) };

        var (truth, analysis) = await ImperfectRide.AnalyzeAsync(options, profile);

        var quality = analysis.Quality!;
        Assert.Equal("profile", quality.MountSource);
        Assert.Equal((0.0, 30.0, 90.0), (quality.MountRollDeg!.Value, quality.MountPitchDeg!.Value, quality.MountYawDeg!.Value));
        ImperfectRide.AssertRideMetrics(truth, analysis, "profile mount");
    }

    [Fact]
    public async Task AStraightMount_IsEstimatedAsStraight()
    {
        var (truth, analysis) = await ImperfectRide.AnalyzeAsync(new SimulationOptions { Scenario = RideScenario.City, Seed = 212, RateHz = 50, DurationSeconds = 240 });

        Assert.True(ImperfectRide.MountErrorDeg(analysis.Quality!, 0, 0, 0) <= 1);
        ImperfectRide.AssertRideMetrics(truth, analysis, "straight mount");
    }
}
