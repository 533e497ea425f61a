namespace Portal.Core.Storage;

/// <summary>The three logical buckets; each provider maps them to configured bucket or container names.</summary>
public enum BucketKind
{
    Raw,
    Analytics,
    Crash,
}

public sealed record StoredObject(string Key, long Size, DateTimeOffset LastModified, string? ContentType);

/// <summary>
/// Object storage port. Every provider (local disk, S3-compatible, Azure Blob) streams: no member
/// may hold a whole object in memory.
/// </summary>
public interface IObjectStorage
{
    /// <summary>Creates the configured buckets (containers) that do not exist yet.</summary>
    Task EnsureBucketsAsync(CancellationToken cancellationToken);

    /// <summary>Streams <paramref name="content"/> to the object, replacing any object with the same key.</summary>
    Task<StoredObject> PutAsync(BucketKind bucket, string key, Stream content, string contentType, CancellationToken cancellationToken);

    /// <summary>Opens the object for reading. Throws <see cref="ObjectNotFoundException"/> when missing.</summary>
    Task<Stream> OpenReadAsync(BucketKind bucket, string key, CancellationToken cancellationToken);

    /// <summary>Size and date of the object, or null when it does not exist.</summary>
    Task<StoredObject?> GetInfoAsync(BucketKind bucket, string key, CancellationToken cancellationToken);

    IAsyncEnumerable<StoredObject> ListAsync(BucketKind bucket, string prefix, CancellationToken cancellationToken);

    /// <summary>Deletes the object; false when there was nothing to delete.</summary>
    Task<bool> DeleteAsync(BucketKind bucket, string key, CancellationToken cancellationToken);

    Task CopyAsync(BucketKind sourceBucket, string sourceKey, BucketKind targetBucket, string targetKey, CancellationToken cancellationToken);

    /// <summary>
    /// A time-limited link straight to the provider, or null where the provider has none
    /// (local disk): the caller then streams the object through the portal.
    /// </summary>
    Task<Uri?> GetDownloadUriAsync(BucketKind bucket, string key, TimeSpan lifetime, CancellationToken cancellationToken);
}

public sealed class ObjectNotFoundException(BucketKind bucket, string key)
    : Exception($"Object '{key}' does not exist in the {bucket} bucket.")
{
    public BucketKind Bucket { get; } = bucket;
    public string Key { get; } = key;
}

/// <summary>The provider could not be reached or refused for a reason that may pass: retry later.</summary>
public sealed class StorageUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// The object store has no room (a full disk, a provider quota): not the client's fault, and it will not pass by
/// retrying at once. Whatever the failed write had started is removed by the adapter or the caller.
/// </summary>
public sealed class StorageFullException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Recognises "no space" among the errors the file system raises.</summary>
public static class StorageFailures
{
    // ENOSPC (28) and EDQUOT (122) on Linux; ERROR_HANDLE_DISK_FULL (39) and ERROR_DISK_FULL (112) on Windows, raw or as HRESULT.
    private static readonly int[] DiskFullCodes = [28, 122, 39, 112, unchecked((int)0x80070027), unchecked((int)0x80070070)];

    public static bool IsDiskFull(Exception exception) =>
        exception is IOException io && DiskFullCodes.Contains(io.HResult);
}
