using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;
using Portal.Api;
using Portal.Core.Devices;
using Portal.Core.Rides;

namespace Portal.Components.Pages.Devices;

/// <summary>
/// /admin/devices: admins see every device, technicians their approved team's riders' devices (the rules of
/// /api/devices, through <see cref="DeviceManagement"/>). Registering or rotating shows the secret once, in a dialog;
/// the page itself never keeps it.
/// </summary>
public sealed partial class AdminDevices
{
    private DeviceDirectory directory = default!;
    private RideCaller? caller;
    private bool isAdmin;
    private IReadOnlyList<DeviceView>? devices;
    private IReadOnlyList<DeviceRiderOption> riders = [];
    private IReadOnlyList<string> profiles = [];
    private DateTimeOffset now;
    private string? message;
    private bool failed;

    [CascadingParameter] private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    [Inject] private IServiceScopeFactory Scopes { get; set; } = default!;

    [Inject] private IDialogService Dialogs { get; set; } = default!;

    [Inject] private TimeProvider Time { get; set; } = default!;

    protected override async Task OnInitializedAsync()
    {
        directory = new DeviceDirectory(Scopes);
        caller = (await AuthenticationState).User.ToRideCaller();
        isAdmin = caller?.IsAdmin == true;
        await LoadAsync();
    }

    private async Task LoadAsync()
    {
        now = Time.GetUtcNow();
        if (caller is null)
        {
            devices = [];
            return;
        }

        devices = await directory.ListAsync(caller);
        riders = await directory.RidersAsync(caller);
        profiles = await directory.ProfileNamesAsync();
    }

    private async Task<bool> RegisterAsync(DeviceRegistrationRequest request)
    {
        if (caller is null)
        {
            return false;
        }

        var outcome = await directory.RegisterAsync(caller, request);
        if (outcome.Value is not { } registered)
        {
            (failed, message) = (true, outcome.Refusal!.Message);
            StateHasChanged(); // Called by the form through a plain delegate, not an event callback.
            return false;
        }

        (failed, message) = (false, $"Device {registered.Device.Name} ({registered.Device.Id}) registered.");
        await LoadAsync();
        StateHasChanged();
        await ShowSecretAsync("Device registered", registered);
        return true;
    }

    private async Task RotateAsync(DeviceView device)
    {
        if (caller is null)
        {
            return;
        }

        var outcome = await directory.RotateSecretAsync(caller, device.Device.Id);
        if (outcome.Value is not { } rotated)
        {
            (failed, message) = (true, outcome.Refusal!.Message);
            return;
        }

        (failed, message) = (false, $"The secret of {rotated.Device.Name} was replaced; the old one no longer works.");
        await ShowSecretAsync("New device secret", rotated);
    }

    private async Task DisableAsync(DeviceView device)
    {
        if (caller is null)
        {
            return;
        }

        var outcome = await directory.DisableAsync(caller, device.Device.Id);
        (failed, message) = outcome.Value is null
            ? (true, outcome.Refusal!.Message)
            : (false, $"{device.Device.Name} is disabled and can no longer connect.");
        await LoadAsync();
    }

    /// <summary>The secret goes only into the dialog's parameters: once it is closed, nothing on the page holds it.</summary>
    private async Task ShowSecretAsync(string title, DeviceWithSecret created)
    {
        var parameters = new DialogParameters<DeviceSecretDialog>
        {
            { d => d.DeviceId, created.Device.Id },
            { d => d.DeviceName, created.Device.Name },
            { d => d.Secret, created.Secret },
        };
        var options = new DialogOptions { BackdropClick = false, CloseOnEscapeKey = false, MaxWidth = MaxWidth.Small, FullWidth = true };
        await Dialogs.ShowAsync<DeviceSecretDialog>(title, parameters, options);
    }
}
