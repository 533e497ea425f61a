using Microsoft.EntityFrameworkCore;
using Portal.Core.Catalog;
using Portal.Core.Rides;

namespace Portal.Core.Devices;

/// <summary>Stable codes for refused device operations (ProblemDetails <c>code</c> in the API, messages on the pages).</summary>
public static class DeviceErrorCodes
{
    public const string NameRequired = "name_required";
    public const string RiderNotFound = "rider_not_found";
    public const string NotYourRider = "not_your_rider";
    public const string DeviceNotFound = "device_not_found";
    public const string NotYourDevice = "not_your_device";
    public const string UnknownProfile = "unknown_profile";
}

public enum DeviceRefusalKind { Invalid, Forbidden, NotFound }

public sealed record DeviceRefusal(DeviceRefusalKind Kind, string Code, string Message);

/// <summary>Either a value or why the caller was refused.</summary>
public sealed record DeviceOutcome<T>(T? Value, DeviceRefusal? Refusal) where T : class
{
    public static implicit operator DeviceOutcome<T>(T value) => new(value, null);

    public static implicit operator DeviceOutcome<T>(DeviceRefusal refusal) => new(null, refusal);
}

/// <summary>A device with the label of its rider, for lists.</summary>
public sealed record DeviceView(Device Device, string RiderLabel)
{
    /// <summary>Online: seen within <see cref="DeviceManagement.OnlineWindow"/> (activity is written every ~10 s).</summary>
    public bool IsOnline(DateTimeOffset now) =>
        !Device.Disabled && Device.LastSeenAt is { } seen && now - seen <= DeviceManagement.OnlineWindow;
}

/// <summary>A rider a device may be registered for.</summary>
public sealed record DeviceRiderOption(Guid UserId, string Label);

public sealed record DeviceRegistrationRequest(string? Name, Guid RiderId, string? Profile, string? Model);

/// <summary>
/// Who may see and manage which devices, in one place for /api/devices and the /admin/devices page:
/// admins every device; technicians the devices of their approved team's riders; riders (list only) their own.
/// </summary>
public sealed class DeviceManagement(CatalogDbContext catalog, DeviceRegistry registry)
{
    /// <summary>Seen this recently counts as online: a few of the registry's 10-second activity flushes.</summary>
    public static readonly TimeSpan OnlineWindow = TimeSpan.FromSeconds(60);

    public async Task<IReadOnlyList<DeviceView>> ListAsync(RideCaller caller, CancellationToken cancellationToken)
    {
        var list = await catalog.Set<Device>().AsNoTracking().VisibleTo(catalog, caller).OrderBy(d => d.Name).ThenBy(d => d.Id).ToListAsync(cancellationToken);
        var riderIds = list.Select(d => d.RiderId).Distinct().ToList();
        var riders = await catalog.Riders.AsNoTracking().Where(r => riderIds.Contains(r.UserId)).ToDictionaryAsync(r => r.UserId, cancellationToken);
        return [.. list.Select(d => new DeviceView(d, riders.TryGetValue(d.RiderId, out var rider) ? Label(rider) : d.RiderId.ToString()))];
    }

    /// <summary>Riders the caller may register devices for: all (admin), the approved team (technician), none otherwise.</summary>
    public async Task<IReadOnlyList<DeviceRiderOption>> RegistrableRidersAsync(RideCaller caller, CancellationToken cancellationToken)
    {
        var riders = caller.IsAdmin ? catalog.Riders.AsNoTracking() : catalog.ApprovedTeamOf(caller).AsNoTracking();
        var list = await riders.ToListAsync(cancellationToken);
        return [.. list.Select(r => new DeviceRiderOption(r.UserId, Label(r))).OrderBy(r => r.Label, StringComparer.OrdinalIgnoreCase)];
    }

