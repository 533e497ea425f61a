using Microsoft.EntityFrameworkCore;
using Portal.Core.Catalog;
using Portal.Core.Rides;

namespace Portal.Core.Live;

/// <summary>Finds the ride a live session became, for the live view's "session ended" card.</summary>
public static class LiveSessionRides
{
    /// <summary>How much earlier than the session's first message its ride may be stamped (clock skew between processes).</summary>
    public static readonly TimeSpan ClockSlack = TimeSpan.FromMinutes(1);

    /// <summary>The newest live ride of the device uploaded after <paramref name="sessionSeenSince"/> that the caller may see; null while it is not submitted yet.</summary>
    public static async Task<Guid?> FindLatestLiveRideAsync(
        this CatalogDbContext db, RideCaller caller, string deviceId, DateTimeOffset sessionSeenSince, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var since = sessionSeenSince - ClockSlack;
        var rides = await db.Rides.AsNoTracking().VisibleTo(db, caller)
            .Where(r => r.Source == RideSource.Live && r.DeviceId == deviceId)
            .Select(r => new { r.Id, r.UploadedAt })
            .ToListAsync(cancellationToken);
        // Sorted in memory: SQLite cannot order by DateTimeOffset.
        return rides.Where(r => r.UploadedAt >= since).OrderByDescending(r => r.UploadedAt).Select(r => (Guid?)r.Id).FirstOrDefault();
    }
}
