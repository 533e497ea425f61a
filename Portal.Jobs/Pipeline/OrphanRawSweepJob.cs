using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Core.Catalog;
using Portal.Core.Rides;
using Portal.Core.Storage;

namespace Portal.Jobs.Pipeline;

/// <summary>What one sweep of the raw bucket saw and did.</summary>
/// <param name="Examined">Objects listed.</param>
/// <param name="Deleted">Orphans this run deleted (an orphan a concurrent run deleted first is not counted).</param>
/// <param name="TooYoung">Objects within the grace period: possibly an upload still in progress.</param>
/// <param name="Referenced">Objects of a catalog ride or of an open upload session.</param>
/// <param name="Unrecognised">Keys the pipeline never builds: left alone.</param>
public sealed record OrphanSweepResult(int Examined, int Deleted, int TooYoung, int Referenced, int Unrecognised);

/// <summary>
/// Deletes raw objects nothing refers to: a ride file whose catalog row was never written (the process died
/// between storing the bytes and writing the row) and parts of upload sessions that are no longer open (the
/// process died between closing the session and deleting its parts). Only objects older than
/// Uploads:OrphanGraceMinutes by the storage's own date are considered, so an upload in progress is never
/// touched. Streams the listing and asks the catalog per batch; safe to run any number of times, also at once.
/// </summary>
public sealed class OrphanRawSweepJob(
    CatalogDbContext db,
    IObjectStorage storage,
    IOptions<UploadOptions> options,
    TimeProvider time,
    ILogger<OrphanRawSweepJob> logger)
{
    public const int DefaultBatchSize = 500;

    [Queue(PipelineQueues.Maintenance)]
    [AutomaticRetry(Attempts = 3)]
    public async Task<int> RunAsync(CancellationToken cancellationToken) =>
        (await SweepAsync(DefaultBatchSize, cancellationToken)).Deleted;

    public async Task<OrphanSweepResult> SweepAsync(int batchSize, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var grace = TimeSpan.FromMinutes(options.Value.OrphanGraceMinutes);
        var cutoff = time.GetUtcNow() - grace;
        var counts = new Counts();
        var batch = new List<Candidate>(batchSize);
        await foreach (var stored in storage.ListAsync(BucketKind.Raw, "", cancellationToken))
        {
            counts.Examined++;
            if (stored.LastModified > cutoff)
            {
                counts.TooYoung++;
                continue;
            }

            if (PipelineKeys.TryParseRawRide(stored.Key, out var rideId))
            {
                batch.Add(new Candidate(stored, RideId: rideId, SessionId: null));
            }
            else if (PipelineKeys.TryParseUploadPart(stored.Key, out var sessionId))
            {
                batch.Add(new Candidate(stored, RideId: null, SessionId: sessionId));
            }
            else
            {
                // Not the pipeline's layout: someone else's object, or a newer layout this build does not know.
                counts.Unrecognised++;
                logger.LogWarning("Orphan sweep: raw object {Key} has no ride or upload key layout; left alone", stored.Key);
                continue;
            }

            if (batch.Count == batchSize)
            {
                await DeleteUnreferencedAsync(batch, counts, cancellationToken);
                batch.Clear();
            }
        }

        await DeleteUnreferencedAsync(batch, counts, cancellationToken);
        logger.LogInformation(
            "Orphan sweep: {Deleted} orphan raw objects deleted; {Examined} examined, {Referenced} referenced, {TooYoung} younger than {Grace}, {Unrecognised} unrecognised",
            counts.Deleted, counts.Examined, counts.Referenced, counts.TooYoung, grace, counts.Unrecognised);
        return new OrphanSweepResult(counts.Examined, counts.Deleted, counts.TooYoung, counts.Referenced, counts.Unrecognised);
    }

    /// <summary>
    /// Asks the catalog about the whole batch at once, by primary key (the ride id is part of the raw key), just
    /// before deleting, which keeps the window in which an upload could finish in between as short as possible.
    /// </summary>
    private async Task DeleteUnreferencedAsync(List<Candidate> batch, Counts counts, CancellationToken cancellationToken)
    {
        if (batch.Count == 0)
        {
            return;
        }

        var rideIds = batch.Where(c => c.RideId is not null).Select(c => c.RideId!.Value).Distinct().ToList();
        var sessionIds = batch.Where(c => c.SessionId is not null).Select(c => c.SessionId!.Value).Distinct().ToList();
        var knownRides = rideIds.Count == 0
            ? []
            : (await db.Rides.AsNoTracking().Where(r => rideIds.Contains(r.Id)).Select(r => r.Id).ToListAsync(cancellationToken)).ToHashSet();
        // Belt and braces for a ride whose key does not carry its id (none is written so today): a lookup by key,
        // unindexed, so only for the few candidates the id lookup did not find.
        var unmatchedKeys = batch.Where(c => c.RideId is { } id && !knownRides.Contains(id)).Select(c => c.Object.Key).ToList();
        var referencedKeys = unmatchedKeys.Count == 0
            ? []
            : (await db.Rides.AsNoTracking().Where(r => unmatchedKeys.Contains(r.RawKey)).Select(r => r.RawKey).ToListAsync(cancellationToken)).ToHashSet(StringComparer.Ordinal);
        // Parts of an open session wait for it (the upload clean-up job abandons idle ones); any other session's
        // parts were already read into a ride, or never will be.
        var openSessions = sessionIds.Count == 0
            ? []
            : (await db.Set<UploadSession>().AsNoTracking()
                .Where(s => sessionIds.Contains(s.Id) && s.Status == UploadSessionStatus.Open)
                .Select(s => s.Id).ToListAsync(cancellationToken)).ToHashSet();

        foreach (var candidate in batch)
        {
            var referenced = candidate.RideId is { } rideId
                ? knownRides.Contains(rideId) || referencedKeys.Contains(candidate.Object.Key)
                : openSessions.Contains(candidate.SessionId!.Value);
            if (referenced)
            {
                counts.Referenced++;
                continue;
            }

            if (await storage.DeleteAsync(BucketKind.Raw, candidate.Object.Key, cancellationToken))
            {
                counts.Deleted++;
                logger.LogInformation("Orphan sweep: deleted raw object {Key} ({Size} bytes, stored {LastModified:u}): {Reason}",
                    candidate.Object.Key, candidate.Object.Size, candidate.Object.LastModified,
                    candidate.RideId is not null ? "no catalog ride refers to it" : "its upload session is not open");
            }
        }
    }

    private sealed record Candidate(StoredObject Object, Guid? RideId, Guid? SessionId);

    private sealed class Counts
    {
        public int Examined { get; set; }
        public int Deleted { get; set; }
        public int TooYoung { get; set; }
        public int Referenced { get; set; }
        public int Unrecognised { get; set; }
    }
}
