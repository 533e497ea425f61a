using System.Text.Json;
using Portal.Core.Analytics;
using Portal.Core.Analytics.Metrics;

namespace Portal.Tests.Analytics.Metrics;

[Trait("Category", "Analytics")]
public sealed class RideMetricsSerializerTests
{
    private static readonly string[] MetricNames =
    [
        "duration_s", "samples", "sample_rate_hz", "distance_km", "max_speed_kmh", "avg_speed_kmh", "moving_time_s",
        "max_accel_ms2", "max_decel_ms2", "max_lean_left_deg", "max_lean_right_deg", "left_turns", "right_turns",
        "crash_detected", "crash_time_s", "rows_skipped",
    ];

    /// <summary>Beside the metrics, the quality report of ride-format.md §4 (null for a ride analysed before it existed).</summary>
    private const string QualityKey = "quality";

    private static readonly RideMetrics WithoutSpeed = new()
    {
        DurationS = 12.5,
        Samples = 1251,
        SampleRateHz = 100,
        MaxAccelMs2 = 2.5,
        MaxDecelMs2 = 4,
        MaxLeanLeftDeg = 14.2,
        MaxLeanRightDeg = 11.38,
        LeftTurns = 2,
        RightTurns = 1,
        RowsSkipped = 3,
    };

    [Fact]
    public void Json_UsesExactlyTheRideFormatNames_WithNullForMissingMetrics()
    {
        using var json = JsonDocument.Parse(RideMetricsSerializer.ToJson(WithoutSpeed));

        Assert.Equal(MetricNames.Append(QualityKey).Order(StringComparer.Ordinal), json.RootElement.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("distance_km").ValueKind);
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("max_speed_kmh").ValueKind);
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("crash_time_s").ValueKind);
        Assert.Equal(14.2, json.RootElement.GetProperty("max_lean_left_deg").GetDouble());
        Assert.False(json.RootElement.GetProperty("crash_detected").GetBoolean());
        Assert.Equal(3, json.RootElement.GetProperty("rows_skipped").GetInt64());
    }

    [Fact]
    public void Json_RoundTrips()
    {
        Assert.Equal(WithoutSpeed, RideMetricsSerializer.FromJson(RideMetricsSerializer.ToJson(WithoutSpeed, indented: false)));
    }

    [Fact]
    public void Csv_HasOneMetricValueRowPerMetric_WithAnEmptyValueForNull()
    {
        var lines = RideMetricsSerializer.ToCsv(WithoutSpeed with { CrashDetected = true, CrashTimeS = 101.25 }).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal("metric,value", lines[0]);
        Assert.Equal(MetricNames, lines.Skip(1).Select(l => l.Split(',')[0]));
        Assert.Contains("distance_km,", lines);
        Assert.Contains("max_lean_right_deg,11.38", lines);
        Assert.Contains("crash_detected,true", lines);
        Assert.Contains("crash_time_s,101.25", lines);
        Assert.Contains("samples,1251", lines);
        Assert.All(lines, l => Assert.Equal(2, l.Split(',').Length));
    }
}
