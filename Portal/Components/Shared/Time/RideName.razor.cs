using Microsoft.AspNetCore.Components;
using Portal.Core.Rides;

namespace Portal.Components.Shared.Time;

/// <summary>A ride's title: the rider's own, else place and part of the day (in the viewer's time zone), else date and time.</summary>
public sealed partial class RideName
{
    [Parameter] public string? Title { get; set; }

    [Parameter] public string? PlaceName { get; set; }

    [Parameter] public DateTimeOffset StartedAt { get; set; }

    [Inject] private BrowserTimeZone Browser { get; set; } = default!;

    private string Text => RideTitles.Display(Title, PlaceName, StartedAt, Browser.Zone);

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (firstRender && !Browser.Known)
        {
            await Browser.ResolveAsync();
            StateHasChanged();
        }
    }
}
