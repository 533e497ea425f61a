using Portal.Core.Analytics;

namespace Portal.Components.Pages.Rides;

/// <summary>One metric of ride-format.md as the pages show it: label, unit and how to read it from the metrics.</summary>
public sealed record RideMetricRow(string Key, string Label, string Unit, Func<RideMetrics, double?> Read, int? Decimals = null);

/// <summary>Every ride-format.md metric in the order the ride detail and the comparison show them.</summary>
public static class RideMetricRows
{
    public static readonly IReadOnlyList<RideMetricRow> All =
    [
        new("distance_km", "Distance", "km", m => m.DistanceKm),
        new("duration_s", "Duration", "min", m => m.DurationS / 60.0),
        new("moving_time_s", "Moving time", "min", m => m.MovingTimeS / 60.0),
        new("max_speed_kmh", "Max speed", "km/h", m => m.MaxSpeedKmh),
        new("avg_speed_kmh", "Average moving speed", "km/h", m => m.AvgSpeedKmh),
        new("max_accel_ms2", "Max acceleration", "m/s²", m => m.MaxAccelMs2),
        new("max_decel_ms2", "Max braking", "m/s²", m => m.MaxDecelMs2),
        new("max_lean_left_deg", "Max lean left", "°", m => m.MaxLeanLeftDeg),
        new("max_lean_right_deg", "Max lean right", "°", m => m.MaxLeanRightDeg),
        new("left_turns", "Left turns", "", m => m.LeftTurns, 0),
        new("right_turns", "Right turns", "", m => m.RightTurns, 0),
        new("crash_time_s", "Crash at", "s", m => m.CrashTimeS),
        new("samples", "Samples", "", m => m.Samples, 0),
        new("sample_rate_hz", "Sample rate", "Hz", m => m.SampleRateHz),
        new("rows_skipped", "Rows skipped", "", m => m.RowsSkipped, 0),
    ];
}
