using System.Globalization;
using System.Text;
using System.Text.Json;
using Portal.Core.Analytics;
using Portal.Core.Analytics.Reading;
using Portal.Core.Simulation;
using Portal.Tests.Infrastructure;
using static Portal.Tests.Analytics.Reading.ReadingTestSupport;

namespace Portal.Tests.Analytics.Reading;

[Trait("Category", "Analytics")]
public sealed class RideFileReaderFormatTests
{
    private const double G = 9.80665;

    public static TheoryData<string> SampleFiles() =>
        new(Directory.GetFiles(TestServices.SamplesDir, "*.csv").Select(Path.GetFileName).OfType<string>().Order());

    [Theory]
    [MemberData(nameof(SampleFiles))]
    public async Task GoldenSample_IsReadWhole_WithTheExpectedSampleCountAndDuration(string fileName)
    {
        var path = Path.Combine(TestServices.SamplesDir, fileName);
        using var expected = JsonDocument.Parse(await File.ReadAllTextAsync(Path.ChangeExtension(path, null) + ".expected.json"));
        var sink = new CountingSink();
        await using var file = File.OpenRead(path);

        var summary = await new RideFileReader().ReadAsync(file, null, sink, null, CancellationToken.None);

        Assert.Null(summary.Rejection);
        Assert.Equal(0, summary.RowsSkipped);
        Assert.Equal(expected.RootElement.GetProperty("samples").GetInt64(), summary.Samples);
        Assert.Equal(expected.RootElement.GetProperty("duration_s").GetDouble(), sink.LastT, 2);
        Assert.True(sink.TimeAlwaysIncreased);
        var relative = expected.RootElement.GetProperty("time_format").GetString() == "relative_s";
        Assert.Equal(relative, summary.StartTime is null);
    }

    [Theory]
    [InlineData("Ax", "Ax", null)]
    [InlineData("acc_x", "Ax", null)]
    [InlineData("accel_x_g", "Ax", "g")]
    [InlineData("Acc Y [g]", "Ay", "g")]
    [InlineData("accelerometer_z_ms2", "Az", "ms2")]
    [InlineData("az_mps2", "Az", "mps2")]
    [InlineData("gyro_x_dps", "Gx", "dps")]
    [InlineData("gyr_y_rads", "Gy", "rads")]
    [InlineData("Gyro Z (rad/s)", "Gz", "rad/s")]
    [InlineData("gz_rps", "Gz", "rps")]
    [InlineData("mag_x_ut", "Mx", "ut")]
    [InlineData("Mag Y (µT)", "My", "µt")]
    [InlineData("Time", "Timestamp", null)]
    [InlineData("time_ms", "Timestamp", "ms")]
    [InlineData("Time (s)", "Timestamp", "s")]
    [InlineData("timestamp_s", "Timestamp", "s")]
    [InlineData("LAT", "Lat", null)]
    [InlineData("gps_latitude", "Lat", null)]
    [InlineData("LNG", "Lon", null)]
    [InlineData("Longitude (°)", "Lon", "°")]
    [InlineData("lon", "Lon", null)]
    [InlineData("Velocity (m/s)", "Speed", "m/s")]
    [InlineData("speed_kmh", "Speed", "kmh")]
    [InlineData("gps_speed_mps", "Speed", "mps")]
    [InlineData("alt_m", "Alt", "m")]
    public void HeaderAlias_MapsToItsChannelAndUnit(string header, string channel, string? unit)
    {
        var layout = new RideColumnLayout();

        Assert.True(layout.TryGuess(header, out var guessed, out var guessedUnit));
        Assert.Equal(channel, guessed.ToString());
        Assert.Equal(unit, guessedUnit);
    }

    [Theory]
    [InlineData("battery_pct")]
    [InlineData("temp_c")]
    [InlineData("firmware")]
    [InlineData("status")]
    public void UnknownColumn_IsNotMistakenForAChannel(string header) =>
        Assert.False(new RideColumnLayout().TryGuess(header, out _, out _));

    [Fact]
    public async Task ThirdPartyLayout_IsMappedAndConvertedToCanonicalUnits()
    {
        var csv = "Time (s),acc_x,acc_y,acc_z,gyro_x_rads,gyro_y_rads,gyro_z_rads,Velocity (m/s),LAT,LNG,battery\n" +
                  "0.00,0.10,0.00,1.00,1.0,0,0,10.0,44.3,11.1,90\n" +
                  "0.01,0.20,0.00,1.00,0.5,0,0,10.0,44.3,11.1,90\n" +
                  "0.02,0.30,0.00,1.00,0.0,0,0,10.0,44.3,11.1,90\n";

        var (summary, sink) = await ReadAsync(csv);

        Assert.Null(summary.Rejection);
        Assert.Equal(new RideChannels(HasMagnetometer: false, HasSpeed: true, HasPosition: true, HasAltitude: false), sink.Channels);
        var first = sink.Samples[0];
        Assert.Equal(0.10 * G, first.Ax, 6);     // |a| ≈ 1: detected as g
        Assert.Equal(G, first.Az, 6);
        Assert.Equal(57.29578, first.Gx, 4);     // rad/s → deg/s
        Assert.Equal(36.0, first.Speed, 6);      // m/s → km/h
        Assert.Equal(44.3, first.Lat, 9);
        Assert.Equal(0.02, sink.Samples[2].T, 9);
        Assert.True(double.IsNaN(first.Mx));
    }

