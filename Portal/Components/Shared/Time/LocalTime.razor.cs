using System.Globalization;
using Microsoft.AspNetCore.Components;

namespace Portal.Components.Shared.Time;

/// <summary>A moment in the viewer's time zone (the browser's), UTC until the browser has told it.</summary>
public sealed partial class LocalTime
{
    private static readonly CultureInfo Display = CultureInfo.GetCultureInfo("en-GB");

    [Parameter, EditorRequired] public DateTimeOffset Value { get; set; }

    [Parameter] public string Format { get; set; } = "ddd d MMM yyyy, HH:mm";

    /// <summary>The time is the upload's, not the ride's own clock: shown with a "≈" and a tooltip saying so.</summary>
    [Parameter] public bool Approximate { get; set; }

    [Parameter] public string? TestId { get; set; }

    [Inject] private BrowserTimeZone Browser { get; set; } = default!;

    private string Text
    {
        get
        {
            var local = TimeZoneInfo.ConvertTime(Value, Browser.Zone);
            var text = local.ToString(Format, Display);
            if (!Browser.Known || Browser.Zone == TimeZoneInfo.Utc)
            {
                text += " UTC";
            }

            return Approximate ? "≈ " + text : text;
        }
    }

    private string? Tooltip => Approximate ? "The file has no clock: this is when it was uploaded." : null;

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (firstRender && !Browser.Known)
        {
            await Browser.ResolveAsync();
            StateHasChanged();
        }
    }
}
