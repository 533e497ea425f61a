namespace Portal.Core.Rides;

/// <summary>Stable codes for uploads the portal refuses before a ride exists.</summary>
public static class UploadErrorCodes
{
    public const string FileTooLarge = "file_too_large";
    public const string PartTooLarge = "part_too_large";
    public const string EmptyFile = "empty_file";
    public const string UploadInterrupted = "upload_interrupted";
    public const string SessionNotOpen = "upload_session_not_open";
    public const string PartsMissing = "upload_parts_missing";
    public const string SizeMismatch = "upload_size_mismatch";
    public const string OffsetMismatch = "upload_offset_mismatch";
    public const string InvalidPartNumber = "upload_invalid_part_number";

    /// <summary>The upload names a device profile the catalog does not hold.</summary>
    public const string UnknownProfile = "unknown_profile";

    /// <summary>The owner's stored rides would exceed <c>Uploads:UserQuotaBytes</c>.</summary>
    public const string QuotaExceeded = "storage_quota_exceeded";

    /// <summary>The upload names a device id that is not one of the owner's registered devices (or is too long).</summary>
    public const string DeviceNotRegistered = "device_not_registered";
}

/// <summary>The owner's quota would be exceeded; answered 413 with the quota and what is used.</summary>
public sealed class UploadQuotaExceededException(long quotaBytes, long usedBytes)
    : UploadRefusedException(UploadErrorCodes.QuotaExceeded,
        $"This rider's rides already take {UploadTooLargeException.FormatBytes(usedBytes)} of the {UploadTooLargeException.FormatBytes(quotaBytes)} storage quota; "
        + "delete rides or ask an administrator for more room. Nothing of this file was kept.")
{
    public long QuotaBytes { get; } = quotaBytes;
    public long UsedBytes { get; } = usedBytes;
}

/// <summary>An upload the portal refuses with a stable code; nothing of it is kept.</summary>
public class UploadRefusedException(string code, string message, Exception? inner = null) : Exception(message, inner)
{
    public string Code { get; } = code;
}

/// <summary>Uploads may name only stored device profiles: a typo would otherwise silently fall back to guessing.</summary>
public static class UploadProfileCheck
{
    /// <summary>The trimmed profile name (null when none is named).</summary>
    /// <exception cref="UploadRefusedException"><see cref="UploadErrorCodes.UnknownProfile"/> when no such profile is stored.</exception>
    public static async Task<string?> EnsureKnownAsync(Catalog.CatalogDbContext catalog, string? profileName, CancellationToken cancellationToken)
    {
        if (Devices.DeviceProfileRules.CleanName(profileName) is not { } name)
        {
            return null;
        }

        return await Devices.DeviceProfileQueries.DeviceProfileExistsAsync(catalog, name, cancellationToken)
            ? name
            : throw new UploadRefusedException(UploadErrorCodes.UnknownProfile,
                $"There is no device profile '{name}'. Pick one of the profiles an admin defined, or leave the profile empty to let the portal guess the columns.");
    }
}

/// <summary>The body grew past the configured limit while it was being streamed.</summary>
public sealed class UploadTooLargeException(long limitBytes, string code = UploadErrorCodes.FileTooLarge)
    : UploadRefusedException(code, $"The file is larger than the limit of {FormatBytes(limitBytes)}.")
{
    public long LimitBytes { get; } = limitBytes;

    public static string FormatBytes(long bytes) => bytes switch
    {
        >= 1L << 30 => $"{bytes / (double)(1L << 30):0.##} GiB",
        >= 1L << 20 => $"{bytes / (double)(1L << 20):0.##} MiB",
        >= 1L << 10 => $"{bytes / (double)(1L << 10):0.##} KiB",
        _ => $"{bytes} bytes",
    };
}
