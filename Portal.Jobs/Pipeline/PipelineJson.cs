using System.Globalization;
using System.Text;
using System.Text.Json;
using Portal.Core.Analytics;

namespace Portal.Jobs.Pipeline;

/// <summary>How the pipeline writes its outputs: metrics keep ride-format.md's names, null stays null.</summary>
public static class PipelineJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static byte[] MetricsJson(RideMetrics metrics) => JsonSerializer.SerializeToUtf8Bytes(metrics, Options);

    /// <summary>The thesis's small analytics CSV: one <c>metric,value</c> row per metric, empty when not available.</summary>
    public static byte[] MetricsCsv(RideMetrics metrics)
    {
        using var document = JsonDocument.Parse(MetricsJson(metrics));
        var csv = new StringBuilder("metric,value\n");
        foreach (var property in document.RootElement.EnumerateObject())
        {
            if (property.Value.ValueKind == JsonValueKind.Object || property.NameEquals("quality"))
            {
                continue; // the quality report is no metric: it stays in the JSON
            }

            var value = property.Value.ValueKind switch
            {
                JsonValueKind.Null => "",
                JsonValueKind.True => "true",
                JsonValueKind.False => "false",
                JsonValueKind.Number => property.Value.GetDouble().ToString("R", CultureInfo.InvariantCulture),
                _ => property.Value.GetRawText(),
            };
            csv.Append(property.Name).Append(',').Append(value).Append('\n');
        }

        return Encoding.UTF8.GetBytes(csv.ToString());
    }
}
