using Hangfire;
using Hangfire.Common;
using Hangfire.Storage;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Catalog;
using Portal.Core.Rides;
using Portal.Jobs.Pipeline;

namespace Portal.Components.Pages.Jobs;

/// <summary>
/// Reads the pipeline's jobs from Hangfire's monitoring API (the injected <see cref="JobStorage"/>, never
/// JobStorage.Current), maps each to its ride by the job's ride-id argument and keeps what the caller may see.
/// </summary>
public static class RideJobsQuery
{
    /// <summary>Newest jobs read per state; older history stays in the Hangfire panel.</summary>
    public const int PerState = 200;

    public static async Task<IReadOnlyList<VisibleJob>> LoadAsync(
        JobStorage storage, IDbContextFactory<CatalogDbContext> catalog, RideCaller caller, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(catalog);
        var now = time.GetUtcNow().UtcDateTime;

        // The monitoring API is synchronous and talks to the database: keep it off the circuit's thread.
        var jobs = await Task.Run(() => Read(storage.GetMonitoringApi(), now, PerState), cancellationToken);
        var rideIds = jobs.Where(j => j.RideId is not null).Select(j => j.RideId!.Value).Distinct().ToList();
        var rides = await LoadRideFactsAsync(catalog, caller, rideIds, cancellationToken);
        return JobVisibility.Filter(jobs, caller, rides)
            .OrderBy(j => StateOrder(j.Job.State))
            .ThenByDescending(j => j.Job.StateAt ?? DateTime.MinValue)
            .ToList();
    }

    /// <summary>Every queued, processing, retrying, succeeded, failed and deleted job (newest <paramref name="perState"/> of each).</summary>
    public static IReadOnlyList<HangfireJobRow> Read(IMonitoringApi monitoring, DateTime nowUtc, int perState)
    {
        ArgumentNullException.ThrowIfNull(monitoring);
        var rows = new Dictionary<string, HangfireJobRow>(StringComparer.Ordinal);
        void Add(string id, Job? job, RideJobState state, string? queue, DateTime? at, DateTime? startedAt, TimeSpan? duration, string? failure)
        {
            var (kind, name, rideId) = Describe(job);
            rows.TryAdd(id, new HangfireJobRow(id, kind, name, rideId, state, queue ?? job?.Queue, at, startedAt, duration, failure));
        }

        foreach (var (id, job) in monitoring.ProcessingJobs(0, perState))
        {
            var started = job.StartedAt;
            Add(id, job.Job, RideJobState.Processing, null, started, started, started is { } s ? nowUtc - s : null, null);
        }

        foreach (var queue in monitoring.Queues())
        {
            foreach (var (id, job) in monitoring.EnqueuedJobs(queue.Name, 0, perState))
            {
                Add(id, job.Job, RideJobState.Queued, queue.Name, job.EnqueuedAt, null, null, null);
            }
        }

        foreach (var (id, job) in monitoring.ScheduledJobs(0, perState))
        {
            Add(id, job.Job, RideJobState.Retrying, null, job.EnqueueAt, null, null, null);
        }

        foreach (var (id, job) in monitoring.FailedJobs(0, perState))
        {
            Add(id, job.Job, RideJobState.Failed, null, job.FailedAt, null, null, job.ExceptionMessage ?? job.Reason);
        }

        foreach (var (id, job) in monitoring.SucceededJobs(0, perState))
        {
            Add(id, job.Job, RideJobState.Succeeded, null, job.SucceededAt, null,
                job.TotalDuration is { } ms ? TimeSpan.FromMilliseconds(ms) : null, null);
        }

        foreach (var (id, job) in monitoring.DeletedJobs(0, perState))
        {
            Add(id, job.Job, RideJobState.Deleted, null, job.DeletedAt, null, null, null);
        }

        return [.. rows.Values];
    }

    /// <summary>The kind by the job's class; the ride id is the pipeline jobs' first argument.</summary>
    internal static (RideJobKind Kind, string Name, Guid? RideId) Describe(Job? job)
    {
        if (job is null)
        {
            return (RideJobKind.Other, "Unknown job", null);
        }

        Guid? rideId = job.Args.Count > 0 && job.Args[0] is Guid id ? id : null;
        if (job.Type == typeof(AnalyzeRideJob))
        {
            return (RideJobKind.Analysis, "Ride analysis", rideId);
        }

        if (job.Type == typeof(HandleCrashJob))
        {
            return (RideJobKind.Crash, "Crash filing", rideId);
        }

        if (job.Type == typeof(RetentionJob))
        {
            return (RideJobKind.Maintenance, "Raw data retention", null);
        }

        if (job.Type == typeof(UploadSessionCleanupJob))
        {
            return (RideJobKind.Maintenance, "Upload clean-up", null);
        }

        if (job.Type == typeof(OrphanRawSweepJob))
        {
            return (RideJobKind.Maintenance, "Raw orphan sweep", null);
        }

        return (RideJobKind.Other, $"{job.Type.Name}.{job.Method.Name}", null);
    }

    private static async Task<IReadOnlyDictionary<Guid, JobRideFacts>> LoadRideFactsAsync(
        IDbContextFactory<CatalogDbContext> catalog, RideCaller caller, List<Guid> rideIds, CancellationToken cancellationToken)
    {
        if (rideIds.Count == 0)
        {
            return new Dictionary<Guid, JobRideFacts>();
        }

        await using var db = await catalog.CreateDbContextAsync(cancellationToken);
        var visible = (await db.Rides.VisibleTo(db, caller).Where(r => rideIds.Contains(r.Id)).Select(r => r.Id).ToListAsync(cancellationToken)).ToHashSet();
        var facts = await (
            from r in db.Rides.AsNoTracking().Where(r => rideIds.Contains(r.Id))
            join p in db.Riders on r.OwnerId equals p.UserId into owners
            from p in owners.DefaultIfEmpty()
            select new
            {
                r.Id,
                r.OwnerId,
                OwnerName = p == null ? null : (p.DisplayName != "" ? p.DisplayName : p.Email),
                Category = p == null ? (RiderCategory?)null : p.Category,
                r.FileName,
                r.Status,
                r.ProgressPercent,
                r.FailureMessage,
            }).ToListAsync(cancellationToken);
        return facts.ToDictionary(
            f => f.Id,
            f => new JobRideFacts(f.Id, f.OwnerId, f.OwnerName, f.Category, f.FileName, f.Status, f.ProgressPercent, f.FailureMessage, visible.Contains(f.Id)));
    }

    private static int StateOrder(RideJobState state) => state switch
    {
        RideJobState.Processing => 0,
        RideJobState.Queued => 1,
        RideJobState.Retrying => 2,
        _ => 3,
    };
}
