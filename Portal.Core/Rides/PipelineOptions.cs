using Microsoft.Extensions.Options;

namespace Portal.Core.Rides;

/// <summary>Limits for ride uploads (section "Uploads").</summary>
public sealed class UploadOptions
{
    public const string Section = "Uploads";
    public const int MinOrphanGraceMinutes = 10;
    public const int MaxOrphanGraceMinutes = 30 * 24 * 60;

    /// <summary>Largest accepted ride file, compressed or not, in bytes (default 1 GiB).</summary>
    public long MaxFileBytes { get; set; } = 1L << 30;

    /// <summary>Largest single part of a resumable upload session (default 64 MiB).</summary>
    public long MaxPartBytes { get; set; } = 64L << 20;

    /// <summary>
    /// Bytes of uploaded rides one rider may keep (the sum of their rides' stored sizes; live rides do not count
    /// against it and are never refused by it). 0 = no quota. Default 20 GiB.
    /// </summary>
    public long UserQuotaBytes { get; set; } = 20L << 30;

    /// <summary>Most files one multipart request may carry.</summary>
    public int MaxFilesPerRequest { get; set; } = 100;

    /// <summary>Open upload sessions without activity for this long are deleted with their parts.</summary>
    public int AbandonAfterHours { get; set; } = 24;

    /// <summary>
    /// Raw objects no ride (or open upload session) refers to are deleted once they are older than this (default
    /// a day). It must exceed the longest single upload: S3 dates a multipart object from the upload's start.
    /// </summary>
    public int OrphanGraceMinutes { get; set; } = 24 * 60;
}

public sealed class UploadOptionsValidator : IValidateOptions<UploadOptions>
{
    public ValidateOptionsResult Validate(string? name, UploadOptions options)
    {
        var failures = new List<string>();
        if (options.MaxFileBytes <= 0)
        {
            failures.Add($"{UploadOptions.Section}:{nameof(UploadOptions.MaxFileBytes)} must be a positive number of bytes (was {options.MaxFileBytes}).");
        }

        if (options.MaxPartBytes <= 0 || options.MaxPartBytes > options.MaxFileBytes)
        {
            failures.Add($"{UploadOptions.Section}:{nameof(UploadOptions.MaxPartBytes)} must be positive and at most {UploadOptions.Section}:{nameof(UploadOptions.MaxFileBytes)} (was {options.MaxPartBytes}).");
        }

        if (options.UserQuotaBytes < 0)
        {
            failures.Add($"{UploadOptions.Section}:{nameof(UploadOptions.UserQuotaBytes)} must be 0 (no quota) or a positive number of bytes (was {options.UserQuotaBytes}).");
        }

        if (options.MaxFilesPerRequest is < 1 or > 10_000)
        {
            failures.Add($"{UploadOptions.Section}:{nameof(UploadOptions.MaxFilesPerRequest)} must be between 1 and 10000 (was {options.MaxFilesPerRequest}).");
        }

        if (options.AbandonAfterHours is < 1 or > 24 * 30)
        {
            failures.Add($"{UploadOptions.Section}:{nameof(UploadOptions.AbandonAfterHours)} must be between 1 and 720 hours (was {options.AbandonAfterHours}).");
        }

        if (options.OrphanGraceMinutes is < UploadOptions.MinOrphanGraceMinutes or > UploadOptions.MaxOrphanGraceMinutes)
        {
            failures.Add($"{UploadOptions.Section}:{nameof(UploadOptions.OrphanGraceMinutes)} must be between {UploadOptions.MinOrphanGraceMinutes} and {UploadOptions.MaxOrphanGraceMinutes} minutes (was {options.OrphanGraceMinutes}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>How long raw ride files are kept (section "Retention"). Metrics and analytics are permanent.</summary>
public sealed class RetentionOptions
{
    public const string Section = "Retention";
    public const int MinPrivateRawDays = 14;
    public const int MaxPrivateRawDays = 28;

    /// <summary>Days a private rider's raw file is kept after upload (14–28); professional and crash data are kept for good.</summary>
    public int PrivateRawDays { get; set; } = 14;
}

public sealed class RetentionOptionsValidator : IValidateOptions<RetentionOptions>
{
    public ValidateOptionsResult Validate(string? name, RetentionOptions options) =>
        options.PrivateRawDays is < RetentionOptions.MinPrivateRawDays or > RetentionOptions.MaxPrivateRawDays
            ? ValidateOptionsResult.Fail(
                $"{RetentionOptions.Section}:{nameof(RetentionOptions.PrivateRawDays)} must be between {RetentionOptions.MinPrivateRawDays} and {RetentionOptions.MaxPrivateRawDays} days (was {options.PrivateRawDays}).")
            : ValidateOptionsResult.Success;
}
