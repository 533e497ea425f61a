namespace Portal.Core.Catalog;

public enum UploadSessionStatus
{
    Open,
    Completed,
    Abandoned,
}

/// <summary>
/// A resumable upload: the client sends the file as numbered parts (each stored as its own object
/// in the raw bucket), may lose the connection and ask where to resume, then completes it into a ride.
/// </summary>
public sealed class UploadSession
{
    public Guid Id { get; set; }
    public Guid OwnerId { get; set; }
    public Guid UploaderId { get; set; }
    public RideSource Source { get; set; }
    public string FileName { get; set; } = "";
    public string? DeviceId { get; set; }
    public string? ProfileName { get; set; }

    /// <summary>The size the client announced, checked on completion when given.</summary>
    public long? DeclaredSize { get; set; }

    /// <summary>Sum of the stored parts' sizes.</summary>
    public long ReceivedBytes { get; set; }
    public int PartCount { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset LastActivityAt { get; set; }
    public UploadSessionStatus Status { get; set; }

    /// <summary>The ride the completed session became (or the existing ride it duplicated).</summary>
    public Guid? RideId { get; set; }

    public List<UploadPart> Parts { get; set; } = [];
}

/// <summary>One stored chunk of an upload session; sending the same number again replaces it.</summary>
public sealed class UploadPart
{
    public Guid SessionId { get; set; }
    public int Number { get; set; }
    public long SizeBytes { get; set; }
    public string Sha256 { get; set; } = "";
    public DateTimeOffset ReceivedAt { get; set; }
}

public enum CrashLabel
{
    None,
    Confirmed,
    FalseAlarm,
}

/// <summary>A crash the analysis detected in a ride, kept for R&amp;D with its label and notes.</summary>
public sealed class CrashRecord
{
    public Guid Id { get; set; }
    public Guid RideId { get; set; }
    public Guid RiderId { get; set; }
    public DateTimeOffset DetectedAt { get; set; }

    /// <summary>Seconds from the ride's first sample to the start of the loss of control.</summary>
    public double CrashTimeS { get; set; }
    public string Kind { get; set; } = "";
    public double PeakG { get; set; }
    public double PeakRateDps { get; set; }
    public double SpeedBeforeKmh { get; set; }
    public double? Latitude { get; set; }
    public double? Longitude { get; set; }
    public string Explanation { get; set; } = "";

    /// <summary>Key of the raw file's copy in the crash bucket (never expires).</summary>
    public string RawCopyKey { get; set; } = "";
    public string WindowKey { get; set; } = "";
    public CrashLabel Label { get; set; }
    public string? Notes { get; set; }
    public Guid? LabelledBy { get; set; }
    public DateTimeOffset? LabelledAt { get; set; }
}

public enum NotificationKind
{
    RideAnalyzed,
    RideFailed,
    CrashDetected,
    ProfessionalSession,

    /// <summary>To admins: the object storage refused a write for lack of room.</summary>
    StorageFull,
}

/// <summary>
/// A message for one user (<see cref="UserId"/>) or for everyone holding a role (<see cref="Role"/>),
/// written by whichever process ran the job and read by the portal from the shared database.
/// </summary>
public sealed class Notification
{
    public Guid Id { get; set; }
    public Guid? UserId { get; set; }
    public string? Role { get; set; }
    public NotificationKind Kind { get; set; }
    public string Title { get; set; } = "";
    public string Body { get; set; } = "";
    public Guid? RideId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When the user read a personal notification; role notifications use <see cref="NotificationReceipt"/>.</summary>
    public DateTimeOffset? ReadAt { get; set; }

    /// <summary>Makes a job that runs twice notify once.</summary>
    public string? DedupeKey { get; set; }
}

/// <summary>That one member of a role has read a role notification.</summary>
public sealed class NotificationReceipt
{
    public Guid NotificationId { get; set; }
    public Guid UserId { get; set; }
    public DateTimeOffset ReadAt { get; set; }
}
