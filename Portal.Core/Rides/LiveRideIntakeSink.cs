using Portal.Core.Catalog;
using Portal.Core.Devices;

namespace Portal.Core.Rides;

/// <summary>
/// A finished live session enters the pipeline exactly like an upload: raw bucket, ride (source Live,
/// owned by the device's rider), analysis job. Submitting the same session again is harmless: the
/// intake recognises the rider's earlier upload of the same bytes and returns that ride.
/// </summary>
public sealed class LiveRideIntakeSink(RideIntake intake, Storage.StorageFullMonitor fullMonitor) : ILiveRideSink
{
    /// <exception cref="Storage.StorageFullException">The raw bucket has no room: the spool keeps the session and retries.</exception>
    public async Task<Guid> SubmitLiveRideAsync(string deviceId, Guid riderId, Stream canonicalCsv, string fileName, CancellationToken cancellationToken)
    {
        var upload = new RideUpload(riderId, riderId, RideSource.Live, fileName, DeviceId: deviceId);
        try
        {
            var result = await intake.IngestAsync(upload, canonicalCsv, cancellationToken);
            return result.Ride.Id;
        }
        catch (Storage.StorageFullException full)
        {
            await fullMonitor.ReportAsync(full, cancellationToken);
            throw;
        }
    }
}
