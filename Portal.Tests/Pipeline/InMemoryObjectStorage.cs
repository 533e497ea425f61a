using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Portal.Core.Storage;

namespace Portal.Tests.Pipeline;

/// <summary>
/// A test double of the storage port (until the real providers land): objects are byte arrays. Like a
/// real provider it may keep what it read before a failing stream threw, so tests see whether callers clean up.
/// </summary>
public sealed class InMemoryObjectStorage(TimeProvider time) : IObjectStorage
{
    private readonly ConcurrentDictionary<(BucketKind Bucket, string Key), (byte[] Content, string ContentType, DateTimeOffset Modified)> objects = new();

    /// <summary>Set to make the next storage calls fail as if the provider were down.</summary>
    public Exception? FailWith { get; set; }

    public Uri? DownloadBaseUri { get; set; }

    public IReadOnlyCollection<string> Keys(BucketKind bucket) => objects.Keys.Where(k => k.Bucket == bucket).Select(k => k.Key).Order(StringComparer.Ordinal).ToList();

    public byte[] Read(BucketKind bucket, string key) => objects[(bucket, key)].Content;

    public bool Exists(BucketKind bucket, string key) => objects.ContainsKey((bucket, key));

    public Task EnsureBucketsAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task<StoredObject> PutAsync(BucketKind bucket, string key, Stream content, string contentType, CancellationToken cancellationToken)
    {
        ThrowIfFailing();
        using var buffer = new MemoryStream();
        try
        {
            await content.CopyToAsync(buffer, 8192, cancellationToken);
        }
        finally
        {
            // What arrived before a failure stays, as a partially written object would.
            objects[(bucket, key)] = (buffer.ToArray(), contentType, time.GetUtcNow());
        }

        return new StoredObject(key, buffer.Length, time.GetUtcNow(), contentType);
    }

    public Task<Stream> OpenReadAsync(BucketKind bucket, string key, CancellationToken cancellationToken)
    {
        ThrowIfFailing();
        return objects.TryGetValue((bucket, key), out var stored)
            ? Task.FromResult<Stream>(new MemoryStream(stored.Content, writable: false))
            : throw new ObjectNotFoundException(bucket, key);
    }

    public Task<StoredObject?> GetInfoAsync(BucketKind bucket, string key, CancellationToken cancellationToken)
    {
        ThrowIfFailing();
        return Task.FromResult(objects.TryGetValue((bucket, key), out var stored)
            ? new StoredObject(key, stored.Content.Length, stored.Modified, stored.ContentType)
            : null);
    }

    public async IAsyncEnumerable<StoredObject> ListAsync(BucketKind bucket, string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ThrowIfFailing();
        foreach (var ((b, key), stored) in objects.Where(o => o.Key.Bucket == bucket && o.Key.Key.StartsWith(prefix, StringComparison.Ordinal)).ToList())
        {
            await Task.Yield();
            yield return new StoredObject(key, stored.Content.Length, stored.Modified, stored.ContentType);
        }
    }

    public Task<bool> DeleteAsync(BucketKind bucket, string key, CancellationToken cancellationToken)
    {
        ThrowIfFailing();
        return Task.FromResult(objects.TryRemove((bucket, key), out _));
    }

    public Task CopyAsync(BucketKind sourceBucket, string sourceKey, BucketKind targetBucket, string targetKey, CancellationToken cancellationToken)
    {
        ThrowIfFailing();
        if (!objects.TryGetValue((sourceBucket, sourceKey), out var stored))
        {
            throw new ObjectNotFoundException(sourceBucket, sourceKey);
        }

        objects[(targetBucket, targetKey)] = (stored.Content.ToArray(), stored.ContentType, time.GetUtcNow());
        return Task.CompletedTask;
    }

    public Task<Uri?> GetDownloadUriAsync(BucketKind bucket, string key, TimeSpan lifetime, CancellationToken cancellationToken) =>
        Task.FromResult(DownloadBaseUri is null ? null : new Uri(DownloadBaseUri, key));

    private void ThrowIfFailing()
    {
        if (FailWith is { } failure)
        {
            throw failure;
        }
    }
}
