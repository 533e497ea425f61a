using Microsoft.EntityFrameworkCore;
using Portal.Core.Catalog;
using Portal.Core.Rides;

namespace Portal.Components.Pages.Team;

/// <summary>A rider on a technician's team, approved or waiting for an admin.</summary>
public sealed record TeamMember(Guid RiderId, string Email, string DisplayName, RiderCategory Category, bool Approved, Guid? TechnicianId);

/// <summary>One session (ride) of a rider with its key numbers; null metrics are not (yet) known.</summary>
public sealed record RiderSession(
    Guid RideId,
    string FileName,
    DateTimeOffset UploadedAt,
    RideStatus Status,
    int ProgressPercent,
    string? FailureCode,
    string? FailureMessage,
    double? DurationS,
    double? DistanceKm,
    double? MaxSpeedKmh,
    double? MaxLeanDeg,
    bool CrashDetected);

public enum TeamRequestOutcome
{
    Requested,
    NoSuchRider,
    AlreadyInYourTeam,
    AlreadyRequested,
    InAnotherTeam,
}

/// <summary>
/// Teams live on the catalog's rider profiles: <see cref="RiderProfile.TechnicianId"/> names the
/// technician, <see cref="RiderProfile.TeamMembershipApproved"/> says an admin approved it.
/// </summary>
public static class TeamQueries
{
    public const int MaxSessions = 200;

    public static async Task<IReadOnlyList<TeamMember>> TeamOfAsync(this CatalogDbContext db, Guid technicianId, CancellationToken cancellationToken) =>
        await db.Riders.AsNoTracking()
            .Where(r => r.TechnicianId == technicianId)
            .OrderBy(r => r.Email)
            .Select(r => new TeamMember(r.UserId, r.Email, r.DisplayName, r.Category, r.TeamMembershipApproved, r.TechnicianId))
            .ToListAsync(cancellationToken);

    /// <summary>Every request an admin still has to decide, oldest rider first.</summary>
    public static async Task<IReadOnlyList<TeamMember>> PendingTeamRequestsAsync(this CatalogDbContext db, CancellationToken cancellationToken) =>
        await db.Riders.AsNoTracking()
            .Where(r => r.TechnicianId != null && !r.TeamMembershipApproved)
            .OrderBy(r => r.Email)
            .Select(r => new TeamMember(r.UserId, r.Email, r.DisplayName, r.Category, r.TeamMembershipApproved, r.TechnicianId))
            .ToListAsync(cancellationToken);

    public static async Task<IReadOnlyList<TeamMember>> ApprovedTeamMembersAsync(this CatalogDbContext db, CancellationToken cancellationToken) =>
        await db.Riders.AsNoTracking()
            .Where(r => r.TechnicianId != null && r.TeamMembershipApproved)
            .OrderBy(r => r.Email)
            .Select(r => new TeamMember(r.UserId, r.Email, r.DisplayName, r.Category, r.TeamMembershipApproved, r.TechnicianId))
            .ToListAsync(cancellationToken);

    /// <summary>A technician asks for the rider with this e-mail; the membership counts only once an admin approves it.</summary>
    public static async Task<TeamRequestOutcome> RequestTeamMemberAsync(this CatalogDbContext db, Guid technicianId, string email, CancellationToken cancellationToken)
    {
        var wanted = email.Trim().ToLowerInvariant();
#pragma warning disable CA1862, CA1304, CA1311 // ToLower() is translated to SQL on both providers; the culture-aware overloads are not
        var rider = await db.Riders.FirstOrDefaultAsync(r => r.Email.ToLower() == wanted, cancellationToken);
#pragma warning restore CA1862, CA1304, CA1311
        if (rider is null || rider.UserId == technicianId)
        {
            return TeamRequestOutcome.NoSuchRider;
        }

        if (rider.TechnicianId == technicianId)
        {
            return rider.TeamMembershipApproved ? TeamRequestOutcome.AlreadyInYourTeam : TeamRequestOutcome.AlreadyRequested;
        }

        if (rider.TechnicianId is not null)
        {
            return TeamRequestOutcome.InAnotherTeam;
        }

        rider.TechnicianId = technicianId;
        rider.TeamMembershipApproved = false;
        await db.SaveChangesAsync(cancellationToken);
        return TeamRequestOutcome.Requested;
    }

    /// <summary>Takes the rider off the technician's team (or withdraws the request); false when not on it.</summary>
    public static async Task<bool> RemoveTeamMemberAsync(this CatalogDbContext db, Guid technicianId, Guid riderId, CancellationToken cancellationToken)
    {
        var rider = await db.Riders.FirstOrDefaultAsync(r => r.UserId == riderId && r.TechnicianId == technicianId, cancellationToken);
        if (rider is null)
        {
            return false;
        }

        rider.TechnicianId = null;
        rider.TeamMembershipApproved = false;
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    /// <summary>
    /// An admin decides a pending request. Approving makes the rider professional (a team rides
    /// professionally: raw data is kept for good); rejecting clears the request. False when nothing is pending.
    /// </summary>
    public static async Task<bool> DecideTeamRequestAsync(this CatalogDbContext db, Guid riderId, bool approve, CancellationToken cancellationToken)
    {
        var rider = await db.Riders.FirstOrDefaultAsync(r => r.UserId == riderId && r.TechnicianId != null && !r.TeamMembershipApproved, cancellationToken);
        if (rider is null)
        {
            return false;
        }

        if (approve)
        {
            rider.TeamMembershipApproved = true;
            rider.Category = RiderCategory.Professional;
        }
        else
        {
            rider.TechnicianId = null;
        }

        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    /// <summary>The rider's sessions the caller may see (the API's rule), newest first.</summary>
    public static async Task<IReadOnlyList<RiderSession>> SessionsOfAsync(this CatalogDbContext db, RideCaller caller, Guid riderId, CancellationToken cancellationToken)
    {
        var rows = await db.Rides.AsNoTracking().VisibleTo(db, caller)
            .Where(r => r.OwnerId == riderId)
            .OrderByDescending(r => r.UploadedAt)
            .Take(MaxSessions)
            .Select(r => new RiderSession(r.Id, r.FileName, r.UploadedAt, r.Status, r.ProgressPercent, r.FailureCode, r.FailureMessage,
                r.DurationS, r.DistanceKm, r.MaxSpeedKmh, r.MaxLeanDeg, r.CrashDetected))
            .ToListAsync(cancellationToken);
        return rows;
    }
}
