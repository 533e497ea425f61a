using Portal.Core.Catalog;
using Portal.Core.Rides;

namespace Portal.Components.Pages.Jobs;

/// <summary>
/// Which jobs a person sees on /jobs. The ride rules themselves come from <c>RideAccess.VisibleTo</c> (carried in
/// <see cref="JobRideFacts.VisibleByRideAccess"/>); on top of them: admins see every job, R&amp;D sees every crash
/// job and the analyses of professional riders' sessions, jobs without a known ride are admins' business.
/// </summary>
public static class JobVisibility
{
    public static IReadOnlyList<VisibleJob> Filter(
        IEnumerable<HangfireJobRow> jobs, RideCaller caller, IReadOnlyDictionary<Guid, JobRideFacts> rides)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(rides);
        var visible = new List<VisibleJob>();
        foreach (var job in jobs)
        {
            var ride = job.RideId is { } rideId && rides.TryGetValue(rideId, out var facts) ? facts : null;
            if (IsVisible(job, ride, caller))
            {
                visible.Add(new VisibleJob(job, ride));
            }
        }

        return visible;
    }

    private static bool IsVisible(HangfireJobRow job, JobRideFacts? ride, RideCaller caller)
    {
        if (caller.IsAdmin)
        {
            return true;
        }

        if (caller.IsRnD)
        {
            return job.Kind == RideJobKind.Crash
                || (ride is not null && (ride.OwnerCategory == RiderCategory.Professional || ride.OwnerId == caller.UserId));
        }

        return ride is { VisibleByRideAccess: true } && job.Kind is RideJobKind.Analysis or RideJobKind.Crash;
    }
}
