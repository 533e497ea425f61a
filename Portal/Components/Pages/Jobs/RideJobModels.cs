using Portal.Core.Catalog;

namespace Portal.Components.Pages.Jobs;

public enum RideJobKind
{
    Analysis,
    Crash,
    Maintenance,
    Other,
}

/// <summary>Hangfire's state as a person reads it; a scheduled job of the pipeline is a retry waiting its turn.</summary>
public enum RideJobState
{
    Queued,
    Processing,
    Retrying,
    Succeeded,
    Failed,
    Deleted,
}

/// <summary>One job as Hangfire's monitoring data describes it; times are UTC.</summary>
public sealed record HangfireJobRow(
    string JobId,
    RideJobKind Kind,
    string Name,
    Guid? RideId,
    RideJobState State,
    string? Queue,
    DateTime? StateAt,
    DateTime? StartedAt,
    TimeSpan? Duration,
    string? Failure);

/// <summary>What the catalog says about a job's ride, and whether the ride rules (<c>RideAccess.VisibleTo</c>) show it to the caller.</summary>
public sealed record JobRideFacts(
    Guid RideId,
    Guid OwnerId,
    string? OwnerName,
    RiderCategory? OwnerCategory,
    string FileName,
    RideStatus Status,
    int ProgressPercent,
    string? FailureMessage,
    bool VisibleByRideAccess);

/// <summary>A job the caller may see, with its ride when the ride still exists.</summary>
public sealed record VisibleJob(HangfireJobRow Job, JobRideFacts? Ride)
{
    /// <summary>An analysis that ran but refused the file is a failure to the person who uploaded it.</summary>
    public RideJobState DisplayState =>
        Job.State == RideJobState.Succeeded && Job.Kind == RideJobKind.Analysis && Ride?.Status == RideStatus.Failed
            ? RideJobState.Failed
            : Job.State;

    public string? FailureReason =>
        Job.Failure ?? (DisplayState == RideJobState.Failed ? Ride?.FailureMessage : null);

    /// <summary>0–100 while processing (from the ride's progress), 100 once done, null otherwise.</summary>
    public int? ProgressPercent => Job.State switch
    {
        RideJobState.Processing when Job.Kind == RideJobKind.Analysis => Ride?.ProgressPercent ?? 0,
        RideJobState.Succeeded => 100,
        _ => null,
    };
}