    [Fact]
    public async Task AccelerationInMetersPerSecondSquared_IsLeftAlone()
    {
        var (summary, sink) = await ReadAsync(CanonicalFile(20));

        Assert.Null(summary.Rejection);
        Assert.Equal(9.81, sink.Samples[0].Az, 9);
    }

    [Theory]
    [InlineData("timestamp", "2026-05-03T09:15:02.130Z", "2026-05-03T09:15:02.140Z", 0.010, "2026-05-03T09:15:02.130+00:00")]
    [InlineData("timestamp", "2026-05-03T11:15:02.130+02:00", "2026-05-03T11:15:02.150+02:00", 0.020, "2026-05-03T09:15:02.130+00:00")]
    [InlineData("timestamp", "2026-05-03T09:15:02.1300Z", "2026-05-03T09:15:02.1325Z", 0.0025, "2026-05-03T09:15:02.130+00:00")]
    [InlineData("timestamp", "2026-05-03 09:15:02.130", "2026-05-03 09:15:02.140", 0.010, "2026-05-03T09:15:02.130+00:00")]
    [InlineData("timestamp", "1777799702130", "1777799702140", 0.010, "2026-05-03T09:15:02.130+00:00")]
    [InlineData("time_ms", "123456", "123466", 0.010, null)]
    [InlineData("t", "5000", "5010", 0.010, null)]
    [InlineData("Time (s)", "12.50", "12.51", 0.010, null)]
    [InlineData("timestamp", "0.000", "0.005", 0.005, null)]
    public async Task TimeFormats_AreDetected_AndTStartsAtZeroInSeconds(string header, string first, string second, double step, string? start)
    {
        var csv = $"{header},ax,ay,az,gx,gy,gz\n{first},0,0,9.81,0,0,0\n{second},0,0,9.81,0,0,0\n";

        var (summary, sink) = await ReadAsync(csv);

        Assert.Null(summary.Rejection);
        Assert.Equal(0, sink.Samples[0].T);
        Assert.Equal(step, sink.Samples[1].T, 6);
        Assert.Equal(start is null ? null : DateTimeOffset.Parse(start, CultureInfo.InvariantCulture), summary.StartTime);
    }

    [Fact]
    public async Task DeviceProfile_OverridesColumnNamesUnitsAndTimeBase()
    {
        var csv = "zeit,b1,b2,b3,d1,d2,d3,v\n1000,0.0,0.0,1.0,0.1,0,0,5\n1020,0.5,0.0,1.0,0.2,0,0,5\n1040,0.5,0.0,1.0,0.2,0,0,5\n";
        var profile = new DeviceProfile
        {
            Name = "Acme logger",
            Columns = new Dictionary<string, string>
            {
                ["timestamp"] = "zeit", ["ax"] = "b1", ["ay"] = "b2", ["az"] = "b3", ["gx"] = "d1", ["gy"] = "d2", ["gz"] = "d3", ["speed"] = "v",
            },
            Acceleration = AccelerationUnit.G,
            AngularRate = AngularRateUnit.RadiansPerSecond,
            Speed = SpeedUnit.MetersPerSecond,
            Time = TimeBase.RelativeMilliseconds,
        };

        var (withoutProfile, _) = await ReadAsync(csv);
        var (summary, sink) = await ReadAsync(csv, profile);

        Assert.Equal(RideRejectionCodes.NoTimeColumn, withoutProfile.Rejection?.Code);
        Assert.Null(summary.Rejection);
        Assert.Equal(0.020, sink.Samples[1].T, 9);
        Assert.Equal(0.5 * G, sink.Samples[1].Ax, 6);
        Assert.Equal(0.2 * 180 / Math.PI, sink.Samples[1].Gx, 6);
        Assert.Equal(18.0, sink.Samples[1].Speed, 6);
        Assert.Null(summary.StartTime);
    }

    [Fact]
    public async Task DeviceProfile_AccelerationUnit_WinsOverDetectionFromTheData()
    {
        var profile = new DeviceProfile { Name = "forced g", Acceleration = AccelerationUnit.G };

        var (summary, sink) = await ReadAsync(CanonicalFile(10), profile);

        Assert.Null(summary.Rejection);
        Assert.Equal(9.81 * G, sink.Samples[0].Az, 6);
    }

