using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Portal.Core.Analytics;
using Portal.Core.Analytics.Reading;

namespace Portal.Tests.Analytics.RealRecordings;

/// <summary>
/// The manifest of real recordings is complete and consistent on its own, without the data: provenance,
/// hashes, and an expectation for each metric that a test can check. Runs everywhere (no data needed).
/// </summary>
[Trait("Category", "Analytics")]
public sealed partial class RealRecordingManifestTests
{
    private static readonly RealRecordingManifest Manifest = RealRecordingManifest.Load();

    private static readonly HashSet<string> MetricKeys = typeof(RideMetrics)
        .GetProperties()
        .Select(p => p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name)
        .OfType<string>()
        .ToHashSet(StringComparer.Ordinal);

    private static readonly HashSet<string> RejectionCodes = typeof(RideRejectionCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral)
        .Select(f => (string)f.GetRawConstantValue()!)
        .ToHashSet(StringComparer.Ordinal);

    [Fact]
    public void Manifest_ListsAtLeastOneRecording_EachWithAUniqueIdAndFileName()
    {
        Assert.Equal(1, Manifest.Schema);
        Assert.NotEmpty(Manifest.Recordings);
        Assert.Equal(Manifest.Recordings.Count, Manifest.Recordings.Select(r => r.Id).Distinct(StringComparer.Ordinal).Count());
        Assert.All(Manifest.Recordings, r =>
        {
            Assert.Matches(IdPattern(), r.Id);
            Assert.False(string.IsNullOrWhiteSpace(r.File), r.Id);
            Assert.Equal(Path.GetFileName(r.File), r.File);
        });
    }

    [Fact]
    public void EveryRecording_NamesItsSourceCommitHashAndLicence()
    {
        Assert.All(Manifest.Recordings, r =>
        {
            Assert.Matches(Sha256Pattern(), r.Sha256);
            Assert.True(r.Bytes > 0, r.Id);
            Assert.StartsWith("https://github.com/", r.Repository, StringComparison.Ordinal);
            Assert.Matches(CommitPattern(), r.Commit);
            Assert.False(string.IsNullOrWhiteSpace(r.Path), r.Id);
            Assert.False(string.IsNullOrWhiteSpace(r.Licence), r.Id);
            Assert.False(string.IsNullOrWhiteSpace(r.Description), r.Id);
            Assert.False(string.IsNullOrWhiteSpace(r.TruthDerivation), r.Id);
            Assert.All(r.ReferenceFiles, f =>
            {
                Assert.Matches(Sha256Pattern(), f.Sha256);
                Assert.False(string.IsNullOrWhiteSpace(f.What), r.Id + "/" + f.File);
            });
        });
    }

    [Fact]
    public void EveryExpectation_IsAKnownMetric_WithExactlyOneWellFormedKindOfTruth()
    {
        var problems = Manifest.Recordings
            .SelectMany(r => r.Metrics.Select(m => (r.Id, m.Key, Problem: MetricKeys.Contains(m.Key) ? m.Value.Problem() : "not a metric key of RideMetrics")))
            .Where(p => p.Problem is not null)
            .Select(p => $"{p.Id}.{p.Key}: {p.Problem}")
            .ToList();

        Assert.Empty(problems);
    }

    [Fact]
    public void EveryRecording_EitherExpectsARefusalWithAKnownCode_OrComparesMetrics_AndNeverBothOrNeither()
    {
        Assert.All(Manifest.Recordings, r =>
        {
            if (r.ExpectedRejection is { } code)
            {
                Assert.Contains(code, RejectionCodes);
                Assert.Empty(r.Metrics);
            }
            else
            {
                Assert.NotEmpty(r.Metrics);
                Assert.True(r.Metrics.ContainsKey("crash_detected"), r.Id + ": every ride states whether it holds a crash");
            }
        });
    }

    [Fact]
    public void MetricsLeftUncompared_SayWhy_AndAreNotAlsoCompared()
    {
        Assert.All(Manifest.Recordings, r => Assert.All(r.NotCompared, n =>
        {
            Assert.Contains(n.Key, MetricKeys);
            Assert.False(string.IsNullOrWhiteSpace(n.Value), r.Id + "." + n.Key);
            Assert.False(r.Metrics.ContainsKey(n.Key), r.Id + "." + n.Key + " is both compared and not compared");
        }));
    }

    [Fact]
    public void KnownGaps_NameComparedMetrics_AndSayWhy()
    {
        Assert.All(Manifest.Recordings, r => Assert.All(r.KnownGaps, gap =>
        {
            Assert.True(r.Metrics.ContainsKey(gap.Key), r.Id + "." + gap.Key + " is a known gap but is not compared");
            Assert.False(string.IsNullOrWhiteSpace(gap.Value), r.Id + "." + gap.Key);
        }));
    }

    [Fact]
    public void TheTruthTool_NamedByTheManifest_IsInTheRepository_AndKnowsEveryRecording()
    {
        var root = Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(RealRecordingManifest.ManifestPath))))!;
        var tool = File.ReadAllText(Path.Combine(root, "scripts", "real-recordings", "derive_truth.py"));

        Assert.All(Manifest.Recordings.Where(r => r.ExpectedRejection is null), r => Assert.Contains('"' + r.Id + '"', tool, StringComparison.Ordinal));
    }

    [Fact]
    public void Comparison_AcceptsValuesInsideTheTolerance_AndReportsThoseOutsideIt()
    {
        var distance = new RealMetricTruth { Truth = JsonSerializer.SerializeToElement(10.0), Tolerance = new RealTolerance { Relative = 0.05 }, Why = "test" };
        var lean = new RealMetricTruth { MustBeNull = true, Reason = "IMU at 2 Hz" };
        using var good = JsonDocument.Parse("""{"distance_km": 10.4, "max_lean_left_deg": null}""");
        using var bad = JsonDocument.Parse("""{"distance_km": 10.6, "max_lean_left_deg": 35.0}""");
        var reasons = new Dictionary<string, string> { ["max_lean_left_deg"] = "IMU at 2 Hz" };

        Assert.Null(RealRecordingTests.Compare("distance_km", distance, good.RootElement, reasons));
        Assert.Null(RealRecordingTests.Compare("max_lean_left_deg", lean, good.RootElement, reasons));
        Assert.Contains("got 10.6", RealRecordingTests.Compare("distance_km", distance, bad.RootElement, reasons), StringComparison.Ordinal);
        Assert.Contains("expected null", RealRecordingTests.Compare("max_lean_left_deg", lean, bad.RootElement, reasons), StringComparison.Ordinal);
        Assert.Contains("no reason", RealRecordingTests.Compare("max_lean_left_deg", lean, good.RootElement, new Dictionary<string, string>()), StringComparison.Ordinal);
    }

    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex IdPattern();

    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex Sha256Pattern();

    [GeneratedRegex("^[0-9a-f]{40}$")]
    private static partial Regex CommitPattern();
}
