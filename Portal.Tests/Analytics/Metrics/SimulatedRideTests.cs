using Portal.Core.Analytics;
using Portal.Core.Simulation;

namespace Portal.Tests.Analytics.Metrics;

/// <summary>
/// Rides the portal has never seen: the simulator's files (other seeds, 50–400 Hz, the three
/// time formats, g units, third-party column names, shuffled and extra columns, gzip, no speed
/// column) go through the real reader and the metrics, and are compared with the simulator's
/// ground truth at the accuracy of ride-format.md.
/// </summary>
[Trait("Category", "Analytics")]
public sealed class SimulatedRideTests
{
    public static TheoryData<string> Rides() => new(Cases.Keys.Order(StringComparer.Ordinal));

    private static readonly Dictionary<string, (SimulationOptions Options, bool Gzip)> Cases = new()
    {
        ["city-50hz-relative-g-emptygps"] = (new SimulationOptions { Scenario = RideScenario.City, Seed = 21, RateHz = 50, TimeFormat = SimulatedTimeFormat.RelativeSeconds, AccelerationUnit = SimulatedAccelerationUnit.G, GpsGaps = GpsGapStyle.Empty }, false),
        ["country-100hz-epochms-aliases-gzip"] = (new SimulationOptions { Scenario = RideScenario.Country, Seed = 22, RateHz = 100, TimeFormat = SimulatedTimeFormat.EpochMilliseconds, ColumnNames = SimulatedColumnNames.Aliases }, true),
        ["track-400hz-iso-shuffled-extra"] = (new SimulationOptions { Scenario = RideScenario.Track, Seed = 23, RateHz = 400, ShuffleColumns = true, ExtraColumns = true }, false),
        ["track-50hz-g-aliases"] = (new SimulationOptions { Scenario = RideScenario.Track, Seed = 24, RateHz = 50, AccelerationUnit = SimulatedAccelerationUnit.G, ColumnNames = SimulatedColumnNames.Aliases, GpsGaps = GpsGapStyle.Empty }, false),
        ["lowside-200hz-iso"] = (new SimulationOptions { Scenario = RideScenario.CrashLowside, Seed = 25, RateHz = 200 }, false),
        ["highside-400hz-epochms"] = (new SimulationOptions { Scenario = RideScenario.CrashHighside, Seed = 26, RateHz = 400, TimeFormat = SimulatedTimeFormat.EpochMilliseconds }, false),
        ["drop-100hz-relative"] = (new SimulationOptions { Scenario = RideScenario.Drop, Seed = 27, RateHz = 100, TimeFormat = SimulatedTimeFormat.RelativeSeconds }, false),
        ["city-200hz-gps-only"] = (new SimulationOptions { Scenario = RideScenario.City, Seed = 28, RateHz = 200, IncludeSpeed = false }, false),
        ["country-100hz-gps-only-gzip"] = (new SimulationOptions { Scenario = RideScenario.Country, Seed = 29, RateHz = 100, IncludeSpeed = false, GpsGaps = GpsGapStyle.Empty }, true),
        ["track-400hz-gps-only-10hz-fixes"] = (new SimulationOptions { Scenario = RideScenario.Track, Seed = 30, RateHz = 400, IncludeSpeed = false, GpsRateHz = 10 }, false),
        ["city-50hz-gps-only-1hz-fixes"] = (new SimulationOptions { Scenario = RideScenario.City, Seed = 31, RateHz = 50, IncludeSpeed = false, GpsRateHz = 1, GpsGaps = GpsGapStyle.Empty }, false),
    };

