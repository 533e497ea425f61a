using System.Globalization;
using System.Text.Json;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Portal.Core.Analytics;
using Portal.Core.Catalog;
using Portal.Core.Rides;
using Portal.Core.Storage;

namespace Portal.Jobs.Pipeline;

/// <summary>
/// Puts a crash ride into R&amp;D's crash folder: copies the raw file beside the crash window the
/// analysis wrote, records the crash (one record per ride, whatever the number of runs), keeps the
/// raw file for good and tells R&amp;D.
/// </summary>
public sealed class HandleCrashJob(
    CatalogDbContext db,
    IObjectStorage storage,
    INotificationSink notifications,
    TimeProvider time,
    ILogger<HandleCrashJob> logger)
{
    [Queue(PipelineQueues.Crash)]
    [AutomaticRetry(Attempts = 5, DelaysInSeconds = [10, 30, 120, 600, 1800], OnAttemptsExceeded = AttemptsExceededAction.Fail)]
    public async Task RunAsync(Guid rideId, CancellationToken cancellationToken)
    {
        var ride = await db.Rides.FirstOrDefaultAsync(r => r.Id == rideId, cancellationToken);
        if (ride is null || !ride.CrashDetected)
        {
            logger.LogInformation("Ride {RideId} is gone or no longer a crash; nothing to file", rideId);
            return;
        }

        CrashFinding finding;
        await using (var findingStream = await storage.OpenReadAsync(BucketKind.Crash, PipelineKeys.CrashFinding(rideId), cancellationToken))
        {
            finding = await JsonSerializer.DeserializeAsync<CrashFinding>(findingStream, PipelineJson.Options, cancellationToken)
                ?? throw new InvalidOperationException($"The crash finding of ride {rideId} is empty.");
        }

        var rawCopyKey = PipelineKeys.CrashRaw(rideId, ride.RawKey);
        if (await storage.GetInfoAsync(BucketKind.Crash, rawCopyKey, cancellationToken) is null)
        {
            await storage.CopyAsync(BucketKind.Raw, ride.RawKey, BucketKind.Crash, rawCopyKey, cancellationToken);
        }

        var record = await db.Set<CrashRecord>().FirstOrDefaultAsync(c => c.RideId == rideId, cancellationToken);
        if (record is null)
        {
            record = new CrashRecord { Id = Guid.CreateVersion7(time.GetUtcNow()), RideId = rideId, Label = CrashLabel.None };
            db.Set<CrashRecord>().Add(record);
        }

        // Facts from the (latest) analysis; R&D's label and notes are left as they are.
        record.RiderId = ride.OwnerId;
        record.DetectedAt = ride.AnalyzedAt ?? time.GetUtcNow();
        record.CrashTimeS = ride.CrashTimeS ?? finding.TimeS;
        record.Kind = finding.Kind;
        record.PeakG = finding.PeakG;
        record.PeakRateDps = finding.PeakRateDps;
        record.SpeedBeforeKmh = finding.SpeedBeforeKmh;
        record.Latitude = finding.Latitude;
        record.Longitude = finding.Longitude;
        record.Explanation = finding.Explanation;
        record.RawCopyKey = rawCopyKey;
        record.WindowKey = PipelineKeys.CrashWindow(rideId);
        ride.RawRetainUntil = null;
        await db.SaveChangesAsync(cancellationToken);

        var rider = await db.Riders.AsNoTracking().FirstOrDefaultAsync(p => p.UserId == ride.OwnerId, cancellationToken);
        var who = rider is null ? ride.OwnerId.ToString() : rider.DisplayName is { Length: > 0 } name ? name : rider.Email;
        var body = string.Create(CultureInfo.InvariantCulture,
            $"{who} — {ride.FileName}: {finding.Kind} at {record.CrashTimeS:0.0} s, {finding.SpeedBeforeKmh:0} km/h before, peak {finding.PeakG:0.0} g.");
        await notifications.NotifyRoleAsync(PortalRoleNames.RnD,
            new NotificationMessage(NotificationKind.CrashDetected, "Crash detected", body, rideId), cancellationToken);
        logger.LogWarning("Crash filed for ride {RideId}: {Kind}, peak {PeakG} g", rideId, finding.Kind, finding.PeakG);
    }
}
