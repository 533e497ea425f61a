using System.Text.Json.Serialization;

namespace Portal.Core.Analytics;

/// <summary>Bumped whenever the algorithm changes what it reports, so stored results can be recomputed.</summary>
public static class AnalysisVersion
{
    public const int Current = 2; // 2: GPS-only speed from the IMU-aided, smoothed GPS filter
}

/// <summary>Why a ride file was refused: a stable code (see README) and a sentence a person understands.</summary>
public sealed record RideRejection(string Code, string Message);

/// <summary>The metrics of one ride, named exactly as ride-format.md; null means "not available".</summary>
public sealed record RideMetrics
{
    [JsonPropertyName("duration_s")] public double? DurationS { get; init; }
    [JsonPropertyName("samples")] public long Samples { get; init; }
    [JsonPropertyName("sample_rate_hz")] public double? SampleRateHz { get; init; }
    [JsonPropertyName("distance_km")] public double? DistanceKm { get; init; }
    [JsonPropertyName("max_speed_kmh")] public double? MaxSpeedKmh { get; init; }
    [JsonPropertyName("avg_speed_kmh")] public double? AvgSpeedKmh { get; init; }
    [JsonPropertyName("moving_time_s")] public double? MovingTimeS { get; init; }
    [JsonPropertyName("max_accel_ms2")] public double? MaxAccelMs2 { get; init; }
    [JsonPropertyName("max_decel_ms2")] public double? MaxDecelMs2 { get; init; }
    [JsonPropertyName("max_lean_left_deg")] public double? MaxLeanLeftDeg { get; init; }
    [JsonPropertyName("max_lean_right_deg")] public double? MaxLeanRightDeg { get; init; }
    [JsonPropertyName("left_turns")] public int? LeftTurns { get; init; }
    [JsonPropertyName("right_turns")] public int? RightTurns { get; init; }
    [JsonPropertyName("crash_detected")] public bool CrashDetected { get; init; }
    [JsonPropertyName("crash_time_s")] public double? CrashTimeS { get; init; }
    [JsonPropertyName("rows_skipped")] public long RowsSkipped { get; init; }
}

/// <summary>What made the detector call a crash, for R&amp;D.</summary>
public sealed record CrashFinding(
    double TimeS,
    string Kind,
    double PeakG,
    double PeakRateDps,
    double SpeedBeforeKmh,
    double? Latitude,
    double? Longitude,
    string Explanation);

/// <summary>One downsampled chart channel; <see cref="T"/> is seconds from the first sample.</summary>
public sealed record Trace(string Name, string Unit, double[] T, double[] Values);

/// <summary>A detected turn, for marking charts.</summary>
public sealed record TurnMark(double StartS, double EndS, string Direction, double HeadingChangeDeg);

public sealed record RideTraces(IReadOnlyList<Trace> Channels, IReadOnlyList<TurnMark> Turns);

/// <summary>
/// The outcome of analysing one ride file: either a rejection, or metrics with traces and,
/// for a crash, the finding and the full-rate window around it (canonical CSV, ±10 s).
/// </summary>
public sealed record RideAnalysis
{
    public RideRejection? Rejection { get; init; }
    public RideMetrics? Metrics { get; init; }
    public RideTraces? Traces { get; init; }
    public CrashFinding? Crash { get; init; }
    public string? CrashWindowCsv { get; init; }
    public int AnalysisVersion { get; init; } = Analytics.AnalysisVersion.Current;

    /// <summary>When the ride started by its own clock (ISO or epoch time in the file); null for relative time.</summary>
    public DateTimeOffset? StartTime { get; init; }

    [JsonIgnore] public bool Succeeded => Rejection is null;
}
