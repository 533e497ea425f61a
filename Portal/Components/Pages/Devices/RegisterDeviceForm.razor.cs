using Microsoft.AspNetCore.Components;
using Portal.Core.Devices;

namespace Portal.Components.Pages.Devices;

/// <summary>Name, model, rider and profile of a new device; the page registers it (and shows the secret).</summary>
public sealed partial class RegisterDeviceForm
{
    private string? name;
    private string? model;
    private Guid? riderId;
    private string? profile;
    private string? problem;
    private bool busy;

    [Parameter, EditorRequired] public IReadOnlyList<DeviceRiderOption> Riders { get; set; } = [];

    [Parameter, EditorRequired] public IReadOnlyList<string> Profiles { get; set; } = [];

    /// <summary>Registers the device; true when it was registered (the form then clears).</summary>
    [Parameter, EditorRequired] public Func<DeviceRegistrationRequest, Task<bool>> Register { get; set; } = default!;

    private async Task SubmitAsync()
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            problem = "Give the device a name.";
            return;
        }

        if (riderId is not { } rider)
        {
            problem = "Pick the rider who owns the device's rides.";
            return;
        }

        problem = null;
        busy = true;
        try
        {
            if (await Register(new DeviceRegistrationRequest(name, rider, profile, model)))
            {
                (name, model, riderId, profile) = (null, null, null, null);
            }
        }
        finally
        {
            busy = false;
        }
    }
}