    [Theory]
    [MemberData(nameof(Rides))]
    public async Task SimulatedRide_MatchesItsGroundTruth(string ride)
    {
        var (options, gzip) = Cases[ride];
        options = options with { DurationSeconds = 300 };
        using var file = new MemoryStream();
        var truth = await SimulatedRideCsvWriter.WriteAsync(file, options, gzip, maxContentBytes: null, CancellationToken.None);
        file.Position = 0;

        var analysis = await new RideAnalyzer().AnalyzeAsync(file, profile: null, progress: null, CancellationToken.None);

        Assert.Null(analysis.Rejection);
        var m = analysis.Metrics!;
        Assert.Equal(truth.CrashDetected, m.CrashDetected);
        AssertWithin("distance_km", truth.DistanceKm, m.DistanceKm, 0.02);
        if (truth.CrashDetected)
        {
            Assert.InRange(m.CrashTimeS!.Value, truth.CrashTimeS!.Value - 2, truth.CrashTimeS.Value + 2);
            Assert.Equal(truth.CrashType, analysis.Crash!.Kind);
            return;
        }

        Assert.Equal(truth.Samples, m.Samples);
        Assert.InRange(m.SampleRateHz!.Value, options.RateHz * 0.99, options.RateHz * 1.01);

        // With or without a speed column (then from GPS positions), ride-format.md's ±3 %.
        AssertWithin("max_speed_kmh", truth.MaxSpeedKmh, m.MaxSpeedKmh, 0.03);
        AssertWithin("avg_speed_kmh", truth.AvgSpeedKmh!.Value, m.AvgSpeedKmh, 0.03);
        AssertWithin("max_accel_ms2", truth.MaxAccelMs2, m.MaxAccelMs2, 0.15);
        AssertWithin("max_decel_ms2", truth.MaxDecelMs2, m.MaxDecelMs2, 0.15);
        AssertLean("max_lean_left_deg", truth.MaxLeanLeftDeg, m.MaxLeanLeftDeg);
        AssertLean("max_lean_right_deg", truth.MaxLeanRightDeg, m.MaxLeanRightDeg);
        Assert.Equal(truth.LeftTurns, m.LeftTurns);
        Assert.Equal(truth.RightTurns, m.RightTurns);
    }

    /// <summary>
    /// ride-format.md: max acceleration and braking are the extremes of the 0.5 s centred mean of ax, within
    /// ±15 % at any rate from 50 to 400 Hz. Track rides have the strongest vibration (250+ km/h) and the
    /// hardest acceleration and braking; two seeds per rate.
    /// </summary>
    [Theory]
    [InlineData(50, 41)]
    [InlineData(50, 42)]
    [InlineData(100, 43)]
    [InlineData(200, 44)]
    [InlineData(400, 45)]
    [InlineData(400, 46)]
    public async Task TrackRide_MaxAccelerationAndBraking_AreWithinFifteenPercent_AtEveryRate(double rateHz, int seed)
    {
        var options = new SimulationOptions { Scenario = RideScenario.Track, Seed = seed, RateHz = rateHz, DurationSeconds = 240, TimeFormat = SimulatedTimeFormat.RelativeSeconds };
        using var file = new MemoryStream();
        var truth = await SimulatedRideCsvWriter.WriteAsync(file, options, gzip: false, maxContentBytes: null, CancellationToken.None);
        file.Position = 0;

        var m = (await new RideAnalyzer().AnalyzeAsync(file, profile: null, progress: null, CancellationToken.None)).Metrics!;

        Assert.InRange(truth.MaxAccelMs2, 4, 6); // a track ride: the test is about hard acceleration
        AssertWithin("max_accel_ms2", truth.MaxAccelMs2, m.MaxAccelMs2, 0.15);
        AssertWithin("max_decel_ms2", truth.MaxDecelMs2, m.MaxDecelMs2, 0.15);
    }

    private static void AssertWithin(string name, double expected, double? actual, double tolerance)
    {
        Assert.True(actual.HasValue, $"{name} is null, expected {expected}");
        Assert.True(Math.Abs(actual!.Value - expected) <= tolerance * Math.Abs(expected), $"{name} = {actual} is not within {tolerance:P0} of {expected}");
    }

    private static void AssertLean(string name, double expected, double? actual)
    {
        Assert.True(actual.HasValue, $"{name} is null, expected {expected}");
        if (expected >= 10)
        {
            Assert.True(Math.Abs(actual!.Value - expected) <= 3, $"{name} = {actual:0.00}° is not within ±3° of {expected}°");
        }
    }
}
