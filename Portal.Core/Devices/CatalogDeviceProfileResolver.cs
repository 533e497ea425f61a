using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Portal.Core.Analytics;
using Portal.Core.Catalog;
using Portal.Core.Rides;

namespace Portal.Core.Devices;

/// <summary>
/// The profile a ride is analysed with: the one named on the upload, else the one its device is bound to,
/// else none (the analyzer guesses). A name that no longer resolves (the profile was deleted after the
/// upload) falls through to the next rule rather than failing the ride.
/// </summary>
public sealed class CatalogDeviceProfileResolver(CatalogDbContext catalog, ILogger<CatalogDeviceProfileResolver> logger) : IDeviceProfileResolver
{
    public async Task<DeviceProfile?> FindAsync(string? profileName, string? deviceId, CancellationToken cancellationToken)
    {
        if (DeviceProfileRules.CleanName(profileName) is { } named)
        {
            if (await LoadAsync(named, cancellationToken) is { } profile)
            {
                return profile;
            }

            logger.LogWarning("Device profile {Profile} named by the ride no longer exists; using the device's profile or guessing", named);
        }

        if (string.IsNullOrWhiteSpace(deviceId))
        {
            return null;
        }

        var bound = await catalog.Set<Device>().AsNoTracking()
            .Where(d => d.Id == deviceId)
            .Select(d => d.ProfileName)
            .FirstOrDefaultAsync(cancellationToken);
        if (DeviceProfileRules.CleanName(bound) is not { } boundName)
        {
            return null;
        }

        var boundProfile = await LoadAsync(boundName, cancellationToken);
        if (boundProfile is null)
        {
            logger.LogWarning("Device {DeviceId} is bound to the missing profile {Profile}; guessing the layout", deviceId, boundName);
        }

        return boundProfile;
    }

    private async Task<DeviceProfile?> LoadAsync(string name, CancellationToken cancellationToken)
    {
        var stored = await catalog.Set<StoredDeviceProfile>().AsNoTracking().FirstOrDefaultAsync(p => p.Name == name, cancellationToken);
        return stored is null ? null : DeviceProfileJson.Deserialize(stored);
    }
}
