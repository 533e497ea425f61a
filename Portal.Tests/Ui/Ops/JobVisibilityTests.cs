using Portal.Components.Pages.Jobs;
using Portal.Core.Catalog;
using Portal.Core.Rides;
using Portal.Identity;

namespace Portal.Tests.Ui.Ops;

/// <summary>Who sees which job on /jobs, with fake Hangfire rows and ride facts (the ride rules' verdict given).</summary>
[Trait("Category", "Ui")]
public sealed class JobVisibilityTests
{
    private static readonly Guid Rider = Guid.NewGuid();
    private static readonly Guid OtherRider = Guid.NewGuid();
    private static readonly Guid ProRider = Guid.NewGuid();
    private static readonly Guid Technician = Guid.NewGuid();
    private static readonly Guid RnD = Guid.NewGuid();
    private static readonly Guid Admin = Guid.NewGuid();

    private static readonly Guid RiderRide = Guid.NewGuid();
    private static readonly Guid OtherRide = Guid.NewGuid();
    private static readonly Guid ProRide = Guid.NewGuid();
    private static readonly Guid OtherCrashRide = Guid.NewGuid();

    private static readonly HangfireJobRow[] Jobs =
    [
        Job("1", RideJobKind.Analysis, RiderRide),
        Job("2", RideJobKind.Crash, RiderRide),
        Job("3", RideJobKind.Analysis, OtherRide),
        Job("4", RideJobKind.Analysis, ProRide),
        Job("5", RideJobKind.Crash, OtherCrashRide),
        Job("6", RideJobKind.Maintenance, null),
        Job("7", RideJobKind.Analysis, Guid.NewGuid()), // its ride was deleted
    ];

    [Fact]
    public void Rider_SeesOnlyTheJobsOfTheirOwnRides()
    {
        var caller = RideCaller.Of(Rider, PortalRoles.Rider);

        var visible = JobVisibility.Filter(Jobs, caller, FactsAsSeenBy(caller));

        Assert.Equal(["1", "2"], visible.Select(j => j.Job.JobId));
        Assert.All(visible, j => Assert.Equal(Rider, j.Ride!.OwnerId));
    }

    [Fact]
    public void Technician_SeesTheirApprovedTeamsJobs_NotOtherRiders()
    {
        var caller = RideCaller.Of(Technician, PortalRoles.Technician);

        var visible = JobVisibility.Filter(Jobs, caller, FactsAsSeenBy(caller));

        Assert.Equal(["4"], visible.Select(j => j.Job.JobId));
    }

    [Fact]
    public void RnD_SeesEveryCrashJobAndProfessionalSessions_NotPrivateAnalyses()
    {
        var caller = RideCaller.Of(RnD, PortalRoles.RnD);

        var visible = JobVisibility.Filter(Jobs, caller, FactsAsSeenBy(caller));

        Assert.Equal(["2", "4", "5"], visible.Select(j => j.Job.JobId));
    }

    [Fact]
    public void Admin_SeesEveryJob_IncludingMaintenanceAndJobsOfDeletedRides()
    {
        var caller = RideCaller.Of(Admin, PortalRoles.Admin);

        var visible = JobVisibility.Filter(Jobs, caller, FactsAsSeenBy(caller));

        Assert.Equal(Jobs.Select(j => j.JobId), visible.Select(j => j.Job.JobId));
    }

    [Fact]
    public void SucceededAnalysisOfARefusedFile_IsShownAsFailedWithTheRidesReason()
    {
        var caller = RideCaller.Of(Rider, PortalRoles.Rider);
        var facts = FactsAsSeenBy(caller).ToDictionary();
        facts[RiderRide] = facts[RiderRide] with { Status = RideStatus.Failed, FailureMessage = "The file has no time column." };

        var analysis = JobVisibility.Filter(Jobs, caller, facts).Single(j => j.Job.JobId == "1");

        Assert.Equal(RideJobState.Failed, analysis.DisplayState);
        Assert.Equal("The file has no time column.", analysis.FailureReason);
        Assert.Equal(100, analysis.ProgressPercent);
    }

    private static HangfireJobRow Job(string id, RideJobKind kind, Guid? rideId) =>
        new(id, kind, kind.ToString(), rideId, RideJobState.Succeeded, "analytics", DateTime.UtcNow, null, TimeSpan.FromSeconds(1), null);

    /// <summary>What the catalog query answers for <paramref name="caller"/>: ride facts plus RideAccess's verdict.</summary>
    private static IReadOnlyDictionary<Guid, JobRideFacts> FactsAsSeenBy(RideCaller caller)
    {
        JobRideFacts Facts(Guid ride, Guid owner, RiderCategory category, bool onTechniciansTeam = false) =>
            new(ride, owner, owner.ToString(), category, $"{ride}.csv", RideStatus.Analyzed, 100, null,
                caller.SeesAllRides || owner == caller.UserId || (caller.IsTechnician && onTechniciansTeam));

        return new Dictionary<Guid, JobRideFacts>
        {
            [RiderRide] = Facts(RiderRide, Rider, RiderCategory.Private),
            [OtherRide] = Facts(OtherRide, OtherRider, RiderCategory.Private),
            [ProRide] = Facts(ProRide, ProRider, RiderCategory.Professional, onTechniciansTeam: true),
            [OtherCrashRide] = Facts(OtherCrashRide, OtherRider, RiderCategory.Private),
        };
    }
}
