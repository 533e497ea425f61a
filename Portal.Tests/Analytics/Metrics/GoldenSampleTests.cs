using System.Text;
using System.Text.Json;
using Portal.Core.Analytics;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Analytics.Metrics;

/// <summary>
/// Every golden ride in shared/samples, read by the real reader and analysed, lands within the
/// accuracy of ride-format.md against its expected JSON (read here, never copied into product code).
/// </summary>
[Trait("Category", "Analytics")]
public sealed class GoldenSampleTests
{
    public static TheoryData<string> SampleFiles()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(TestServices.SamplesDir, "*.csv").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(file));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(SampleFiles))]
    public async Task Sample_IsAnalysedWithinTheAccuracyOfTheRideFormat(string fileName)
    {
        var path = Path.Combine(TestServices.SamplesDir, fileName);
        using var expected = JsonDocument.Parse(await File.ReadAllTextAsync(Path.ChangeExtension(path, ".expected.json")));
        var truth = expected.RootElement;

        await using var stream = File.OpenRead(path);
        var analysis = await new RideAnalyzer().AnalyzeAsync(stream, profile: null, progress: null, CancellationToken.None);

        Assert.Null(analysis.Rejection);
        var metrics = analysis.Metrics!;
        var crash = truth.GetProperty("crash_detected").GetBoolean();
        Assert.Equal(crash, metrics.CrashDetected);
        AssertRelative("distance_km", truth, metrics.DistanceKm, 0.02);
        if (crash)
        {
            Assert.NotNull(metrics.CrashTimeS);
            Assert.InRange(metrics.CrashTimeS!.Value, truth.GetProperty("crash_time_s").GetDouble() - 2, truth.GetProperty("crash_time_s").GetDouble() + 2);
            Assert.NotNull(analysis.Crash);
            Assert.NotNull(analysis.CrashWindowCsv);
            return;
        }

        Assert.Null(metrics.CrashTimeS);
        Assert.Null(analysis.Crash);
        Assert.Equal(truth.GetProperty("samples").GetInt64(), metrics.Samples);
        AssertAbsolute("duration_s", truth, metrics.DurationS, 0.01);
        AssertRelative("max_speed_kmh", truth, metrics.MaxSpeedKmh, 0.03);
        AssertRelative("avg_speed_kmh", truth, metrics.AvgSpeedKmh, 0.03);
        AssertRelative("max_accel_ms2", truth, metrics.MaxAccelMs2, 0.15);
        AssertRelative("max_decel_ms2", truth, metrics.MaxDecelMs2, 0.15);
        AssertLean("max_lean_left_deg", truth, metrics.MaxLeanLeftDeg);
        AssertLean("max_lean_right_deg", truth, metrics.MaxLeanRightDeg);
        Assert.Equal(truth.GetProperty("left_turns").GetInt32(), metrics.LeftTurns);
        Assert.Equal(truth.GetProperty("right_turns").GetInt32(), metrics.RightTurns);
    }

    /// <summary>
    /// ride-format.md: "derive speed and distance from lat/lon when there is no speed column" — and the
    /// accuracy holds for rides the portal has never seen, so also for these rides without their speed.
    /// </summary>
    [Theory]
    [MemberData(nameof(SampleFiles))]
    public async Task SampleWithoutItsSpeedColumn_GetsSpeedAndDistanceFromGps_WithinTheRideFormatAccuracy(string fileName)
    {
        var path = Path.Combine(TestServices.SamplesDir, fileName);
        using var expected = JsonDocument.Parse(await File.ReadAllTextAsync(Path.ChangeExtension(path, ".expected.json")));
        var truth = expected.RootElement;
        var withoutSpeed = WithoutColumn(await File.ReadAllLinesAsync(path), "speed");
        Assert.DoesNotContain("speed", withoutSpeed[..withoutSpeed.IndexOf('\n', StringComparison.Ordinal)], StringComparison.Ordinal);

        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(withoutSpeed));
        var analysis = await new RideAnalyzer().AnalyzeAsync(stream, profile: null, progress: null, CancellationToken.None);

        Assert.Null(analysis.Rejection);
        var metrics = analysis.Metrics!;
        Assert.Equal(truth.GetProperty("crash_detected").GetBoolean(), metrics.CrashDetected);
        AssertRelative("distance_km", truth, metrics.DistanceKm, 0.02);
        if (!metrics.CrashDetected)
        {
            AssertRelative("max_speed_kmh", truth, metrics.MaxSpeedKmh, 0.03);
            AssertRelative("avg_speed_kmh", truth, metrics.AvgSpeedKmh, 0.03);
            AssertRelative("max_accel_ms2", truth, metrics.MaxAccelMs2, 0.15);
            AssertRelative("max_decel_ms2", truth, metrics.MaxDecelMs2, 0.15);
        }
    }

    private static string WithoutColumn(string[] lines, string column)
    {
        var index = Array.IndexOf(lines[0].Split(','), column);
        Assert.True(index >= 0, $"the sample has no {column} column");
        var text = new StringBuilder();
        foreach (var line in lines.Where(l => l.Length > 0))
        {
            var cells = line.Split(',');
            text.AppendJoin(',', cells.Take(index).Concat(cells.Skip(index + 1))).Append('\n');
        }

        return text.ToString();
    }

    internal static void AssertRelative(string name, JsonElement truth, double? actual, double tolerance)
    {
        var expected = truth.GetProperty(name).GetDouble();
        Assert.True(actual.HasValue, $"{name} is null, expected {expected}");
        Assert.True(Math.Abs(actual!.Value - expected) <= tolerance * Math.Abs(expected), $"{name} = {actual} is not within {tolerance:P0} of {expected}");
    }

    private static void AssertAbsolute(string name, JsonElement truth, double? actual, double tolerance)
    {
        var expected = truth.GetProperty(name).GetDouble();
        Assert.True(actual.HasValue, $"{name} is null, expected {expected}");
        Assert.True(Math.Abs(actual!.Value - expected) <= tolerance, $"{name} = {actual} is not within ±{tolerance} of {expected}");
    }

    /// <summary>ride-format.md: max lean ±3° where the truth is at least 10°.</summary>
    internal static void AssertLean(string name, JsonElement truth, double? actual)
    {
        var expected = truth.GetProperty(name).GetDouble();
        Assert.True(actual.HasValue, $"{name} is null, expected {expected}");
        if (expected >= 10)
        {
            Assert.True(Math.Abs(actual!.Value - expected) <= 3, $"{name} = {actual:0.00}° is not within ±3° of {expected}°");
        }
    }
}
