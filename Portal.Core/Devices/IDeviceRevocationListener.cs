namespace Portal.Core.Devices;

/// <summary>
/// Told by <see cref="DeviceRegistry"/> after a device's secret was replaced or the device was disabled, so live
/// connections made with the old credentials end (the embedded broker disconnects the device's session).
/// Implementations must not throw: the revocation itself is already stored.
/// </summary>
public interface IDeviceRevocationListener
{
    Task DeviceRevokedAsync(string deviceId, CancellationToken cancellationToken);
}
