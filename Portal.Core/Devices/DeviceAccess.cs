using Microsoft.EntityFrameworkCore;
using Portal.Core.Catalog;
using Portal.Core.Rides;

namespace Portal.Core.Devices;

/// <summary>Which devices a caller may see, in one place for the devices API and the live view.</summary>
public static class DeviceAccess
{
    /// <summary>Admins see every device; a technician their approved team's riders' devices and their own; anyone else their own.</summary>
    public static IQueryable<Device> VisibleTo(this IQueryable<Device> devices, CatalogDbContext db, RideCaller caller)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(caller);
        if (caller.IsAdmin)
        {
            return devices;
        }

        var me = caller.UserId;
        if (caller.IsTechnician)
        {
            var teamRiders = db.ApprovedTeamOf(caller).Select(r => r.UserId);
            return devices.Where(d => d.RiderId == me || teamRiders.Contains(d.RiderId));
        }

        return devices.Where(d => d.RiderId == me);
    }

    /// <summary>The riders of the caller's approved team: a technician's, nobody for anyone else.</summary>
    public static IQueryable<RiderProfile> ApprovedTeamOf(this CatalogDbContext db, RideCaller caller)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(caller);
        var me = caller.UserId;
        return caller.IsTechnician
            ? db.Riders.Where(r => r.TechnicianId == me && r.TeamMembershipApproved)
            : db.Riders.Where(r => false);
    }

    /// <summary>The device when the caller may see it; null both when it does not exist and when it is someone else's.</summary>
    public static Task<Device?> FindVisibleDeviceAsync(this CatalogDbContext db, RideCaller caller, string deviceId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        return db.Set<Device>().AsNoTracking().VisibleTo(db, caller).FirstOrDefaultAsync(d => d.Id == deviceId, cancellationToken);
    }
}
