using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Azure;
using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Sas;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Portal.Core.Storage.Azure;

/// <summary>
/// Azure Blob storage: one container per bucket, block blobs uploaded in 4 MiB blocks, downloads streamed
/// from the response. Azure encrypts every blob at rest (Storage Service Encryption), so there is nothing to
/// switch on here.
/// </summary>
public sealed class AzureBlobObjectStorage : IObjectStorage, IStorageHealthProbe
{
    private const int BlockSize = 4 * 1024 * 1024;

    private readonly BlobServiceClient service;
    private readonly BucketNames buckets;
    private readonly TimeProvider timeProvider;
    private readonly ILogger<AzureBlobObjectStorage> logger;

    public AzureBlobObjectStorage(IOptions<StorageOptions> options, TimeProvider timeProvider, ILogger<AzureBlobObjectStorage> logger)
    {
        var value = options.Value;
        buckets = value.Buckets;
        this.timeProvider = timeProvider;
        this.logger = logger;
        var clientOptions = new BlobClientOptions();
        clientOptions.Retry.MaxRetries = 3;
        clientOptions.Retry.NetworkTimeout = TimeSpan.FromMinutes(2);
        service = new BlobServiceClient(value.Azure.ConnectionString, clientOptions);
    }

    public async Task EnsureBucketsAsync(CancellationToken cancellationToken)
    {
        foreach (var bucket in Enum.GetValues<BucketKind>())
        {
            var created = await CallAsync(bucket, null, () => Container(bucket).CreateIfNotExistsAsync(cancellationToken: cancellationToken), cancellationToken);
            if (created is not null)
            {
                logger.LogInformation("Created container {Container}.", buckets.For(bucket));
            }
        }
    }

    public async Task ProbeAsync(CancellationToken cancellationToken)
    {
        foreach (var bucket in Enum.GetValues<BucketKind>())
        {
            var exists = await CallAsync(bucket, null, () => Container(bucket).ExistsAsync(cancellationToken), cancellationToken);
            if (!exists.Value)
            {
                throw new StorageUnavailableException($"The {bucket} container '{buckets.For(bucket)}' does not exist.");
            }
        }
    }

    public async Task<StoredObject> PutAsync(BucketKind bucket, string key, Stream content, string contentType, CancellationToken cancellationToken)
    {
        ObjectKeys.Validate(key);
        ArgumentNullException.ThrowIfNull(content);
        var upload = new BlobUploadOptions
        {
            HttpHeaders = new BlobHttpHeaders { ContentType = contentType },

            // Bounded memory: at most MaximumConcurrency blocks are buffered while they upload.
            TransferOptions = new StorageTransferOptions
            {
                InitialTransferSize = BlockSize,
                MaximumTransferSize = BlockSize,
                MaximumConcurrency = 2,
            },
        };
        // Seekable sources keep their length (one request when small, and retries can rewind); others are counted.
        var counted = content.CanSeek ? null : new CountingReadStream(content);
        var size = content.CanSeek ? content.Length - content.Position : 0;
        var uploaded = await CallAsync(bucket, key, () => Blob(bucket, key).UploadAsync(counted ?? content, upload, cancellationToken), cancellationToken);
        return new StoredObject(key, counted?.BytesRead ?? size, uploaded.Value.LastModified, contentType);
    }

    public async Task<Stream> OpenReadAsync(BucketKind bucket, string key, CancellationToken cancellationToken)
    {
        ObjectKeys.Validate(key);
        var download = await CallAsync(bucket, key, () => Blob(bucket, key).DownloadStreamingAsync(cancellationToken: cancellationToken), cancellationToken);
        return download.Value.Content;
    }

    public async Task<StoredObject?> GetInfoAsync(BucketKind bucket, string key, CancellationToken cancellationToken)
    {
        ObjectKeys.Validate(key);
        try
        {
            var properties = await CallAsync(bucket, key, () => Blob(bucket, key).GetPropertiesAsync(cancellationToken: cancellationToken), cancellationToken);
            return new StoredObject(key, properties.Value.ContentLength, properties.Value.LastModified, properties.Value.ContentType);
        }
        catch (ObjectNotFoundException)
        {
            return null;
        }
    }

