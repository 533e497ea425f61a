namespace Portal.Core.Catalog;

public enum RiderCategory
{
    Private,
    Professional,
}

/// <summary>What the catalog knows of a person: accounts and roles live in Identity (the portal), keyed by the same id.</summary>
public sealed class RiderProfile
{
    public Guid UserId { get; set; }
    public string Email { get; set; } = "";
    public string DisplayName { get; set; } = "";
    public RiderCategory Category { get; set; } = RiderCategory.Private;

    /// <summary>The technician whose team this (professional) rider belongs to.</summary>
    public Guid? TechnicianId { get; set; }

    /// <summary>A technician's request to add a rider waits for an admin's approval.</summary>
    public bool TeamMembershipApproved { get; set; }

    /// <summary>When the person last opened their home page: what is new is what came after it.</summary>
    public DateTimeOffset? LastHomeVisitAt { get; set; }
}

public enum RideSource
{
    Web,
    Bulk,
    Device,
    Live,
    Api,
}

public enum RideStatus
{
    Queued,
    Processing,
    Analyzed,
    Failed,
}

public sealed class Ride
{
    public Guid Id { get; set; }
    public Guid OwnerId { get; set; }
    public Guid UploaderId { get; set; }
    public RideSource Source { get; set; }
    public string? DeviceId { get; set; }
    public string? ProfileName { get; set; }
    public string FileName { get; set; } = "";
    public long SizeBytes { get; set; }
    public string Sha256 { get; set; } = "";
    /// <summary>Key of the raw object in the raw bucket; never derived from the uploaded file name.</summary>
    public string RawKey { get; set; } = "";
    public bool Compressed { get; set; }
    public DateTimeOffset UploadedAt { get; set; }

    /// <summary>
    /// When the ride was ridden, by the ride's own clock (the file's ISO or epoch time, a live session's start);
    /// the upload time until the analysis finds a clock, and for good when the file has none (<see cref="StartedAtIsUploadTime"/>).
    /// </summary>
    public DateTimeOffset StartedAt { get; set; }

    /// <summary>True while <see cref="StartedAt"/> is only the upload time, so pages can say the date is approximate.</summary>
    public bool StartedAtIsUploadTime { get; set; } = true;

    /// <summary>The rider's own title; null shows the default (place and time, else date and time).</summary>
    public string? Title { get; set; }

    public string? Notes { get; set; }

    /// <summary>The nearest known place to the ride's first GPS fix, from the offline gazetteer; null without GPS or far from any.</summary>
    public string? PlaceName { get; set; }

    public RideStatus Status { get; set; }
    public int ProgressPercent { get; set; }
    public string? FailureCode { get; set; }
    public string? FailureMessage { get; set; }
    public DateTimeOffset? AnalyzedAt { get; set; }
    public int? AnalysisVersion { get; set; }

    /// <summary>The metrics JSON (ride-format.md names) as the analysis wrote it.</summary>
    public string? MetricsJson { get; set; }
    public double? DurationS { get; set; }
    public double? DistanceKm { get; set; }
    public double? MaxSpeedKmh { get; set; }
    public double? MaxLeanDeg { get; set; }
    public double? MaxDecelMs2 { get; set; }
    public long RowsSkipped { get; set; }
    public bool CrashDetected { get; set; }
    public double? CrashTimeS { get; set; }

    /// <summary>When the raw object is deleted; null while it is kept for good (professional rider or crash).</summary>
    public DateTimeOffset? RawRetainUntil { get; set; }
    public DateTimeOffset? RawDeletedAt { get; set; }
}

/// <summary>Limits of what a rider writes about a ride.</summary>
public static class RideLimits
{
    public const int TitleMaxLength = 120;
    public const int NotesMaxLength = 4000;
}
