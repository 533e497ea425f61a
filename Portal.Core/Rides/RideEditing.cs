using Microsoft.EntityFrameworkCore;
using Portal.Core.Catalog;
using Portal.Core.Storage;

namespace Portal.Core.Rides;

public enum RideEditOutcome
{
    Done,

    /// <summary>No such ride, or one the caller may not see (the two are not told apart).</summary>
    NotFound,

    /// <summary>The caller sees the ride but it is not theirs to change (a technician's or R&amp;D's view of a rider's ride).</summary>
    Forbidden,

    /// <summary>The input is refused; <see cref="RideEditResult.Error"/> says why and nothing was changed.</summary>
    Invalid,

    /// <summary>The ride is being analysed right now: deleting it would race the job's writes.</summary>
    Busy,
}

public sealed record RideEditResult(RideEditOutcome Outcome, Ride? Ride = null, string? Error = null);

/// <summary>A change of title and notes; a null field is left as it is, an empty one clears it.</summary>
public sealed record RideChanges(string? Title = null, string? Notes = null);

/// <summary>
/// Rides as their rider's own: title, notes and deletion. Only the owner (and admins) change or delete a ride;
/// others who see it (their technician, R&amp;D) are refused, and strangers are told it does not exist.
/// </summary>
public sealed class RideEditing(CatalogDbContext db, IObjectStorage storage)
{
    /// <summary>What the deletion does, said to the rider before they confirm it.</summary>
    public const string DeleteConsequences =
        "The ride, its metrics and its raw file are deleted at once and cannot be restored. "
        + "If a crash was detected, the copy already in the crash folder stays for R&D, without your name.";

    public async Task<RideEditResult> UpdateAsync(RideCaller caller, Guid rideId, RideChanges changes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(changes);
        var ride = await db.FindVisibleRideAsync(caller, rideId, cancellationToken);
        if (ride is null)
        {
            return new RideEditResult(RideEditOutcome.NotFound);
        }

        if (!MayChange(caller, ride))
        {
            return new RideEditResult(RideEditOutcome.Forbidden, Error: "Only the rider (or an admin) can change this ride.");
        }

        var title = changes.Title?.Trim();
        var notes = changes.Notes?.Trim();
        if (title is { Length: > RideLimits.TitleMaxLength })
        {
            return new RideEditResult(RideEditOutcome.Invalid, Error: $"title: at most {RideLimits.TitleMaxLength} characters (got {title.Length}).");
        }

        if (title is not null && title.Any(char.IsControl))
        {
            return new RideEditResult(RideEditOutcome.Invalid, Error: "title: line breaks and control characters are not allowed.");
        }

        if (notes is { Length: > RideLimits.NotesMaxLength })
        {
            return new RideEditResult(RideEditOutcome.Invalid, Error: $"notes: at most {RideLimits.NotesMaxLength} characters (got {notes.Length}).");
        }

        if (title is not null)
        {
            ride.Title = title.Length == 0 ? null : title;
        }

        if (notes is not null)
        {
            ride.Notes = notes.Length == 0 ? null : notes;
        }

        await db.SaveChangesAsync(cancellationToken);
        return new RideEditResult(RideEditOutcome.Done, ride);
    }

    /// <summary>
    /// Deletes the ride's raw file, its analytics and the ride itself, and the rider's notifications about it.
    /// The crash folder's copy (if any) is kept for R&amp;D and its record loses the rider's identity.
    /// Storage first: a failure there leaves the ride listed, so the rider can try again.
    /// </summary>
    public async Task<RideEditResult> DeleteAsync(RideCaller caller, Guid rideId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var ride = await db.FindVisibleRideAsync(caller, rideId, cancellationToken);
        if (ride is null)
        {
            return new RideEditResult(RideEditOutcome.NotFound);
        }

        if (!MayChange(caller, ride))
        {
            return new RideEditResult(RideEditOutcome.Forbidden, Error: "Only the rider (or an admin) can delete this ride.");
        }

        if (ride.Status == RideStatus.Processing)
        {
            return new RideEditResult(RideEditOutcome.Busy, ride, "The ride is being analysed right now; delete it once the analysis has finished.");
        }

        await storage.DeleteAsync(BucketKind.Raw, ride.RawKey, cancellationToken);
        await storage.DeleteAsync(BucketKind.Analytics, PipelineKeys.MetricsJson(ride.Id), cancellationToken);
        await storage.DeleteAsync(BucketKind.Analytics, PipelineKeys.MetricsCsv(ride.Id), cancellationToken);
        await storage.DeleteAsync(BucketKind.Analytics, PipelineKeys.Traces(ride.Id), cancellationToken);

        await db.Set<CrashRecord>().Where(c => c.RideId == ride.Id)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.RiderId, Guid.Empty), cancellationToken);
        var ownerId = ride.OwnerId;
        await db.Set<Notification>().Where(n => n.RideId == ride.Id && n.UserId == ownerId).ExecuteDeleteAsync(cancellationToken);
        db.Rides.Remove(ride);
        await db.SaveChangesAsync(cancellationToken);
        return new RideEditResult(RideEditOutcome.Done, ride);
    }

    public static bool MayChange(RideCaller caller, Ride ride) => ride.OwnerId == caller.UserId || caller.IsAdmin;
}
