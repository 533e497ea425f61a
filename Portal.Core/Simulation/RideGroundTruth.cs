using System.Text.Json;
using System.Text.Json.Serialization;

namespace Portal.Core.Simulation;

/// <summary>
/// The metrics of ride-format.md computed from the clean simulated state (not from the noisy
/// sensor channels), with the same JSON keys as the golden <c>*.expected.json</c> files.
/// Ride metrics describe the ride up to the crash; duration and samples cover the whole file.
/// </summary>
public sealed record RideGroundTruth
{
    [JsonPropertyName("duration_s")] public double DurationS { get; init; }
    [JsonPropertyName("samples")] public long Samples { get; init; }
    [JsonPropertyName("distance_km")] public double DistanceKm { get; init; }
    [JsonPropertyName("max_speed_kmh")] public double MaxSpeedKmh { get; init; }
    [JsonPropertyName("avg_speed_kmh")] public double? AvgSpeedKmh { get; init; }
    [JsonPropertyName("moving_time_s")] public double MovingTimeS { get; init; }
    [JsonPropertyName("max_accel_ms2")] public double MaxAccelMs2 { get; init; }
    [JsonPropertyName("max_decel_ms2")] public double MaxDecelMs2 { get; init; }
    [JsonPropertyName("max_lean_left_deg")] public double MaxLeanLeftDeg { get; init; }
    [JsonPropertyName("max_lean_right_deg")] public double MaxLeanRightDeg { get; init; }
    [JsonPropertyName("left_turns")] public int LeftTurns { get; init; }
    [JsonPropertyName("right_turns")] public int RightTurns { get; init; }
    [JsonPropertyName("crash_time_s")] public double? CrashTimeS { get; init; }
    [JsonPropertyName("crash_type")] public string? CrashType { get; init; }
    [JsonPropertyName("scenario")] public required string Scenario { get; init; }
    [JsonPropertyName("seed")] public int Seed { get; init; }
    [JsonPropertyName("rate_hz")] public double RateHz { get; init; }
    [JsonPropertyName("time_format")] public required string TimeFormat { get; init; }
    [JsonPropertyName("crash_detected")] public bool CrashDetected { get; init; }

    /// <summary>Events a detector must not call a crash (hard braking, pothole, kerb, drop), with their times, for tests.</summary>
    [JsonPropertyName("bait_events")] public IReadOnlyList<SimulatedEvent> BaitEvents { get; init; } = [];

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);
}

public sealed record SimulatedEvent(
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("time_s")] double TimeS);
