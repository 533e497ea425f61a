using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Portal.Core.Analytics.Metrics;

/// <summary>
/// The two stored forms of a ride's metrics: the JSON of the API and command line (ride-format.md
/// names, null for "not available") and the analytics CSV of <c>metric,value</c> rows that the
/// thesis keeps in object storage (an empty value for null).
/// </summary>
public static class RideMetricsSerializer
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
    private static readonly JsonSerializerOptions Compact = new();

    public static string ToJson(RideMetrics metrics, bool indented = true)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        return JsonSerializer.Serialize(metrics, indented ? Indented : Compact);
    }

    public static RideMetrics? FromJson(string json) => JsonSerializer.Deserialize<RideMetrics>(json);

    public static string ToCsv(RideMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        var csv = new StringBuilder("metric,value\n");
        Row(csv, "duration_s", metrics.DurationS);
        Row(csv, "samples", metrics.Samples);
        Row(csv, "sample_rate_hz", metrics.SampleRateHz);
        Row(csv, "distance_km", metrics.DistanceKm);
        Row(csv, "max_speed_kmh", metrics.MaxSpeedKmh);
        Row(csv, "avg_speed_kmh", metrics.AvgSpeedKmh);
        Row(csv, "moving_time_s", metrics.MovingTimeS);
        Row(csv, "max_accel_ms2", metrics.MaxAccelMs2);
        Row(csv, "max_decel_ms2", metrics.MaxDecelMs2);
        Row(csv, "max_lean_left_deg", metrics.MaxLeanLeftDeg);
        Row(csv, "max_lean_right_deg", metrics.MaxLeanRightDeg);
        Row(csv, "left_turns", metrics.LeftTurns);
        Row(csv, "right_turns", metrics.RightTurns);
        csv.Append("crash_detected,").Append(metrics.CrashDetected ? "true" : "false").Append('\n');
        Row(csv, "crash_time_s", metrics.CrashTimeS);
        Row(csv, "rows_skipped", metrics.RowsSkipped);
        return csv.ToString();
    }

    private static void Row(StringBuilder csv, string name, double? value) =>
        csv.Append(name).Append(',').Append(value?.ToString("R", CultureInfo.InvariantCulture)).Append('\n');

    private static void Row(StringBuilder csv, string name, long? value) =>
        csv.Append(name).Append(',').Append(value?.ToString(CultureInfo.InvariantCulture)).Append('\n');
}
