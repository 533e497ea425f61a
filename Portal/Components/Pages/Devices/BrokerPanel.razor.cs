using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Options;
using Portal.Jobs.Live;

namespace Portal.Components.Pages.Devices;

/// <summary>The live ingest's counters in this process: the embedded broker's (when it runs here) and the subscriber's.</summary>
public sealed partial class BrokerPanel
{
    [Inject] private LiveIngestMetrics Metrics { get; set; } = default!;

    [Inject] private LiveIngestRole Role { get; set; } = default!;

    [Inject] private IOptions<MqttOptions> Options { get; set; } = default!;
}
