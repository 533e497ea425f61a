using Portal.Core.Catalog;

namespace Portal.Components.Pages.Upload;

/// <summary>Where one picked file stands, from picking to its ride's analysis.</summary>
public enum UploadPhase
{
    /// <summary>Picked, waiting for "Upload" (bulk page) or for a free transfer slot.</summary>
    Waiting,

    /// <summary>Larger than the portal accepts; never sent.</summary>
    TooLarge,
    Uploading,

    /// <summary>The connection dropped; the browser asks the server where to continue and resumes there.</summary>
    Resuming,
    Cancelled,

    /// <summary>The server refused the file (empty, too large, not allowed …); nothing of it was kept.</summary>
    Refused,

    /// <summary>Stored as a new ride; its analysis status follows.</summary>
    Uploaded,

    /// <summary>The same bytes were uploaded before for this rider: the earlier ride is shown, nothing is analysed again.</summary>
    Duplicate,
}

/// <summary>A file the browser announced (it keeps the bytes; the circuit never sees them).</summary>
public sealed record PickedFile(string Key, string Name, long Size);

/// <summary>A rider the caller may upload for.</summary>
public sealed record UploadRider(Guid Id, string Label);

/// <summary>What the browser reports once the server completed the upload.</summary>
public sealed record UploadOutcome(Guid RideId, bool Duplicate, string Status, int ProgressPercent, string? FailureCode, string? FailureMessage);

/// <summary>The state of one file on the upload page; changed only by <see cref="RideUploader"/>.</summary>
public sealed class UploadItem(PickedFile file, Guid? riderId)
{
    public string Key { get; } = file.Key;
    public string FileName { get; } = file.Name;
    public long Size { get; } = file.Size;
    public Guid? RiderId { get; set; } = riderId;
    public UploadPhase Phase { get; set; } = UploadPhase.Waiting;
    public long SentBytes { get; set; }
    public double BytesPerSecond { get; set; }
    public int ResumeAttempt { get; set; }
    public string? ErrorCode { get; set; }
    public string? ErrorMessage { get; set; }
    public Guid? RideId { get; set; }
    public RideStatus? RideStatus { get; set; }
    public int RideProgressPercent { get; set; }
    public string? FailureCode { get; set; }
    public string? FailureMessage { get; set; }

    public int Percent => Size <= 0 ? 0 : (int)Math.Clamp(SentBytes * 100 / Size, 0, 100);

    /// <summary>Null until a speed is known.</summary>
    public TimeSpan? TimeLeft => BytesPerSecond > 0 && Phase == UploadPhase.Uploading
        ? TimeSpan.FromSeconds(Math.Ceiling(Math.Max(0, Size - SentBytes) / BytesPerSecond))
        : null;

    public bool IsTransferring => Phase is UploadPhase.Uploading or UploadPhase.Resuming;

    public bool IsCancellable => Phase is UploadPhase.Waiting or UploadPhase.Uploading or UploadPhase.Resuming;

    /// <summary>Its ride exists and is still queued or being analysed: the page keeps watching it.</summary>
    public bool AwaitsAnalysis => RideId is not null && RideStatus is Core.Catalog.RideStatus.Queued or Core.Catalog.RideStatus.Processing;
}
