using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Portal.Tests.Analytics.RealRecordings;

/// <summary>
/// The manifest of real third-party recordings (real-recordings.json beside this file): where each file
/// comes from, its hash, and the truth derived from an independent reference with its tolerance.
/// The files themselves live outside the repository, in <see cref="DataDirectory"/>.
/// </summary>
public sealed record RealRecordingManifest
{
    public const string DataDirectoryVariable = "PORTAL_REAL_RECORDINGS";

    [JsonPropertyName("schema")] public int Schema { get; init; }

    [JsonPropertyName("recordings")] public IReadOnlyList<RealRecording> Recordings { get; init; } = [];

    public static string ManifestPath
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "Portal.Tests", "Analytics", "RealRecordings", "real-recordings.json");
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }

            throw new FileNotFoundException("real-recordings.json not found above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>$PORTAL_REAL_RECORDINGS, else ~/.cache/ride-portal/real-recordings (one folder per recording id).</summary>
    public static string DataDirectory
    {
        get
        {
            var fromEnvironment = Environment.GetEnvironmentVariable(DataDirectoryVariable);
            return string.IsNullOrWhiteSpace(fromEnvironment)
                ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "ride-portal", "real-recordings")
                : fromEnvironment;
        }
    }

    public static RealRecordingManifest Load() => Parse(File.ReadAllText(ManifestPath));

    public static RealRecordingManifest Parse(string json) =>
        JsonSerializer.Deserialize<RealRecordingManifest>(json)
        ?? throw new InvalidDataException("The manifest is empty.");
}

public sealed record RealRecording
{
    [JsonPropertyName("id")] public string Id { get; init; } = "";
    [JsonPropertyName("file")] public string File { get; init; } = "";
    [JsonPropertyName("sha256")] public string Sha256 { get; init; } = "";
    [JsonPropertyName("bytes")] public long Bytes { get; init; }
    [JsonPropertyName("repository")] public string Repository { get; init; } = "";
    [JsonPropertyName("path")] public string Path { get; init; } = "";
    [JsonPropertyName("commit")] public string Commit { get; init; } = "";
    [JsonPropertyName("licence")] public string Licence { get; init; } = "";
    [JsonPropertyName("vehicle")] public string Vehicle { get; init; } = "";
    [JsonPropertyName("device")] public string Device { get; init; } = "";
    [JsonPropertyName("description")] public string Description { get; init; } = "";
    [JsonPropertyName("reference_files")] public IReadOnlyList<RealReferenceFile> ReferenceFiles { get; init; } = [];
    [JsonPropertyName("truth_derivation")] public string TruthDerivation { get; init; } = "";

    /// <summary>When set, the right answer for this file is a refusal with this code (ride-format.md §1).</summary>
    [JsonPropertyName("expected_rejection")] public string? ExpectedRejection { get; init; }

    [JsonPropertyName("metrics")] public IReadOnlyDictionary<string, RealMetricTruth> Metrics { get; init; } = new Dictionary<string, RealMetricTruth>();
    [JsonPropertyName("not_compared")] public IReadOnlyDictionary<string, string> NotCompared { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// Metric → why today's engine still misses its truth (open work, docs/real-recordings.md). A listed metric that misses is
    /// reported, not failed; one that meets its truth fails the test until it is taken off this list.
    /// </summary>
    [JsonPropertyName("known_gaps")] public IReadOnlyDictionary<string, string> KnownGaps { get; init; } = new Dictionary<string, string>();

    public string FilePath => System.IO.Path.Combine(RealRecordingManifest.DataDirectory, Id, File);

    public override string ToString() => Id;
}

public sealed record RealReferenceFile
{
    [JsonPropertyName("file")] public string File { get; init; } = "";
    [JsonPropertyName("sha256")] public string Sha256 { get; init; } = "";
    [JsonPropertyName("path")] public string Path { get; init; } = "";
    [JsonPropertyName("what")] public string What { get; init; } = "";
}

/// <summary>One metric's expectation: a truth with a tolerance, a range, or a required null with its reason.</summary>
public sealed record RealMetricTruth
{
    [JsonPropertyName("truth")] public JsonElement? Truth { get; init; }
    [JsonPropertyName("tolerance")] public RealTolerance? Tolerance { get; init; }
    [JsonPropertyName("range")] public IReadOnlyList<double>? Range { get; init; }
    [JsonPropertyName("null")] public bool MustBeNull { get; init; }
    [JsonPropertyName("reason")] public string? Reason { get; init; }
    [JsonPropertyName("why")] public string? Why { get; init; }

    /// <summary>Null when the expectation is well-formed, else what is wrong with it.</summary>
    public string? Problem()
    {
        var kinds = (Truth is not null ? 1 : 0) + (Range is not null ? 1 : 0) + (MustBeNull ? 1 : 0);
        if (kinds != 1)
        {
            return "needs exactly one of truth, range or null";
        }

        if (MustBeNull)
        {
            return string.IsNullOrWhiteSpace(Reason) ? "a required null needs its reason" : null;
        }

        if (Range is not null)
        {
            if (Range.Count != 2 || !(Range[0] <= Range[1]))
            {
                return "range must be [min, max] with min <= max";
            }

            return string.IsNullOrWhiteSpace(Why) ? "a range needs its why" : null;
        }

        var truth = Truth!.Value;
        if (truth.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return Tolerance is null ? null : "a true/false truth takes no tolerance";
        }

        if (truth.ValueKind != JsonValueKind.Number)
        {
            return "truth must be a number or true/false";
        }

        var toleranceProblem = Tolerance is null ? "missing" : Tolerance.Problem();
        if (toleranceProblem is not null)
        {
            return "a numeric truth needs a tolerance: " + toleranceProblem;
        }

        return string.IsNullOrWhiteSpace(Why) ? "a numeric truth needs its why" : null;
    }

    /// <summary>The accepted interval of a numeric truth or range.</summary>
    public (double Min, double Max) Interval()
    {
        if (Range is not null)
        {
            return (Range[0], Range[1]);
        }

        var truth = Truth!.Value.GetDouble();
        var half = Tolerance!.Absolute ?? Math.Abs(truth) * Tolerance.Relative!.Value;
        return (truth - half, truth + half);
    }

    public string Describe() =>
        MustBeNull ? "null (" + Reason + ")"
        : Truth is { ValueKind: JsonValueKind.True or JsonValueKind.False } flag ? flag.GetBoolean().ToString(CultureInfo.InvariantCulture).ToLowerInvariant()
        : string.Create(CultureInfo.InvariantCulture, $"[{Interval().Min:0.###}, {Interval().Max:0.###}]");
}

public sealed record RealTolerance
{
    [JsonPropertyName("relative")] public double? Relative { get; init; }
    [JsonPropertyName("absolute")] public double? Absolute { get; init; }

    public string? Problem() =>
        (Relative is null) == (Absolute is null) ? "exactly one of relative or absolute"
        : Relative is < 0 or > 1 ? "relative must be within 0..1"
        : Absolute is < 0 ? "absolute must not be negative"
        : null;
}
