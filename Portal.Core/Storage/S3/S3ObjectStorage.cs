using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Minio;
using Minio.DataModel;
using Minio.DataModel.Args;
using Minio.DataModel.Encryption;
using Minio.Exceptions;

namespace Portal.Core.Storage.S3;

/// <summary>
/// S3-compatible storage (AWS, MinIO, Aruba, …) on the Minio SDK. Uploads stream in parts (the SDK holds
/// one part in memory); downloads stream a presigned GET straight from the HTTP response.
/// </summary>
public sealed class S3ObjectStorage : IObjectStorage, IStorageHealthProbe, IDisposable
{
    /// <summary>Below this an upload is sent in one request; above it the SDK switches to multipart.</summary>
    private const int SinglePutLimit = 5 * 1024 * 1024;

    /// <summary>The Minio SDK stops after this many bytes of a stream of unknown length (10 000 parts × 5 MiB).</summary>
    private const long MaxUnknownLengthUpload = 10_000L * 5 * 1024 * 1024;

    private static readonly TimeSpan MaxPresignLifetime = TimeSpan.FromDays(7);
    private static readonly TimeSpan ReadLinkLifetime = TimeSpan.FromMinutes(5);

    private readonly HttpClient http;
    private readonly IMinioClient client;
    private readonly BucketNames buckets;
    private readonly bool serverSideEncryption;
    private readonly TimeProvider timeProvider;
    private readonly ILogger<S3ObjectStorage> logger;

