using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Portal.Core.Storage.FileSystem;

/// <summary>
/// Local-disk storage: one directory per bucket, keys as relative paths, every object envelope-encrypted
/// (see <see cref="EnvelopeEncryption"/>). Writes go to a staging file that is renamed over the key, so a
/// crash mid-write never leaves a partial object under the real key.
/// </summary>
public sealed class FileSystemObjectStorage : IObjectStorage
{
    private const string StagingDirectoryName = ".staging";
    private static readonly TimeSpan StaleStagingAge = TimeSpan.FromHours(1);

    private readonly string root;
    private readonly BucketNames buckets;
    private readonly StorageKeyRing keyRing;
    private readonly TimeProvider timeProvider;
    private readonly ILogger<FileSystemObjectStorage> logger;

    public FileSystemObjectStorage(IOptions<StorageOptions> options, StorageKeyRing keyRing, TimeProvider timeProvider, ILogger<FileSystemObjectStorage> logger)
    {
        var value = options.Value;
        root = Path.GetFullPath(value.FileSystem.Root
            ?? throw new InvalidOperationException("Storage:FileSystem:Root is not set."));
        buckets = value.Buckets;
        this.keyRing = keyRing;
        this.timeProvider = timeProvider;
        this.logger = logger;
    }

    private string StagingDirectory => Path.Combine(root, StagingDirectoryName);

    public Task EnsureBucketsAsync(CancellationToken cancellationToken)
    {
        try
        {
            Directory.CreateDirectory(StagingDirectory);
            foreach (var bucket in Enum.GetValues<BucketKind>())
            {
                Directory.CreateDirectory(BucketDirectory(bucket));
            }

            DeleteStaleStagingFiles();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StorageUnavailableException($"The storage directory {root} cannot be prepared: {e.Message}", e);
        }

        return Task.CompletedTask;
    }

    public async Task<StoredObject> PutAsync(BucketKind bucket, string key, Stream content, string contentType, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        var path = ObjectPath(bucket, key);
        RejectFolderConflicts(bucket, key, path);
        await WriteAtomicallyAsync(
            path,
            (staging, ct) => EnvelopeEncryption.EncryptAsync(content, staging, keyRing, contentType, ct),
            cancellationToken);
        return await GetInfoAsync(bucket, key, cancellationToken)
            ?? throw new StorageUnavailableException($"Object '{key}' vanished right after it was written.");
    }

    public async Task<Stream> OpenReadAsync(BucketKind bucket, string key, CancellationToken cancellationToken)
    {
        var path = ObjectPath(bucket, key);
        var file = OpenObjectFile(bucket, key, path) ?? throw new ObjectNotFoundException(bucket, key);
        return await EnvelopeEncryption.OpenDecryptingAsync(file, keyRing, cancellationToken);
    }

    public async Task<StoredObject?> GetInfoAsync(BucketKind bucket, string key, CancellationToken cancellationToken)
    {
        var path = ObjectPath(bucket, key);
        await using var file = OpenObjectFile(bucket, key, path);
        return file is null ? null : await DescribeAsync(key, file, cancellationToken);
    }

