using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Portal.Core.Storage;
using Portal.Core.Storage.Azure;
using Portal.Core.Storage.S3;
using static Portal.Tests.Storage.StorageTestSupport;

namespace Portal.Tests.Storage;

/// <summary>A provider that cannot be reached surfaces as <see cref="StorageUnavailableException"/>, never as an SDK exception.</summary>
[Trait("Category", "Storage")]
public sealed class UnreachableStorageTests
{
    // Nothing listens on the discard port of the loopback address: connections are refused at once.
    private const string ClosedEndpoint = "127.0.0.1:9";

    private static CancellationToken Ct => CancellationToken.None;

    [Fact]
    public async Task S3_ConnectionRefused_IsStorageUnavailable_ForEveryOperation()
    {
        var options = UniqueBuckets(StorageProvider.S3);
        options.S3 = new S3StorageOptions { Endpoint = ClosedEndpoint, AccessKey = "a", SecretKey = "b", UseSsl = false };
        using var storage = new S3ObjectStorage(Options.Create(options), TimeProvider.System, NullLogger<S3ObjectStorage>.Instance);

        await Assert.ThrowsAsync<StorageUnavailableException>(() => storage.EnsureBucketsAsync(Ct));
        await Assert.ThrowsAsync<StorageUnavailableException>(() => storage.PutAsync(BucketKind.Raw, "a.csv", Text("x"), "text/csv", Ct));
        await Assert.ThrowsAsync<StorageUnavailableException>(() => storage.OpenReadAsync(BucketKind.Raw, "a.csv", Ct));
        await Assert.ThrowsAsync<StorageUnavailableException>(() => storage.GetInfoAsync(BucketKind.Raw, "a.csv", Ct));
        await Assert.ThrowsAsync<StorageUnavailableException>(async () =>
        {
            await foreach (var item in storage.ListAsync(BucketKind.Raw, "", Ct))
            {
                Assert.Fail($"nothing can be listed, yet {item.Key} was");
            }
        });
    }

    [Fact]
    public async Task Azure_ConnectionRefused_IsStorageUnavailable()
    {
        var options = UniqueBuckets(StorageProvider.AzureBlob);
        options.Azure.ConnectionString =
            $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={Convert.ToBase64String(new byte[64])};BlobEndpoint=http://{ClosedEndpoint}/devstoreaccount1;";
        var storage = new AzureBlobObjectStorage(Options.Create(options), TimeProvider.System, NullLogger<AzureBlobObjectStorage>.Instance);

        await Assert.ThrowsAsync<StorageUnavailableException>(() => storage.GetInfoAsync(BucketKind.Raw, "a.csv", Ct));
    }

    [Fact]
    public async Task S3_MissingBucket_IsStorageUnavailable_NotAMissingObject()
    {
        var options = UniqueBuckets(StorageProvider.S3);
        options.S3 = new S3StorageOptions
        {
            Endpoint = Infrastructure.TestServices.S3Endpoint,
            AccessKey = Infrastructure.TestServices.S3AccessKey,
            SecretKey = Infrastructure.TestServices.S3SecretKey,
            UseSsl = false,
        };
        using var storage = new S3ObjectStorage(Options.Create(options), TimeProvider.System, NullLogger<S3ObjectStorage>.Instance);

        var error = await Assert.ThrowsAsync<StorageUnavailableException>(() => storage.OpenReadAsync(BucketKind.Raw, "a.csv", Ct));
        Assert.Contains(options.Buckets.Raw, error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<StorageUnavailableException>(() => storage.ProbeAsync(Ct));
    }

    [Fact]
    public async Task Azure_MissingContainer_IsStorageUnavailable_NotAMissingObject()
    {
        var options = UniqueBuckets(StorageProvider.AzureBlob);
        options.Azure.ConnectionString = Infrastructure.TestServices.AzureConnectionString;
        var storage = new AzureBlobObjectStorage(Options.Create(options), TimeProvider.System, NullLogger<AzureBlobObjectStorage>.Instance);

        var error = await Assert.ThrowsAsync<StorageUnavailableException>(() => storage.OpenReadAsync(BucketKind.Raw, "a.csv", Ct));
        Assert.Contains(options.Buckets.Raw, error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<StorageUnavailableException>(() => storage.GetInfoAsync(BucketKind.Raw, "a.csv", Ct));
        await Assert.ThrowsAsync<StorageUnavailableException>(() => storage.ProbeAsync(Ct));
    }
}