    public S3ObjectStorage(IOptions<StorageOptions> options, TimeProvider timeProvider, ILogger<S3ObjectStorage> logger)
    {
        this.timeProvider = timeProvider;
        var value = options.Value;
        var s3 = value.S3;
        buckets = value.Buckets;
        serverSideEncryption = s3.ServerSideEncryption;
        this.logger = logger;
        http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), ConnectTimeout = TimeSpan.FromSeconds(10) })
        {
            Timeout = TimeSpan.FromMinutes(5),
        };
        client = new MinioClient()
            .WithEndpoint(s3.Endpoint)
            .WithCredentials(s3.AccessKey, s3.SecretKey)
            .WithSSL(s3.UseSsl)
            .WithRegion(s3.Region)
            .WithHttpClient(http, disposeHttpClient: false)
            .Build();
    }

    public async Task EnsureBucketsAsync(CancellationToken cancellationToken)
    {
        foreach (var bucket in Enum.GetValues<BucketKind>())
        {
            var name = buckets.For(bucket);
            await CallAsync(bucket, null, async () =>
            {
                if (await client.BucketExistsAsync(new BucketExistsArgs().WithBucket(name), cancellationToken))
                {
                    return 0;
                }

                try
                {
                    await client.MakeBucketAsync(new MakeBucketArgs().WithBucket(name), cancellationToken);
                    logger.LogInformation("Created bucket {Bucket}.", name);
                }
                catch (MinioException)
                {
                    // Another process (a worker starting beside the portal) may have created it first.
                    if (!await client.BucketExistsAsync(new BucketExistsArgs().WithBucket(name), cancellationToken))
                    {
                        throw;
                    }
                }

                return 0;
            }, cancellationToken);
        }
    }

    public async Task ProbeAsync(CancellationToken cancellationToken)
    {
        foreach (var bucket in Enum.GetValues<BucketKind>())
        {
            var name = buckets.For(bucket);
            var exists = await CallAsync(bucket, null, () => client.BucketExistsAsync(new BucketExistsArgs().WithBucket(name), cancellationToken), cancellationToken);
            if (!exists)
            {
                throw new StorageUnavailableException($"The {bucket} bucket '{name}' does not exist.");
            }
        }
    }

    public async Task<StoredObject> PutAsync(BucketKind bucket, string key, Stream content, string contentType, CancellationToken cancellationToken)
    {
        ObjectKeys.Validate(key);
        ArgumentNullException.ThrowIfNull(content);
        var args = new PutObjectArgs()
            .WithBucket(buckets.For(bucket))
            .WithObject(key)
            .WithContentType(contentType);
        if (serverSideEncryption)
        {
            args = args.WithServerSideEncryption(new SSES3());
        }

        long size;
        if (content.CanSeek)
        {
            // A known length lets the SDK use its smallest parts (5 MiB), which bounds memory best.
            size = content.Length - content.Position;
            await UploadAsync(bucket, key, args.WithStreamData(content).WithObjectSize(size), size >= SinglePutLimit, cancellationToken);
        }
        else
        {
            size = await PutUnknownLengthAsync(bucket, key, content, args, cancellationToken);
        }

        // S3 does not return the date with the upload; asking for it would double the requests per put.
        return new StoredObject(key, size, timeProvider.GetUtcNow(), contentType);
    }

    /// <summary>
    /// Reads the head first: a small object goes up in one request with its length; a larger one as a
    /// multipart upload of unknown length, so non-seekable request bodies stream without buffering.
    /// </summary>
    private async Task<long> PutUnknownLengthAsync(BucketKind bucket, string key, Stream content, PutObjectArgs args, CancellationToken cancellationToken)
    {
        var head = ArrayPool<byte>.Shared.Rent(SinglePutLimit);
        var headLength = await content.ReadAtLeastAsync(head.AsMemory(0, SinglePutLimit), SinglePutLimit, throwOnEndOfStream: false, cancellationToken);
        if (headLength < SinglePutLimit)
        {
            try
            {
                using var small = new MemoryStream(head, 0, headLength, writable: false);
                await UploadAsync(bucket, key, args.WithStreamData(small).WithObjectSize(headLength), isMultipart: false, cancellationToken);
                return headLength;
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(head);
            }
        }

        await using var body = new PrefixedStream(head, headLength, content, buffer => ArrayPool<byte>.Shared.Return(buffer));
        await UploadAsync(bucket, key, args.WithStreamData(body).WithObjectSize(-1), isMultipart: true, cancellationToken);
        if (await content.ReadAsync(new byte[1], cancellationToken) > 0)
        {
            // The SDK silently stops at its part limit: never keep a truncated object.
            await DeleteAsync(bucket, key, cancellationToken);
            throw new ArgumentException($"Objects of unknown length are limited to {MaxUnknownLengthUpload} bytes on S3.", nameof(content));
        }

        return body.BytesRead;
    }

    private async Task UploadAsync(BucketKind bucket, string key, PutObjectArgs args, bool isMultipart, CancellationToken cancellationToken)
    {
        try
        {
            await CallAsync(bucket, key, () => client.PutObjectAsync(args, cancellationToken), cancellationToken);
        }
        catch when (isMultipart)
        {
            await AbortIncompleteUploadAsync(bucket, key);
            throw;
        }
    }

    public async Task<Stream> OpenReadAsync(BucketKind bucket, string key, CancellationToken cancellationToken)
    {
        // A presigned GET read straight from the response: the SDK's GetObject only hands the body to a
        // callback that must finish before it returns, so it cannot give back a stream.
        var uri = await PresignAsync(bucket, key, ReadLinkLifetime, cancellationToken);
        HttpResponseMessage? response = null;
        try
        {
            response = await http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                var body = await response.Content.ReadAsStreamAsync(cancellationToken);
                var stream = new HttpResponseStream(response, body);
                response = null;
                return stream;
            }

            var error = await ReadErrorAsync(response, cancellationToken);
            if (response.StatusCode == HttpStatusCode.NotFound && error.Contains("<Code>NoSuchKey</Code>", StringComparison.Ordinal))
            {
                throw new ObjectNotFoundException(bucket, key);
            }

            throw new StorageUnavailableException($"Reading '{key}' from the {bucket} bucket failed: {(int)response.StatusCode} {error}");
        }
        catch (Exception e) when (IsUnavailable(e, cancellationToken))
        {
            throw new StorageUnavailableException($"The S3 server cannot be reached: {e.Message}", e);
        }
        finally
        {
            response?.Dispose();
        }
    }

    public async Task<StoredObject?> GetInfoAsync(BucketKind bucket, string key, CancellationToken cancellationToken)
    {
        ObjectKeys.Validate(key);
        try
        {
            var stat = await CallAsync(bucket, key, () => client.StatObjectAsync(new StatObjectArgs().WithBucket(buckets.For(bucket)).WithObject(key), cancellationToken), cancellationToken);
            return new StoredObject(key, stat.Size, AsUtc(stat.LastModified), stat.ContentType);
        }
        catch (ObjectNotFoundException)
        {
            return null;
        }
    }

    public async IAsyncEnumerable<StoredObject> ListAsync(BucketKind bucket, string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ObjectKeys.ValidatePrefix(prefix);
        var args = new ListObjectsArgs().WithBucket(buckets.For(bucket)).WithPrefix(prefix).WithRecursive(true);
        await using var items = client.ListObjectsEnumAsync(args, cancellationToken).GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            Item item;
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

            if (!item.IsDir)
            {
                yield return new StoredObject(item.Key, (long)item.Size, AsUtc(item.LastModifiedDateTime ?? DateTime.UnixEpoch), item.ContentType);
            }
        }
    }

    public async Task<bool> DeleteAsync(BucketKind bucket, string key, CancellationToken cancellationToken)
    {
        // S3 answers a delete of nothing with success, so ask first; a concurrent delete may still win.
        if (await GetInfoAsync(bucket, key, cancellationToken) is null)
        {
            return false;
        }

        await CallAsync(bucket, key, async () =>
        {
            await client.RemoveObjectAsync(new RemoveObjectArgs().WithBucket(buckets.For(bucket)).WithObject(key), cancellationToken);
            return 0;
        }, cancellationToken);
        return true;
    }

    public async Task CopyAsync(BucketKind sourceBucket, string sourceKey, BucketKind targetBucket, string targetKey, CancellationToken cancellationToken)
    {
        ObjectKeys.Validate(sourceKey, nameof(sourceKey));
        ObjectKeys.Validate(targetKey, nameof(targetKey));
        if (await GetInfoAsync(sourceBucket, sourceKey, cancellationToken) is null)
        {
            throw new ObjectNotFoundException(sourceBucket, sourceKey);
        }

        var args = new CopyObjectArgs()
            .WithBucket(buckets.For(targetBucket))
            .WithObject(targetKey)
            .WithCopyObjectSource(new CopySourceObjectArgs().WithBucket(buckets.For(sourceBucket)).WithObject(sourceKey));
        if (serverSideEncryption)
        {
            args = args.WithServerSideEncryption(new SSES3());
        }

        // The server copies; nothing passes through this process (multipart copy above 5 GiB).
        await CallAsync(sourceBucket, sourceKey, async () =>
        {
            await client.CopyObjectAsync(args, cancellationToken);
            return 0;
        }, cancellationToken);
    }

    public async Task<Uri?> GetDownloadUriAsync(BucketKind bucket, string key, TimeSpan lifetime, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(lifetime, TimeSpan.FromSeconds(1));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(lifetime, MaxPresignLifetime);
        return await PresignAsync(bucket, key, lifetime, cancellationToken);
    }

    public void Dispose()
    {
        client.Dispose();
        http.Dispose();
    }

    private async Task<Uri> PresignAsync(BucketKind bucket, string key, TimeSpan lifetime, CancellationToken cancellationToken)
    {
        ObjectKeys.Validate(key);
        var args = new PresignedGetObjectArgs().WithBucket(buckets.For(bucket)).WithObject(key).WithExpiry((int)lifetime.TotalSeconds);
        return new Uri(await CallAsync(bucket, key, () => client.PresignedGetObjectAsync(args), cancellationToken));
    }

    private async Task AbortIncompleteUploadAsync(BucketKind bucket, string key)
    {
        try
        {
            await client.RemoveIncompleteUploadAsync(
                new RemoveIncompleteUploadArgs().WithBucket(buckets.For(bucket)).WithObject(key), CancellationToken.None);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Could not abort the incomplete upload of {Key} in {Bucket}; a bucket lifecycle rule should expire it.", key, bucket);
        }
    }

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
        Minio.Exceptions.ObjectNotFoundException when key is not null => new ObjectNotFoundException(bucket, key),
        BucketNotFoundException => new StorageUnavailableException($"The {bucket} bucket '{buckets.For(bucket)}' does not exist (EnsureBucketsAsync creates it).", e),
        ErrorResponseException { Response.Code: "NoSuchKey" } when key is not null => new ObjectNotFoundException(bucket, key),
        ErrorResponseException { Response.Code: "NoSuchBucket" } => new StorageUnavailableException($"The {bucket} bucket '{buckets.For(bucket)}' does not exist (EnsureBucketsAsync creates it).", e),
        ErrorResponseException { Response.Code: "XMinioStorageFull" or "XMinioAdminBucketQuotaExceeded" or "QuotaExceeded" or "InsufficientStorage" } =>
            new StorageFullException($"The S3 {bucket} bucket '{buckets.For(bucket)}' has no room left: {e.Message}", e),
        MinioException => new StorageUnavailableException($"The S3 server refused the request on the {bucket} bucket: {e.Message}", e),
        _ when IsUnavailable(e, cancellationToken) => new StorageUnavailableException($"The S3 server cannot be reached: {e.Message}", e),
        _ => null,
    };

    private static bool IsUnavailable(Exception e, CancellationToken cancellationToken) =>
        e is HttpRequestException or SocketException or IOException
        || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested);

    private static async Task<string> ReadErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        // Error bodies are small XML documents; never read more than a few KiB of whatever came back.
        var buffer = new byte[8192];
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        var read = await body.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken);
        return System.Text.Encoding.UTF8.GetString(buffer, 0, read);
    }

    private static DateTimeOffset AsUtc(DateTime value) => value.Kind switch
    {
        DateTimeKind.Local => new DateTimeOffset(value.ToUniversalTime(), TimeSpan.Zero),
        _ => new DateTimeOffset(DateTime.SpecifyKind(value, DateTimeKind.Utc), TimeSpan.Zero),
    };
}