    [Theory]
    [InlineData(GpsGapStyle.Empty)]
    [InlineData(GpsGapStyle.Repeated)]
    public async Task GpsBetweenFixes_IsNaNWhenEmpty_AndPassedOnWhenRepeated(GpsGapStyle gaps)
    {
        var options = new SimulationOptions { Scenario = RideScenario.City, DurationSeconds = 20, RateHz = 50, GpsRateHz = 5, GpsGaps = gaps, Seed = 11 };
        using var file = new MemoryStream();
        await SimulatedRideCsvWriter.WriteAsync(file, options, gzip: false, maxContentBytes: null, CancellationToken.None);

        var (summary, sink) = await ReadAsync(file.ToArray());

        Assert.Null(summary.Rejection);
        Assert.Equal(0, summary.RowsSkipped);
        var withSpeed = sink.Samples.Count(s => !double.IsNaN(s.Speed));
        var withPosition = sink.Samples.Count(s => !double.IsNaN(s.Lat) && !double.IsNaN(s.Lon));
        if (gaps == GpsGapStyle.Empty)
        {
            Assert.Equal(sink.Samples.Count / 10 + 1, withSpeed); // one fix in ten samples
            Assert.Equal(withSpeed, withPosition);
        }
        else
        {
            Assert.Equal(sink.Samples.Count, withSpeed);
            Assert.Equal(sink.Samples.Count, withPosition);
        }
    }

    public static TheoryData<string, SimulationOptions> Layouts()
    {
        var canonical = new SimulationOptions { Scenario = RideScenario.Country, DurationSeconds = 60, RateHz = 100, Seed = 5 };
        return new TheoryData<string, SimulationOptions>
        {
            { "epoch ms", canonical with { TimeFormat = SimulatedTimeFormat.EpochMilliseconds } },
            { "relative seconds", canonical with { TimeFormat = SimulatedTimeFormat.RelativeSeconds } },
            { "g units", canonical with { AccelerationUnit = SimulatedAccelerationUnit.G } },
            { "aliases", canonical with { ColumnNames = SimulatedColumnNames.Aliases } },
            { "aliases in g, epoch ms", canonical with { ColumnNames = SimulatedColumnNames.Aliases, AccelerationUnit = SimulatedAccelerationUnit.G, TimeFormat = SimulatedTimeFormat.EpochMilliseconds } },
            { "shuffled with extra columns", canonical with { ShuffleColumns = true, ExtraColumns = true } },
            { "everything at once, relative", canonical with { ShuffleColumns = true, ExtraColumns = true, ColumnNames = SimulatedColumnNames.Aliases, AccelerationUnit = SimulatedAccelerationUnit.G, TimeFormat = SimulatedTimeFormat.RelativeSeconds } },
        };
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public async Task AnyLayoutOfTheSameRide_ReadsToTheSameCanonicalSamples(string layout, SimulationOptions options)
    {
        var canonical = options with { TimeFormat = SimulatedTimeFormat.Iso, AccelerationUnit = SimulatedAccelerationUnit.MetersPerSecondSquared, ColumnNames = SimulatedColumnNames.Canonical, ShuffleColumns = false, ExtraColumns = false };
        var (expected, expectedSink) = await ReadAsync(await Simulate(canonical, gzip: false));
        var (actual, actualSink) = await ReadAsync(await Simulate(options, gzip: true));

        Assert.Null(expected.Rejection);
        Assert.True(actual.Rejection is null, $"{layout}: {actual.Rejection}");
        Assert.Equal(expected.Samples, actual.Samples);
        for (var i = 0; i < expectedSink.Samples.Count; i += 97)
        {
            var e = expectedSink.Samples[i];
            var a = actualSink.Samples[i];
            // Tolerances are the files' rounding: 5 decimals in g, 2 of km/h or 3 of m/s for speed.
            Assert.Equal(e.T, a.T, 1e-6);
            Assert.Equal(e.Ax, a.Ax, 1e-3);
            Assert.Equal(e.Az, a.Az, 1e-3);
            Assert.Equal(e.Gz, a.Gz, 1e-9);
            Assert.Equal(e.Mx, a.Mx, 1e-9);
            Assert.Equal(e.Speed, a.Speed, 0.02);
            Assert.Equal(e.Lat, a.Lat, 1e-9);
        }
    }

    [Fact]
    public async Task ProgressIsReported_UpTo100_ForASeekableFile()
    {
        var reports = new List<int>();
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(CanonicalFile(20_000)));

        await new RideFileReader().ReadAsync(stream, null, new CountingSink(), new SynchronousProgress(reports.Add), CancellationToken.None);

        Assert.Equal(100, reports[^1]);
        Assert.Equal(reports.Order(), reports);
        Assert.True(reports.Count > 5);
    }

    private static async Task<byte[]> Simulate(SimulationOptions options, bool gzip)
    {
        using var file = new MemoryStream();
        await SimulatedRideCsvWriter.WriteAsync(file, options, gzip, maxContentBytes: null, CancellationToken.None);
        return file.ToArray();
    }

    private sealed class SynchronousProgress(Action<int> report) : IProgress<int>
    {
        public void Report(int value) => report(value);
    }
}
