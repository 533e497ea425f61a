using Microsoft.EntityFrameworkCore;
using Portal.Core.Catalog;

namespace Portal.Core.Rides;

/// <summary>Who is asking: the user id and the roles that decide which rides they may see or upload for.</summary>
public sealed record RideCaller(Guid UserId, IReadOnlySet<string> Roles)
{
    public bool IsAdmin => Roles.Contains(PortalRoleNames.Admin);
    public bool IsRnD => Roles.Contains(PortalRoleNames.RnD);
    public bool IsTechnician => Roles.Contains(PortalRoleNames.Technician);

    /// <summary>R&amp;D and admins see every ride and every crash.</summary>
    public bool SeesAllRides => IsAdmin || IsRnD;

    public bool SeesCrashes => IsAdmin || IsRnD;

    public static RideCaller Of(Guid userId, params string[] roles) => new(userId, roles.ToHashSet(StringComparer.Ordinal));
}

/// <summary>The visibility rules of rides, in one place for the API, the UI and the tests.</summary>
public static class RideAccess
{
    /// <summary>Rides the caller may see: their own; a technician also their approved team's; R&amp;D and admins all.</summary>
    public static IQueryable<Ride> VisibleTo(this IQueryable<Ride> rides, CatalogDbContext db, RideCaller caller)
    {
        if (caller.SeesAllRides)
        {
            return rides;
        }

        if (caller.IsTechnician)
        {
            var me = caller.UserId;
            return rides.Where(r => r.OwnerId == me
                || db.Riders.Any(p => p.UserId == r.OwnerId && p.TechnicianId == me && p.TeamMembershipApproved));
        }

        var self = caller.UserId;
        return rides.Where(r => r.OwnerId == self);
    }

    /// <summary>The ride when the caller may see it; null both when it does not exist and when it is someone else's.</summary>
    public static Task<Ride?> FindVisibleRideAsync(this CatalogDbContext db, RideCaller caller, Guid rideId, CancellationToken cancellationToken) =>
        db.Rides.VisibleTo(db, caller).FirstOrDefaultAsync(r => r.Id == rideId, cancellationToken);

    /// <summary>As <see cref="FindVisibleRideAsync"/>, untracked: for answers that change nothing.</summary>
    public static Task<Ride?> FindVisibleRideReadOnlyAsync(this CatalogDbContext db, RideCaller caller, Guid rideId, CancellationToken cancellationToken) =>
        db.Rides.AsNoTracking().VisibleTo(db, caller).FirstOrDefaultAsync(r => r.Id == rideId, cancellationToken);

    /// <summary>
    /// Anyone uploads for themselves; admins for anyone; a technician for the professional riders of their
    /// approved team. Nobody else uploads on another's behalf.
    /// </summary>
    public static async Task<bool> MayUploadForAsync(this CatalogDbContext db, RideCaller caller, Guid riderId, CancellationToken cancellationToken)
    {
        if (riderId == caller.UserId || caller.IsAdmin)
        {
            return true;
        }

        if (!caller.IsTechnician)
        {
            return false;
        }

        var me = caller.UserId;
        return await db.Riders.AnyAsync(
            p => p.UserId == riderId && p.TechnicianId == me && p.TeamMembershipApproved && p.Category == RiderCategory.Professional,
            cancellationToken);
    }
}