    public async IAsyncEnumerable<StoredObject> ListAsync(BucketKind bucket, string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ObjectKeys.ValidatePrefix(prefix);
        var bucketDirectory = RequireBucketDirectory(bucket);

        // Start at the deepest directory the prefix names, rather than walking the whole bucket.
        var lastSlash = prefix.LastIndexOf('/');
        var start = lastSlash < 0 ? bucketDirectory : Path.Combine(bucketDirectory, prefix[..lastSlash]);
        if (!Directory.Exists(start))
        {
            yield break;
        }

        var keys = Directory.EnumerateFiles(start, "*", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(bucketDirectory, path).Replace(Path.DirectorySeparatorChar, '/'))
            .Where(key => key.StartsWith(prefix, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();
        foreach (var key in keys)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var path = Path.Combine(bucketDirectory, key);
            await using var file = OpenObjectFile(bucket, key, path);
            if (file is not null)
            {
                yield return await DescribeAsync(key, file, cancellationToken);
            }
        }
    }

    public Task<bool> DeleteAsync(BucketKind bucket, string key, CancellationToken cancellationToken)
    {
        var path = ObjectPath(bucket, key);
        RequireBucketDirectory(bucket);
        if (!File.Exists(path))
        {
            return Task.FromResult(false);
        }

        File.Delete(path);
        return Task.FromResult(true);
    }

    public async Task CopyAsync(BucketKind sourceBucket, string sourceKey, BucketKind targetBucket, string targetKey, CancellationToken cancellationToken)
    {
        var sourcePath = ObjectPath(sourceBucket, sourceKey);
        var targetPath = ObjectPath(targetBucket, targetKey);
        RejectFolderConflicts(targetBucket, targetKey, targetPath);

        // The file already is a self-contained encrypted object, so a byte copy is a valid object.
        await using var source = OpenObjectFile(sourceBucket, sourceKey, sourcePath) ?? throw new ObjectNotFoundException(sourceBucket, sourceKey);
        await WriteAtomicallyAsync(targetPath, (staging, ct) => source.CopyToAsync(staging, ct), cancellationToken);
    }

    public Task<Uri?> GetDownloadUriAsync(BucketKind bucket, string key, TimeSpan lifetime, CancellationToken cancellationToken)
    {
        ObjectKeys.Validate(key);
        return Task.FromResult<Uri?>(null);
    }

    /// <summary>
    /// Re-wraps every object's data key under the active key (after a rotation), so old keys can be
    /// retired. Content is not re-encrypted. Returns how many objects were re-wrapped.
    /// </summary>
    public async Task<int> RewrapAsync(CancellationToken cancellationToken)
    {
        var rewrapped = 0;
        foreach (var bucket in Enum.GetValues<BucketKind>())
        {
            await foreach (var stored in ListAsync(bucket, "", cancellationToken))
            {
                var path = ObjectPath(bucket, stored.Key);
                await using var source = OpenObjectFile(bucket, stored.Key, path);
                if (source is null)
                {
                    continue;
                }

                var changed = false;
                await WriteAtomicallyAsync(
                    path,
                    async (staging, ct) => changed = await EnvelopeEncryption.RewrapAsync(source, staging, keyRing, ct),
                    cancellationToken,
                    commit: () => changed);
                rewrapped += changed ? 1 : 0;
            }
        }

        return rewrapped;
    }

    private async Task WriteAtomicallyAsync(string path, Func<Stream, CancellationToken, Task> write, CancellationToken cancellationToken, Func<bool>? commit = null)
    {
        var staging = Path.Combine(StagingDirectory, Guid.NewGuid().ToString("N") + ".tmp");
        try
        {
            try
            {
                await using (var stream = new FileStream(staging, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, FileOptions.Asynchronous))
                {
                    await write(stream, cancellationToken);
                    await stream.FlushAsync(cancellationToken);
                    stream.Flush(flushToDisk: true);
                }

                if (commit is null || commit())
                {
                    Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                    File.Move(staging, path, overwrite: true);
                }
            }
            catch (DirectoryNotFoundException e)
            {
                throw new StorageUnavailableException($"The storage directory {root} is not prepared (EnsureBucketsAsync): {e.Message}", e);
            }
            catch (IOException e) when (StorageFailures.IsDiskFull(e))
            {
                throw new StorageFullException($"The storage volume of {root} is full: {e.Message}", e);
            }
        }
        finally
        {
            if (File.Exists(staging))
            {
                File.Delete(staging);
            }
        }
    }

    private async Task<StoredObject> DescribeAsync(string key, FileStream file, CancellationToken cancellationToken)
    {
        var header = await EnvelopeEncryption.EnvelopeHeader.ReadAsync(file, cancellationToken);
        return new StoredObject(
            key,
            EnvelopeEncryption.PlaintextLength(header, file.Length),
            new DateTimeOffset(File.GetLastWriteTimeUtc(file.Name), TimeSpan.Zero),
            header.ContentType);
    }

    /// <summary>The object file opened for reading, or null when there is no such object.</summary>
    private FileStream? OpenObjectFile(BucketKind bucket, string key, string path)
    {
        RequireBucketDirectory(bucket);
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 81920, FileOptions.Asynchronous | FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (UnauthorizedAccessException) when (Directory.Exists(path))
        {
            // A key that names a "directory" of other keys (e.g. "a" when "a/b" exists) is no object.
            logger.LogDebug("Key {Key} in {Bucket} names a directory, not an object.", key, bucket);
            return null;
        }
    }

    private string ObjectPath(BucketKind bucket, string key)
    {
        ObjectKeys.Validate(key);
        var bucketDirectory = BucketDirectory(bucket);
        var path = Path.GetFullPath(Path.Combine(bucketDirectory, key));

        // Defence in depth: validation already rules out escaping the bucket.
        if (!path.StartsWith(bucketDirectory + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{key}' is not a valid object key: it leaves the bucket.", nameof(key));
        }

        return path;
    }

    /// <summary>
    /// On disk a key cannot also be a folder of other keys ("a" beside "a/b"), which S3 and Azure allow:
    /// say so before anything is written.
    /// </summary>
    private void RejectFolderConflicts(BucketKind bucket, string key, string path)
    {
        var bucketDirectory = RequireBucketDirectory(bucket);
        if (Directory.Exists(path))
        {
            throw new ArgumentException($"'{key}' cannot be stored on local disk: other objects in the {bucket} bucket are stored under '{key}/'.", nameof(key));
        }

        for (var parent = Path.GetDirectoryName(path); parent is not null && parent.Length > bucketDirectory.Length; parent = Path.GetDirectoryName(parent))
        {
            if (File.Exists(parent))
            {
                var conflicting = Path.GetRelativePath(bucketDirectory, parent).Replace(Path.DirectorySeparatorChar, '/');
                throw new ArgumentException($"'{key}' cannot be stored on local disk: the object '{conflicting}' in the {bucket} bucket is in its way.", nameof(key));
            }
        }
    }

    private string BucketDirectory(BucketKind bucket) => Path.Combine(root, buckets.For(bucket));

    private string RequireBucketDirectory(BucketKind bucket)
    {
        var directory = BucketDirectory(bucket);
        return Directory.Exists(directory)
            ? directory
            : throw new StorageUnavailableException($"The {bucket} bucket directory {directory} does not exist (EnsureBucketsAsync creates it).");
    }

    private void DeleteStaleStagingFiles()
    {
        var now = timeProvider.GetUtcNow().UtcDateTime;
        foreach (var file in new DirectoryInfo(StagingDirectory).EnumerateFiles("*.tmp"))
        {
            if (now - file.LastWriteTimeUtc > StaleStagingAge)
            {
                logger.LogInformation("Deleting {File}, left by an interrupted write.", file.FullName);
                file.Delete();
            }
        }
    }
}
