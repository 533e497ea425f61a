using System.Text.Json.Serialization;

namespace Portal.Core.Analytics;

/// <summary>Bumped whenever the algorithm changes what it reports, so stored results can be recomputed.</summary>
public static class AnalysisVersion
{
    public const int Current = 3; // 3: mount rotation, GPS glitch rejection, gyro bias, clipping, quality report
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

    /// <summary>How far the file can be trusted and what the engine decided about it (ride-format.md §4); null for rides analysed before it existed.</summary>
    [JsonPropertyName("quality")] public RideQuality? Quality { get; init; }
}

/// <summary>The quality report of ride-format.md §4: the sensor's mount, rates, GPS cleaning, sensor faults, and why a metric is null.</summary>
public sealed record RideQuality
{
    [JsonPropertyName("mount_roll_deg")] public double? MountRollDeg { get; init; }
    [JsonPropertyName("mount_pitch_deg")] public double? MountPitchDeg { get; init; }
    [JsonPropertyName("mount_yaw_deg")] public double? MountYawDeg { get; init; }

    /// <summary><c>estimated</c>, <c>profile</c> or <c>none</c> (identity assumed).</summary>
    [JsonPropertyName("mount_source")] public string MountSource { get; init; } = "none";

    /// <summary>Where the forward axis came from: <c>speed_changes</c> (correlation with the speed's change), <c>profile</c>, or <c>assumed</c> (sensor x projected onto the horizontal).</summary>
    [JsonPropertyName("mount_forward_axis")] public string MountForwardAxis { get; init; } = "assumed";

    [JsonPropertyName("imu_rate_hz")] public double? ImuRateHz { get; init; }

    /// <summary>More than 10 % of the sample intervals differ from the median by more than 20 %.</summary>
    [JsonPropertyName("imu_rate_irregular")] public bool ImuRateIrregular { get; init; }
    [JsonPropertyName("gps_rate_hz")] public double? GpsRateHz { get; init; }
    [JsonPropertyName("gps_fixes")] public long GpsFixes { get; init; }
    [JsonPropertyName("gps_fixes_rejected")] public long GpsFixesRejected { get; init; }

    /// <summary>Rows whose GPS cells repeat the previous fix (normal between fixes; also what a receiver does in a dropout).</summary>
    [JsonPropertyName("gps_fixes_repeated")] public long GpsFixesRepeated { get; init; }

    /// <summary>The speed column's unit as checked against the GPS track: <c>km/h</c>, <c>mph</c>, <c>m/s</c>, <c>kn</c>, or <c>unchecked</c>.</summary>
    [JsonPropertyName("speed_unit")] public string? SpeedUnit { get; init; }

    /// <summary>The factor applied to the speed column as read (1 when its unit was right or could not be checked).</summary>
    [JsonPropertyName("speed_scale")] public double? SpeedScale { get; init; }

    /// <summary>The gyro's bias while still, sensor axes, deg/s (null when the sensor was never still).</summary>
    [JsonPropertyName("gyro_bias_dps")] public IReadOnlyList<double>? GyroBiasDps { get; init; }

    /// <summary>The largest change of that bias seen at later stops, deg/s.</summary>
    [JsonPropertyName("gyro_bias_drift_dps")] public double? GyroBiasDriftDps { get; init; }
    [JsonPropertyName("accel_clipped_samples")] public long AccelClippedSamples { get; init; }

    /// <summary>The accelerometer range the clipping sits at, g (null when nothing clipped).</summary>
    [JsonPropertyName("accel_range_g")] public double? AccelRangeG { get; init; }

    /// <summary>metric → why it is null.</summary>
    [JsonPropertyName("unavailable")] public IReadOnlyDictionary<string, string> Unavailable { get; init; } = new Dictionary<string, string>();

    /// <summary>What the reader decided about the file (format, time, units and how each was decided; <see cref="Reading.RideReadFacts"/>).</summary>
    [JsonPropertyName("reading")] public IReadOnlyDictionary<string, object?>? Reading { get; init; }

    /// <summary>
    /// Equal by content (the bias and the reasons too), so two analyses of the same ride compare equal. <see cref="Reading"/>
    /// describes the file's layout rather than the ride (a live session's CSV and the device's own export of the same ride
    /// differ there), so it takes no part.
    /// </summary>
    public bool Equals(RideQuality? other) =>
        other is not null
        && MountRollDeg == other.MountRollDeg && MountPitchDeg == other.MountPitchDeg && MountYawDeg == other.MountYawDeg
        && MountSource == other.MountSource && MountForwardAxis == other.MountForwardAxis
        && ImuRateHz == other.ImuRateHz && ImuRateIrregular == other.ImuRateIrregular && GpsRateHz == other.GpsRateHz
        && GpsFixes == other.GpsFixes && GpsFixesRejected == other.GpsFixesRejected && GpsFixesRepeated == other.GpsFixesRepeated
        && SpeedUnit == other.SpeedUnit && SpeedScale == other.SpeedScale && GyroBiasDriftDps == other.GyroBiasDriftDps
        && AccelClippedSamples == other.AccelClippedSamples && AccelRangeG == other.AccelRangeG
        && (GyroBiasDps ?? []).SequenceEqual(other.GyroBiasDps ?? [])
        && Unavailable.Count == other.Unavailable.Count
        && Unavailable.All(pair => other.Unavailable.TryGetValue(pair.Key, out var reason) && reason == pair.Value);

    public override int GetHashCode() => HashCode.Combine(MountSource, ImuRateHz, GpsFixes, GpsFixesRejected, Unavailable.Count);
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

    /// <summary>The quality report (also serialised inside the metrics JSON as <c>quality</c>).</summary>
    [JsonIgnore] public RideQuality? Quality => Metrics?.Quality;

    [JsonIgnore] public bool Succeeded => Rejection is null;
}
