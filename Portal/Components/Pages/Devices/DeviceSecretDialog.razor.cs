using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using MudBlazor;

namespace Portal.Components.Pages.Devices;

/// <summary>Shows a device's new secret once, with a copy button; nothing else in the portal ever shows it.</summary>
public sealed partial class DeviceSecretDialog
{
    private bool copied;

    [CascadingParameter] private IMudDialogInstance Dialog { get; set; } = default!;

    [Inject] private IJSRuntime Js { get; set; } = default!;

    [Parameter, EditorRequired] public string DeviceId { get; set; } = "";

    [Parameter, EditorRequired] public string DeviceName { get; set; } = "";

    [Parameter, EditorRequired] public string Secret { get; set; } = "";

    private async Task CopyAsync()
    {
        await Js.InvokeVoidAsync("navigator.clipboard.writeText", Secret);
        copied = true;
    }

    private void Close() => Dialog.Close();
}
