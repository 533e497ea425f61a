using Azure.Storage.Blobs;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Minio;
using Minio.DataModel.Args;
using Portal.Core.Storage;
using Portal.Core.Storage.Azure;
using Portal.Core.Storage.FileSystem;
using Portal.Core.Storage.S3;
using Portal.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Portal.Tests.Storage;

public sealed class FileSystemStorageFixture : IAsyncLifetime
{
    public string Root { get; } = Path.Combine(Path.GetTempPath(), "portal-storage-" + Guid.NewGuid().ToString("N"));

    public StorageOptions Options { get; } = StorageTestSupport.UniqueBuckets(StorageProvider.FileSystem);

    public FileSystemObjectStorage Storage { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Options.FileSystem.Root = Root;
        Storage = StorageTestSupport.FileSystemStorage(Options, StorageTestSupport.NewKeyRing("contract-key"));
        await Storage.EnsureBucketsAsync(CancellationToken.None);
    }

    public Task DisposeAsync()
    {
        Directory.Delete(Root, recursive: true);
        return Task.CompletedTask;
    }
}

public sealed class S3StorageFixture : IAsyncLifetime
{
    public StorageOptions Options { get; } = StorageTestSupport.UniqueBuckets(StorageProvider.S3);

    public S3ObjectStorage Storage { get; private set; } = null!;

    public Task InitializeAsync()
    {
        Options.S3 = new S3StorageOptions
        {
            Endpoint = TestServices.S3Endpoint,
            AccessKey = TestServices.S3AccessKey,
            SecretKey = TestServices.S3SecretKey,
            UseSsl = false,
        };
        Storage = new S3ObjectStorage(Microsoft.Extensions.Options.Options.Create(Options), TimeProvider.System, NullLogger<S3ObjectStorage>.Instance);
        return Storage.EnsureBucketsAsync(CancellationToken.None);
    }

    /// <summary>A plain SDK client for checks and clean-up the port does not offer.</summary>
    public IMinioClient NewClient() => new MinioClient()
        .WithEndpoint(Options.S3.Endpoint)
        .WithCredentials(Options.S3.AccessKey, Options.S3.SecretKey)
        .WithSSL(false)
        .WithRegion(Options.S3.Region)
        .Build();

    public async Task DisposeAsync()
    {
        // The emulator keeps objects in memory and is shared: leave nothing behind.
        using var client = NewClient();
        foreach (var bucket in new[] { Options.Buckets.Raw, Options.Buckets.Analytics, Options.Buckets.Crash })
        {
            var keys = new List<string>();
            await foreach (var item in client.ListObjectsEnumAsync(new ListObjectsArgs().WithBucket(bucket).WithRecursive(true)))
            {
                keys.Add(item.Key);
            }

            foreach (var key in keys)
            {
                await client.RemoveObjectAsync(new RemoveObjectArgs().WithBucket(bucket).WithObject(key));
            }

            await client.RemoveBucketAsync(new RemoveBucketArgs().WithBucket(bucket));
        }

        Storage.Dispose();
    }
}

public sealed class AzureStorageFixture : IAsyncLifetime
{
    public StorageOptions Options { get; } = StorageTestSupport.UniqueBuckets(StorageProvider.AzureBlob);

    public AzureBlobObjectStorage Storage { get; private set; } = null!;

    public Task InitializeAsync()
    {
        Options.Azure.ConnectionString = TestServices.AzureConnectionString;
        Storage = new AzureBlobObjectStorage(Microsoft.Extensions.Options.Options.Create(Options), TimeProvider.System, NullLogger<AzureBlobObjectStorage>.Instance);
        return Storage.EnsureBucketsAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        var service = new BlobServiceClient(Options.Azure.ConnectionString);
        foreach (var container in new[] { Options.Buckets.Raw, Options.Buckets.Analytics, Options.Buckets.Crash })
        {
            await service.GetBlobContainerClient(container).DeleteIfExistsAsync();
        }
    }
}

