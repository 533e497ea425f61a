using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Portal.Core.Catalog;
using Portal.Core.Rides;
using Portal.Core.Storage;

namespace Portal.Jobs.Pipeline;

/// <summary>
/// Deletes raw ride files past their deadline (private riders only; never professional riders' or crash
/// rides'), marks them deleted and logs each. Metrics and analytics stay. Safe to run any number of times.
/// </summary>
public sealed class RetentionJob(CatalogDbContext db, IObjectStorage storage, TimeProvider time, ILogger<RetentionJob> logger)
{
    private const int BatchSize = 200;

    [Queue(PipelineQueues.Maintenance)]
    [AutomaticRetry(Attempts = 3)]
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var deleted = 0;
        Guid? after = null;
        while (true)
        {
            var query = ExpiredRides(now);
            if (after is { } last)
            {
                query = query.Where(r => r.Id.CompareTo(last) > 0);
            }

            var batch = await query.OrderBy(r => r.Id).Take(BatchSize).ToListAsync(cancellationToken);
            if (batch.Count == 0)
            {
                break;
            }

            foreach (var ride in batch)
            {
                var existed = await storage.DeleteAsync(BucketKind.Raw, ride.RawKey, cancellationToken);
                ride.RawDeletedAt = now;
                logger.LogInformation("Retention: deleted raw file {RawKey} of ride {RideId} (deadline {Deadline:u}{Missing})",
                    ride.RawKey, ride.Id, ride.RawRetainUntil, existed ? "" : ", object was already gone");
                deleted++;
            }

            await db.SaveChangesAsync(cancellationToken);
            after = batch[^1].Id;
        }

        logger.LogInformation("Retention: {Count} raw files deleted", deleted);
        return deleted;
    }

    private IQueryable<Ride> ExpiredRides(DateTimeOffset now) =>
        db.Rides.Where(r => r.RawDeletedAt == null
            && r.RawRetainUntil != null
            && r.RawRetainUntil < now
            && !r.CrashDetected
            // A ride still waiting for its analysis keeps its file until the analysis has read it.
            && r.Status != RideStatus.Queued && r.Status != RideStatus.Processing
            && !db.Riders.Any(p => p.UserId == r.OwnerId && p.Category == RiderCategory.Professional)
            && !db.Set<CrashRecord>().Any(c => c.RideId == r.Id));
}

/// <summary>Deletes upload sessions idle past Uploads:AbandonAfterHours, with their parts.</summary>
public sealed class UploadSessionCleanupJob(UploadSessions sessions)
{
    [Queue(PipelineQueues.Maintenance)]
    [AutomaticRetry(Attempts = 3)]
    public Task<int> RunAsync(CancellationToken cancellationToken) => sessions.CleanUpAbandonedAsync(cancellationToken);
}
