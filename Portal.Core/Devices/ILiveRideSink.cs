namespace Portal.Core.Devices;

/// <summary>
/// Where a finished live session goes: the ride pipeline stores the canonical CSV in the raw bucket,
/// creates the ride (source Live, owned by the device's rider) and enqueues the same analysis as an upload.
/// Must be idempotent per (device, file name): a session is submitted again when the subscriber
/// crashed after the sink succeeded but before the spool was deleted.
/// </summary>
public interface ILiveRideSink
{
    /// <returns>The ride's id.</returns>
    Task<Guid> SubmitLiveRideAsync(string deviceId, Guid riderId, Stream canonicalCsv, string fileName, CancellationToken cancellationToken);
}