    public async IAsyncEnumerable<StoredObject> ListAsync(BucketKind bucket, string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ObjectKeys.ValidatePrefix(prefix);
        var blobs = Container(bucket).GetBlobsAsync(new GetBlobsOptions { Prefix = prefix }, cancellationToken);
        await using var items = blobs.GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            BlobItem item;
            try
            {
                if (!await items.MoveNextAsync())
                {
                    yield break;
                }

                item = items.Current;
            }
            catch (Exception e) when (Map(e, bucket, null, cancellationToken) is { } mapped)
            {
                throw mapped;
            }

            yield return new StoredObject(
                item.Name, item.Properties.ContentLength ?? 0, item.Properties.LastModified ?? DateTimeOffset.UnixEpoch, item.Properties.ContentType);
        }
    }

    public async Task<bool> DeleteAsync(BucketKind bucket, string key, CancellationToken cancellationToken)
    {
        ObjectKeys.Validate(key);
        var deleted = await CallAsync(bucket, key, () => Blob(bucket, key).DeleteIfExistsAsync(cancellationToken: cancellationToken), cancellationToken);
        return deleted.Value;
    }

    public async Task CopyAsync(BucketKind sourceBucket, string sourceKey, BucketKind targetBucket, string targetKey, CancellationToken cancellationToken)
    {
        ObjectKeys.Validate(sourceKey, nameof(sourceKey));
        ObjectKeys.Validate(targetKey, nameof(targetKey));
        var source = Blob(sourceBucket, sourceKey);

        // Same account: the service copies server-side, authorised by the account's own credential.
        var operation = await CallAsync(sourceBucket, sourceKey, () => Blob(targetBucket, targetKey).StartCopyFromUriAsync(source.Uri, cancellationToken: cancellationToken), cancellationToken);
        await CallAsync(targetBucket, targetKey, () => operation.WaitForCompletionAsync(TimeSpan.FromMilliseconds(200), cancellationToken).AsTask(), cancellationToken);
    }

    public Task<Uri?> GetDownloadUriAsync(BucketKind bucket, string key, TimeSpan lifetime, CancellationToken cancellationToken)
    {
        ObjectKeys.Validate(key);
        ArgumentOutOfRangeException.ThrowIfLessThan(lifetime, TimeSpan.FromSeconds(1));
        var blob = Blob(bucket, key);

        // A SAS needs the account key; with other credentials the portal streams instead.
        return Task.FromResult(blob.CanGenerateSasUri
            ? blob.GenerateSasUri(BlobSasPermissions.Read, timeProvider.GetUtcNow() + lifetime)
            : null);
    }

    private BlobContainerClient Container(BucketKind bucket) => service.GetBlobContainerClient(buckets.For(bucket));

    private BlobClient Blob(BucketKind bucket, string key) => Container(bucket).GetBlobClient(key);

    private async Task<T> CallAsync<T>(BucketKind bucket, string? key, Func<Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call();
        }
        catch (Exception e) when (Map(e, bucket, key, cancellationToken) is { } mapped)
        {
            throw mapped;
        }
    }

    private Exception? Map(Exception e, BucketKind bucket, string? key, CancellationToken cancellationToken) => e switch
    {
        RequestFailedException { ErrorCode: "ContainerNotFound" } =>
            new StorageUnavailableException($"The {bucket} container '{buckets.For(bucket)}' does not exist (EnsureBucketsAsync creates it).", e),
        RequestFailedException { Status: 404 } when key is not null => new ObjectNotFoundException(bucket, key),
        RequestFailedException { ErrorCode: "CannotVerifyCopySource" } when key is not null => new ObjectNotFoundException(bucket, key),
        RequestFailedException { Status: 507 } or RequestFailedException { ErrorCode: "InsufficientStorage" or "AccountQuotaExceeded" } =>
            new StorageFullException($"The Azure {bucket} container '{buckets.For(bucket)}' has no room left: {e.Message}", e),
        RequestFailedException { Status: 0 } => new StorageUnavailableException($"Azure Blob storage cannot be reached: {e.Message}", e),
        RequestFailedException failed => new StorageUnavailableException($"Azure Blob storage refused the request on the {bucket} container: {failed.Status} {failed.ErrorCode}", e),
        AggregateException or HttpRequestException or SocketException or IOException =>
            new StorageUnavailableException($"Azure Blob storage cannot be reached: {e.Message}", e),
        TaskCanceledException when !cancellationToken.IsCancellationRequested => new StorageUnavailableException($"Azure Blob storage timed out: {e.Message}", e),
        _ => null,
    };
}
