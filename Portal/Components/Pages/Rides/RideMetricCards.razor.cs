using Microsoft.AspNetCore.Components;
using Portal.Core.Analytics;

namespace Portal.Components.Pages.Rides;

/// <summary>One card per ride-format.md metric; a metric that is not available shows "—".</summary>
public sealed partial class RideMetricCards
{
    [Parameter, EditorRequired] public RideMetrics Metrics { get; set; } = default!;
}