[Collection(StorageContractCollection.Name)]
[Trait("Category", "Storage")]
public sealed class FileSystemObjectStorageContractTests(FileSystemStorageFixture fixture, ITestOutputHelper output)
    : ObjectStorageContract(fixture.Storage, output), IClassFixture<FileSystemStorageFixture>
{
    protected override bool HasDownloadLinks => false;

    [Fact]
    public async Task BytesOnDisk_AreNotThePlaintext()
    {
        var plaintext = string.Concat(Enumerable.Repeat("time,speed,lean\n0.01,87.5,41.2\n", 200));
        await Storage.PutAsync(BucketKind.Raw, Unique + "secret.csv", StorageTestSupport.Text(plaintext), "text/csv", CancellationToken.None);

        var onDisk = await File.ReadAllBytesAsync(Path.Combine(fixture.Root, fixture.Options.Buckets.Raw, Unique, "secret.csv"));

        var asText = System.Text.Encoding.Latin1.GetString(onDisk);
        Assert.DoesNotContain("time,speed", asText, StringComparison.Ordinal);
        Assert.DoesNotContain("87.5", asText, StringComparison.Ordinal);
        Assert.True(onDisk.Length > plaintext.Length, "the file holds a header and authentication tags besides the content");
    }
}

[Collection(StorageContractCollection.Name)]
[Trait("Category", "Storage")]
public sealed class S3ObjectStorageContractTests(S3StorageFixture fixture, ITestOutputHelper output)
    : ObjectStorageContract(fixture.Storage, output), IClassFixture<S3StorageFixture>
{
    protected override bool HasDownloadLinks => true;

    /// <summary>S3 pages listings at 1000 keys: 1010 objects need a continuation request.</summary>
    protected override int ManyObjectsCount => 1010;

    /// <summary>
    /// An upload of unknown length goes up in 10 MiB parts, and Minio 7.0.0 holds several copies of the part
    /// in flight (the part buffer, the payload hash input over plain HTTP, the request content). Bounded by
    /// the part size, not the object size.
    /// </summary>
    protected override long MaxLiveHeapGrowth => 80L * 1024 * 1024;

    /// <summary>
    /// The Minio SDK allocates a fresh buffer for every 5–10 MiB part it uploads (garbage right after), so
    /// upload allocations match the object size even though at most one part is alive at a time, which the
    /// live-heap samples check. Downloads are read straight from the response and stay small.
    /// </summary>
    protected override void AssertAllocationsBounded(long uploadAllocated, long downloadAllocated, long objectSize, string report)
    {
        Assert.True(uploadAllocated < objectSize * 4, $"uploading allocated {uploadAllocated} bytes for a {objectSize}-byte object: {report}");
        Assert.True(downloadAllocated < objectSize / 4, $"downloading allocated {downloadAllocated} bytes for a {objectSize}-byte object: {report}");
    }

    [Fact]
    public async Task Objects_AreStoredWithServerSideEncryption()
    {
        var key = Unique + "encrypted.csv";
        await Storage.PutAsync(BucketKind.Raw, key, StorageTestSupport.Text("x"), "text/csv", CancellationToken.None);

        using var client = fixture.NewClient();
        var stat = await client.StatObjectAsync(new StatObjectArgs().WithBucket(fixture.Options.Buckets.Raw).WithObject(key));

        var headers = stat.ExtraHeaders.Concat(stat.MetaData).ToDictionary(pair => pair.Key, pair => pair.Value, StringComparer.OrdinalIgnoreCase);
        Assert.Equal("AES256", headers.GetValueOrDefault("x-amz-server-side-encryption"));
    }
}

[Collection(StorageContractCollection.Name)]
[Trait("Category", "Storage")]
public sealed class AzureBlobObjectStorageContractTests(AzureStorageFixture fixture, ITestOutputHelper output)
    : ObjectStorageContract(fixture.Storage, output), IClassFixture<AzureStorageFixture>
{
    protected override bool HasDownloadLinks => true;
}
