using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Options;
using Microsoft.JSInterop;
using Portal.Jobs.Live;

namespace Portal.Components.Pages.Devices;

/// <summary>The live ingest's counters in this process: the embedded broker's (when it runs here) and the subscriber's.</summary>
public sealed partial class BrokerPanel
{
    [Inject] private LiveIngestMetrics Metrics { get; set; } = default!;

    [Inject] private LiveIngestRole Role { get; set; } = default!;

    [Inject] private IOptions<MqttOptions> Options { get; set; } = default!;

    [Inject] private NavigationManager Navigation { get; set; } = default!;

    [Inject] private IJSRuntime Js { get; set; } = default!;

    private bool copied;

    private BrokerConnection Connection => BrokerConnection.From(Options.Value, new Uri(Navigation.BaseUri).Host);

    private async Task CopyExampleAsync()
    {
        try
        {
            await Js.InvokeVoidAsync("portalCopy", Connection.MosquittoPubExample());
            copied = true;
        }
        catch (JSException)
        {
            // The browser refused the clipboard: the example stays selectable on the page.
            copied = false;
        }
    }
}
