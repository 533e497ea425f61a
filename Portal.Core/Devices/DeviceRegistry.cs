using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Catalog;

namespace Portal.Core.Devices;

public sealed record DeviceRegistration(string Name, Guid RiderId, string? Model = null, string? ProfileName = null);

/// <summary>A device and its secret, which exists in clear only in this value: it is never stored.</summary>
public sealed record DeviceWithSecret(Device Device, string Secret);

public enum DeviceAuthenticationOutcome
{
    Accepted,
    UnknownDevice,
    WrongSecret,
    Disabled,
}

public sealed record DeviceAuthenticationResult(DeviceAuthenticationOutcome Outcome, Device? Device)
{
    public bool Succeeded => Outcome == DeviceAuthenticationOutcome.Accepted;
}

/// <summary>Registers devices, rotates and checks their secrets; scoped, uses the catalog directly.</summary>
public sealed class DeviceRegistry(CatalogDbContext catalog, TimeProvider timeProvider, IEnumerable<IDeviceRevocationListener> revocationListeners)
{
    public DeviceRegistry(CatalogDbContext catalog, TimeProvider timeProvider)
        : this(catalog, timeProvider, [])
    {
    }

    private const string IdAlphabet = "abcdefghijkmnpqrstuvwxyz23456789";

    /// <summary>A hash of a random secret, verified when the device is unknown so that both answers take as long.</summary>
    private static readonly string UnknownDeviceHash = DeviceSecretHasher.Hash(DeviceSecretHasher.NewSecret());

    private DbSet<Device> Devices => catalog.Set<Device>();

    /// <exception cref="ArgumentException">The name is empty or longer than 200 characters.</exception>
    public async Task<DeviceWithSecret> RegisterAsync(DeviceRegistration registration, CancellationToken cancellationToken)
    {
        var name = registration.Name.Trim();
        if (name.Length is 0 or > 200)
        {
            throw new ArgumentException("A device name is 1 to 200 characters.", nameof(registration));
        }

        var secret = DeviceSecretHasher.NewSecret();
        var device = new Device
        {
            Id = NewDeviceId(),
            Name = name,
            Model = string.IsNullOrWhiteSpace(registration.Model) ? null : registration.Model.Trim(),
            RiderId = registration.RiderId,
            ProfileName = string.IsNullOrWhiteSpace(registration.ProfileName) ? null : registration.ProfileName.Trim(),
            SecretHash = DeviceSecretHasher.Hash(secret),
            CreatedAt = timeProvider.GetUtcNow(),
        };
        Devices.Add(device);
        await catalog.SaveChangesAsync(cancellationToken);
        return new DeviceWithSecret(device, secret);
    }

    public Task<Device?> FindAsync(string deviceId, CancellationToken cancellationToken) =>
        Devices.AsNoTracking().FirstOrDefaultAsync(d => d.Id == deviceId, cancellationToken);

    /// <summary>Replaces the secret; the old one stops working at once. Null when the device does not exist.</summary>
    public async Task<DeviceWithSecret?> RotateSecretAsync(string deviceId, CancellationToken cancellationToken)
    {
        var device = await Devices.FirstOrDefaultAsync(d => d.Id == deviceId, cancellationToken);
        if (device is null)
        {
            return null;
        }

        var secret = DeviceSecretHasher.NewSecret();
        device.SecretHash = DeviceSecretHasher.Hash(secret);
        await catalog.SaveChangesAsync(cancellationToken);
        await NotifyRevokedAsync(deviceId, cancellationToken);
        return new DeviceWithSecret(device, secret);
    }

    /// <summary>False when the device does not exist. A disabled device can no longer connect or submit rides.</summary>
    public async Task<bool> DisableAsync(string deviceId, CancellationToken cancellationToken)
    {
        var device = await Devices.FirstOrDefaultAsync(d => d.Id == deviceId, cancellationToken);
        if (device is null)
        {
            return false;
        }

        device.Disabled = true;
        await catalog.SaveChangesAsync(cancellationToken);
        await NotifyRevokedAsync(deviceId, cancellationToken);
        return true;
    }

    private async Task NotifyRevokedAsync(string deviceId, CancellationToken cancellationToken)
    {
        foreach (var listener in revocationListeners)
        {
            await listener.DeviceRevokedAsync(deviceId, cancellationToken);
        }
    }

    public async Task<DeviceAuthenticationResult> AuthenticateAsync(string deviceId, string secret, CancellationToken cancellationToken)
    {
        var device = await FindAsync(deviceId, cancellationToken);
        if (device is null)
        {
            DeviceSecretHasher.Verify(secret, UnknownDeviceHash);
            return new DeviceAuthenticationResult(DeviceAuthenticationOutcome.UnknownDevice, null);
        }

        if (!DeviceSecretHasher.Verify(secret, device.SecretHash))
        {
            return new DeviceAuthenticationResult(DeviceAuthenticationOutcome.WrongSecret, null);
        }

        return device.Disabled
            ? new DeviceAuthenticationResult(DeviceAuthenticationOutcome.Disabled, null)
            : new DeviceAuthenticationResult(DeviceAuthenticationOutcome.Accepted, device);
    }

    /// <summary>Writes what the tracker collected: one update per active device, not one per message.</summary>
    public async Task FlushActivityAsync(DeviceActivityTracker tracker, CancellationToken cancellationToken)
    {
        foreach (var activity in tracker.TakePending())
        {
            await Devices.Where(d => d.Id == activity.DeviceId).ExecuteUpdateAsync(
                update => update
                    .SetProperty(d => d.LastSeenAt, activity.LastSeenAt)
                    .SetProperty(d => d.MessagesAccepted, d => d.MessagesAccepted + activity.Accepted)
                    .SetProperty(d => d.MessagesRejected, d => d.MessagesRejected + activity.Rejected),
                cancellationToken);
        }
    }

    private static string NewDeviceId() => "dev-" + RandomNumberGenerator.GetString(IdAlphabet, 8);
}
