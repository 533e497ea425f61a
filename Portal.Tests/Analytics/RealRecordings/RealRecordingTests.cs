using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Portal.Core.Analytics;
using Portal.Core.Analytics.Metrics;
using Xunit.Abstractions;

namespace Portal.Tests.Analytics.RealRecordings;

/// <summary>
/// Real third-party recordings (bicycle logger, phone in a car, …), each analysed by the real analyzer and
/// compared with a truth derived from an independent reference published with it (a second GPS, the car's
/// CAN bus), within honest tolerances — or required to be null with a reason where the file cannot support a
/// metric. The files are not in the repository (docs/real-recordings.md says how to get them); test.sh
/// leaves this category out, with a warning, when the data directory is missing.
/// </summary>
[Trait("Category", "RealData")]
public sealed class RealRecordingTests(ITestOutputHelper output)
{
    private static readonly RealRecordingManifest Manifest = RealRecordingManifest.Load();

    public static TheoryData<string> PresentRecordings()
    {
        var data = new TheoryData<string>();
        foreach (var recording in Manifest.Recordings.Where(r => File.Exists(r.FilePath)))
        {
            data.Add(recording.Id);
        }

        return data;
    }

    [Fact]
    public void DataDirectory_HoldsEveryRecordingOfTheManifest()
    {
        var missing = Manifest.Recordings.Where(r => !File.Exists(r.FilePath)).Select(r => r.FilePath).ToList();

        Assert.True(
            missing.Count == 0,
            $"{missing.Count} recording(s) missing from {RealRecordingManifest.DataDirectory} " +
            $"(set {RealRecordingManifest.DataDirectoryVariable} or see docs/real-recordings.md):\n  " + string.Join("\n  ", missing));
    }

    [Theory]
    [MemberData(nameof(PresentRecordings))]
    public async Task Recording_IsTheFilePublished_AndItsAnalysisMatchesTheIndependentTruth(string id)
    {
        var recording = Manifest.Recordings.Single(r => r.Id == id);
        Assert.Equal(recording.Sha256, await Sha256Async(recording.FilePath));

        RideAnalysis analysis;
        await using (var stream = File.OpenRead(recording.FilePath))
        {
            analysis = await new RideAnalyzer().AnalyzeAsync(stream, profile: null, progress: null, CancellationToken.None);
        }

        if (recording.ExpectedRejection is { } expectedCode)
        {
            Assert.Equal(expectedCode, analysis.Rejection?.Code);
            return;
        }

        Assert.True(analysis.Rejection is null, $"{id} was refused: {analysis.Rejection?.Code}: {analysis.Rejection?.Message}");
        using var metricsJson = JsonDocument.Parse(RideMetricsSerializer.ToJson(analysis.Metrics!, indented: false));
        var unavailable = UnavailableReasons(analysis);

        var misses = recording.Metrics
            .OrderBy(m => m.Key, StringComparer.Ordinal)
            .Select(m => (m.Key, Miss: Compare(m.Key, m.Value, metricsJson.RootElement, unavailable)))
            .ToList();
        foreach (var (key, miss) in misses.Where(m => m.Miss is not null && recording.KnownGaps.ContainsKey(m.Key)))
        {
            output.WriteLine($"known gap: {miss} ({recording.KnownGaps[key]})");
        }

        var failures = misses
            .Where(m => m.Miss is not null && !recording.KnownGaps.ContainsKey(m.Key))
            .Select(m => m.Miss!)
            .Concat(misses
                .Where(m => m.Miss is null && recording.KnownGaps.ContainsKey(m.Key))
                .Select(m => $"{m.Key}: now meets its truth; take it off known_gaps"))
            .ToList();

        Assert.True(
            failures.Count == 0,
            $"{id}: {failures.Count} of {recording.Metrics.Count} metrics miss the independent truth:\n  " + string.Join("\n  ", failures));
    }

    /// <summary>Null when the reported value meets the expectation, else a line saying what was expected and what came.</summary>
    internal static string? Compare(string key, RealMetricTruth expected, JsonElement metrics, IReadOnlyDictionary<string, string> unavailable)
    {
        var found = metrics.TryGetProperty(key, out var value);
        var reported = found ? value.ToString() : "(absent)";
        if (expected.MustBeNull)
        {
            if (found && value.ValueKind != JsonValueKind.Null)
            {
                return $"{key}: expected null ({expected.Reason}), got {reported}";
            }

            return unavailable.TryGetValue(key, out var reason) && !string.IsNullOrWhiteSpace(reason)
                ? null
                : $"{key}: null as required, but quality.unavailable gives no reason for it";
        }

        if (!found || value.ValueKind == JsonValueKind.Null)
        {
            return $"{key}: expected {expected.Describe()}, got null";
        }

        if (expected.Truth is { ValueKind: JsonValueKind.True or JsonValueKind.False } flag)
        {
            return value.ValueKind is JsonValueKind.True or JsonValueKind.False && value.GetBoolean() == flag.GetBoolean()
                ? null
                : $"{key}: expected {expected.Describe()}, got {reported}";
        }

        var (min, max) = expected.Interval();
        var number = value.GetDouble();
        return number >= min && number <= max
            ? null
            : string.Create(CultureInfo.InvariantCulture, $"{key}: expected {expected.Describe()}, got {number:0.###}");
    }

    /// <summary>
    /// The reasons in the analysis' quality report (ride-format.md §4: quality.unavailable, {metric: reason}),
    /// read from its JSON form so the check follows the report's published names, not its C# shape.
    /// </summary>
    internal static IReadOnlyDictionary<string, string> UnavailableReasons(RideAnalysis analysis)
    {
        var reasons = new Dictionary<string, string>(StringComparer.Ordinal);
        var json = JsonSerializer.SerializeToElement(analysis.Metrics);
        if (Child(json, "quality") is { ValueKind: JsonValueKind.Object } quality
            && Child(quality, "unavailable") is { ValueKind: JsonValueKind.Object } unavailable)
        {
            foreach (var entry in unavailable.EnumerateObject())
            {
                reasons[entry.Name] = entry.Value.ToString();
            }
        }

        return reasons;
    }

    private static JsonElement? Child(JsonElement parent, string name)
    {
        foreach (var property in parent.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return property.Value;
            }
        }

        return null;
    }

    private static async Task<string> Sha256Async(string path)
    {
        await using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream));
    }
}
