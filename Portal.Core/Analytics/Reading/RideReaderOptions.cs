namespace Portal.Core.Analytics.Reading;

/// <summary>Limits that keep one hostile or broken file from costing more than a normal ride.</summary>
public sealed record RideReaderOptions
{
    /// <summary>Largest file accepted as stored (compressed when gzip). The contract asks for at least 1 GB.</summary>
    public long MaxFileBytes { get; init; } = 4L * 1024 * 1024 * 1024;

    /// <summary>Largest decompressed content, so a small gzip bomb cannot keep a worker busy for hours.</summary>
    public long MaxContentBytes { get; init; } = 16L * 1024 * 1024 * 1024;

    /// <summary>Longest line in bytes; a ride row is ~150 bytes, a header a few KB.</summary>
    public int MaxLineBytes { get; init; } = 64 * 1024;

    /// <summary>Rows buffered at the start to detect units (g vs m/s², ms vs s) before samples are emitted.</summary>
    public int DetectionRows { get; init; } = 2048;

    public static RideReaderOptions Default { get; } = new();
}
