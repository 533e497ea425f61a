namespace Portal.Core.Storage;

/// <summary>Conveniences over the small <see cref="IObjectStorage"/> port.</summary>
public static class ObjectStorageExtensions
{
    public static async Task<bool> ExistsAsync(this IObjectStorage storage, BucketKind bucket, string key, CancellationToken cancellationToken) =>
        await storage.GetInfoAsync(bucket, key, cancellationToken) is not null;

    /// <summary>Stores a local file, streaming it.</summary>
    public static async Task<StoredObject> PutFileAsync(
        this IObjectStorage storage, BucketKind bucket, string key, string path, string contentType, CancellationToken cancellationToken)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, FileOptions.Asynchronous | FileOptions.SequentialScan);
        return await storage.PutAsync(bucket, key, file, contentType, cancellationToken);
    }

    /// <summary>Streams the object into <paramref name="destination"/>.</summary>
    public static async Task CopyToAsync(this IObjectStorage storage, BucketKind bucket, string key, Stream destination, CancellationToken cancellationToken)
    {
        await using var source = await storage.OpenReadAsync(bucket, key, cancellationToken);
        await source.CopyToAsync(destination, cancellationToken);
    }
}
