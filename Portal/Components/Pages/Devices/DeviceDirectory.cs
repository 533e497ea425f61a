using Portal.Core.Devices;
using Portal.Core.Rides;

namespace Portal.Components.Pages.Devices;

/// <summary>
/// The device pages' operations, each in its own DI scope (a circuit lives long, a DbContext must not), going
/// through the same <see cref="DeviceManagement"/> and <see cref="DeviceProfileCatalog"/> as /api/devices and
/// /api/device-profiles, so the pages and the API apply one set of rules.
/// </summary>
public sealed class DeviceDirectory(IServiceScopeFactory scopes)
{
    public Task<IReadOnlyList<DeviceView>> ListAsync(RideCaller caller) =>
        WithDevicesAsync(devices => devices.ListAsync(caller, CancellationToken.None));

    public Task<IReadOnlyList<DeviceRiderOption>> RidersAsync(RideCaller caller) =>
        WithDevicesAsync(devices => devices.RegistrableRidersAsync(caller, CancellationToken.None));

    public Task<DeviceOutcome<DeviceWithSecret>> RegisterAsync(RideCaller caller, DeviceRegistrationRequest request) =>
        WithDevicesAsync(devices => devices.RegisterAsync(caller, request, CancellationToken.None));

    public Task<DeviceOutcome<DeviceWithSecret>> RotateSecretAsync(RideCaller caller, string deviceId) =>
        WithDevicesAsync(devices => devices.RotateSecretAsync(caller, deviceId, CancellationToken.None));

    public Task<DeviceOutcome<Device>> DisableAsync(RideCaller caller, string deviceId) =>
        WithDevicesAsync(devices => devices.DisableAsync(caller, deviceId, CancellationToken.None));

    public Task<IReadOnlyList<string>> ProfileNamesAsync() =>
        WithProfilesAsync(profiles => profiles.NamesAsync(CancellationToken.None));

    public Task<IReadOnlyList<DeviceProfileView>> ProfilesAsync() =>
        WithProfilesAsync(profiles => profiles.ListAsync(CancellationToken.None));

    public Task<DeviceProfileResult> CreateProfileAsync(DeviceProfileDraft draft) =>
        WithProfilesAsync(profiles => profiles.CreateAsync(draft, CancellationToken.None));

    public Task<DeviceProfileResult> UpdateProfileAsync(string name, DeviceProfileDraft draft) =>
        WithProfilesAsync(profiles => profiles.UpdateAsync(name, draft, CancellationToken.None));

    public Task<DeviceProfileResult> DeleteProfileAsync(string name) =>
        WithProfilesAsync(profiles => profiles.DeleteAsync(name, CancellationToken.None));

    private async Task<T> WithDevicesAsync<T>(Func<DeviceManagement, Task<T>> work)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<DeviceManagement>());
    }

    private async Task<T> WithProfilesAsync<T>(Func<DeviceProfileCatalog, Task<T>> work)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<DeviceProfileCatalog>());
    }
}