    public async Task<DeviceOutcome<DeviceWithSecret>> RegisterAsync(RideCaller caller, DeviceRegistrationRequest request, CancellationToken cancellationToken)
    {
        var name = request.Name?.Trim() ?? "";
        if (name.Length is 0 or > 200)
        {
            return new DeviceRefusal(DeviceRefusalKind.Invalid, DeviceErrorCodes.NameRequired, "A device needs a name of 1 to 200 characters.");
        }

        var rider = await catalog.Riders.AsNoTracking().FirstOrDefaultAsync(r => r.UserId == request.RiderId, cancellationToken);
        if (!caller.IsAdmin && !IsTechnicianOf(caller, rider))
        {
            return new DeviceRefusal(DeviceRefusalKind.Forbidden, DeviceErrorCodes.NotYourRider,
                "Only an admin, or the technician of the rider's approved team, registers devices for a rider.");
        }

        if (rider is null)
        {
            return new DeviceRefusal(DeviceRefusalKind.Invalid, DeviceErrorCodes.RiderNotFound, $"There is no rider {request.RiderId}.");
        }

        var profile = DeviceProfileRules.CleanName(request.Profile);
        if (profile is not null && !await catalog.DeviceProfileExistsAsync(profile, cancellationToken))
        {
            return new DeviceRefusal(DeviceRefusalKind.Invalid, DeviceErrorCodes.UnknownProfile,
                $"There is no device profile '{profile}'. Pick one an admin defined, or none to let the portal guess the columns.");
        }

        return await registry.RegisterAsync(new DeviceRegistration(name, rider.UserId, request.Model, profile), cancellationToken);
    }

    /// <summary>A new secret (shown once); the old one stops working at once.</summary>
    public async Task<DeviceOutcome<DeviceWithSecret>> RotateSecretAsync(RideCaller caller, string deviceId, CancellationToken cancellationToken)
    {
        if (await AuthorizeManageAsync(caller, deviceId, cancellationToken) is { } refusal)
        {
            return refusal;
        }

        var rotated = await registry.RotateSecretAsync(deviceId, cancellationToken);
        return rotated is null ? NotFound(deviceId) : rotated;
    }

    public async Task<DeviceOutcome<Device>> DisableAsync(RideCaller caller, string deviceId, CancellationToken cancellationToken)
    {
        if (await AuthorizeManageAsync(caller, deviceId, cancellationToken) is { } refusal)
        {
            return refusal;
        }

        if (!await registry.DisableAsync(deviceId, cancellationToken))
        {
            return NotFound(deviceId);
        }

        return (await registry.FindAsync(deviceId, cancellationToken))!;
    }

    /// <summary>Null when the caller may manage the device; an unknown device is "not found" only to staff who manage devices.</summary>
    private async Task<DeviceRefusal?> AuthorizeManageAsync(RideCaller caller, string deviceId, CancellationToken cancellationToken)
    {
        var device = await catalog.Set<Device>().AsNoTracking().FirstOrDefaultAsync(d => d.Id == deviceId, cancellationToken);
        if (device is null)
        {
            return caller.IsAdmin || caller.IsTechnician ? NotFound(deviceId) : NotAllowed();
        }

        if (caller.IsAdmin)
        {
            return null;
        }

        var rider = await catalog.Riders.AsNoTracking().FirstOrDefaultAsync(r => r.UserId == device.RiderId, cancellationToken);
        return IsTechnicianOf(caller, rider) ? null : NotAllowed();
    }

    private static bool IsTechnicianOf(RideCaller caller, RiderProfile? rider) =>
        caller.IsTechnician && rider is { TeamMembershipApproved: true } && rider.TechnicianId == caller.UserId;

    private static string Label(RiderProfile rider) =>
        string.IsNullOrWhiteSpace(rider.DisplayName) ? rider.Email : $"{rider.DisplayName} ({rider.Email})";

    private static DeviceRefusal NotFound(string deviceId) =>
        new(DeviceRefusalKind.NotFound, DeviceErrorCodes.DeviceNotFound, $"There is no device {deviceId}.");

    private static DeviceRefusal NotAllowed() =>
        new(DeviceRefusalKind.Forbidden, DeviceErrorCodes.NotYourDevice,
            "Only an admin, or the technician of the device's rider's approved team, manages this device.");
}
