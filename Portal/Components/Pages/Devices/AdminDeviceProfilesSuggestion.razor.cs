using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Components;
using Portal.Core.Analytics.Reading;
using Portal.Core.Devices;

namespace Portal.Components.Pages.Devices;

/// <summary>
/// Shows what the portal makes of a sample file: format, time and units with how each was decided, the column
/// mapping with the first values, the metrics preview and whatever quality keys the analysis reports.
/// </summary>
public sealed partial class AdminDeviceProfilesSuggestion
{
    [Parameter, EditorRequired] public DeviceProfileSuggestion Suggestion { get; set; } = default!;

    [Parameter] public string SampleName { get; set; } = "sample";

    [Parameter] public string Title { get; set; } = "Suggested profile";

    /// <summary>When set, a button hands the suggested draft to the editor.</summary>
    [Parameter] public EventCallback<DeviceProfileDraft> Use { get; set; }

    private static string TimeText(RideReadFacts facts) => facts.TimeFormat switch
    {
        "iso8601" => "ISO 8601 text with offset (absolute)",
        "local_text" => "wall-clock text without offset (read as UTC)",
        _ => $"numbers in {facts.TimeUnit}, {(facts.TimeBase == "epoch" ? "since 1970 (absolute)" : "since boot or start (relative)")}, from {facts.TimeSource}",
    };

    /// <summary>The metrics by their contract names (ride-format.md), "—" for a metric that is not available.</summary>
    private static IEnumerable<(string Key, string Value)> MetricEntries(Portal.Core.Analytics.RideMetrics metrics)
    {
        var json = JsonSerializer.SerializeToElement(metrics);
        foreach (var property in json.EnumerateObject())
        {
            yield return (property.Name, property.Value.ValueKind switch
            {
                JsonValueKind.Null => "—",
                JsonValueKind.Number => property.Value.GetDouble().ToString("0.###", CultureInfo.InvariantCulture),
                _ => property.Value.ToString(),
            });
        }
    }
}
