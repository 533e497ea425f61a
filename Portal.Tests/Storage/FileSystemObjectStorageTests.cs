using Microsoft.Extensions.Time.Testing;
using Portal.Core.Storage;
using Portal.Core.Storage.FileSystem;
using static Portal.Tests.Storage.StorageTestSupport;

namespace Portal.Tests.Storage;

/// <summary>Local-disk behaviour beyond the contract: atomic writes, crash leftovers, key rotation.</summary>
[Trait("Category", "Storage")]
public sealed class FileSystemObjectStorageTests : IDisposable
{
    private readonly string root = Path.Combine(Path.GetTempPath(), "portal-fs-" + Guid.NewGuid().ToString("N"));
    private readonly StorageOptions options;

    public FileSystemObjectStorageTests()
    {
        options = UniqueBuckets(StorageProvider.FileSystem);
        options.FileSystem.Root = root;
    }

    public void Dispose()
    {
        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static CancellationToken Ct => CancellationToken.None;

    private async Task<FileSystemObjectStorage> ReadyStorageAsync(StorageKeyRing keyRing, TimeProvider? timeProvider = null)
    {
        var storage = FileSystemStorage(options, keyRing, timeProvider);
        await storage.EnsureBucketsAsync(Ct);
        return storage;
    }

    private static async Task<string> ReadTextAsync(IObjectStorage storage, string key)
    {
        await using var read = await storage.OpenReadAsync(BucketKind.Raw, key, Ct);
        return System.Text.Encoding.UTF8.GetString(await ReadAllAsync(read));
    }

    [Fact]
    public async Task UploadFailingHalfway_KeepsThePreviousVersion_AndLeavesNoPartialFile()
    {
        var storage = await ReadyStorageAsync(NewKeyRing("k1"));
        await storage.PutAsync(BucketKind.Raw, "ride.csv", Text("version 1"), "text/csv", Ct);

        await Assert.ThrowsAsync<IOException>(() => storage.PutAsync(BucketKind.Raw, "ride.csv", new FailingStream(300_000), "text/csv", Ct));

        Assert.Equal("version 1", await ReadTextAsync(storage, "ride.csv"));
        Assert.Empty(Directory.GetFiles(Path.Combine(root, ".staging")));
    }

    [Fact]
    public async Task UploadFailingHalfway_OfANewKey_LeavesNoObject()
    {
        var storage = await ReadyStorageAsync(NewKeyRing("k1"));

        await Assert.ThrowsAsync<IOException>(() => storage.PutAsync(BucketKind.Raw, "new/ride.csv", new FailingStream(100_000), "text/csv", Ct));

        Assert.False(await storage.ExistsAsync(BucketKind.Raw, "new/ride.csv", Ct));
        Assert.Empty(await ToListAsync(storage.ListAsync(BucketKind.Raw, "", Ct)));
    }

    [Fact]
    public async Task StagingFilesLeftByACrash_AreDeletedAtStart_OnceStale()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var storage = await ReadyStorageAsync(NewKeyRing("k1"), clock);
        var stale = Path.Combine(root, ".staging", "crashed.tmp");
        var recent = Path.Combine(root, ".staging", "in-flight.tmp");
        await File.WriteAllTextAsync(stale, "partial");
        await File.WriteAllTextAsync(recent, "partial");
        File.SetLastWriteTimeUtc(stale, clock.GetUtcNow().UtcDateTime.AddHours(-2));

        await storage.EnsureBucketsAsync(Ct);

        Assert.False(File.Exists(stale));
        Assert.True(File.Exists(recent), "a write that may still be running is left alone");
    }

    [Fact]
    public async Task Operations_ReportStorageUnavailable_BeforeTheBucketsExist()
    {
        var storage = FileSystemStorage(options, NewKeyRing("k1"));

        await Assert.ThrowsAsync<StorageUnavailableException>(() => storage.PutAsync(BucketKind.Raw, "a.csv", Text("x"), "text/csv", Ct));
        await Assert.ThrowsAsync<StorageUnavailableException>(() => storage.GetInfoAsync(BucketKind.Raw, "a.csv", Ct));
    }

    [Fact]
    public async Task KeyRotation_OldObjectsReadWithTheNewActiveKey_AndRewrapRetiresTheOldKey()
    {
        var oldKey = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
        var newKey = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
        var before = await ReadyStorageAsync(new StorageKeyRing([KeyValuePair.Create("2025", oldKey)], "2025"));
        await before.PutAsync(BucketKind.Raw, "rides/a.csv", Text("old a"), "text/csv", Ct);
        await before.PutAsync(BucketKind.Crash, "rides/b.csv", Text("old b"), "text/csv", Ct);

        var rotated = await ReadyStorageAsync(new StorageKeyRing([KeyValuePair.Create("2025", oldKey), KeyValuePair.Create("2026", newKey)], "2026"));
        Assert.Equal("old a", await ReadTextAsync(rotated, "rides/a.csv"));
        await rotated.PutAsync(BucketKind.Raw, "rides/c.csv", Text("new c"), "text/csv", Ct);

        Assert.Equal(2, await rotated.RewrapAsync(Ct));
        Assert.Equal(0, await rotated.RewrapAsync(Ct));

        var retired = await ReadyStorageAsync(new StorageKeyRing([KeyValuePair.Create("2026", newKey)], "2026"));
        Assert.Equal("old a", await ReadTextAsync(retired, "rides/a.csv"));
        Assert.Equal("new c", await ReadTextAsync(retired, "rides/c.csv"));
        await using var crash = await retired.OpenReadAsync(BucketKind.Crash, "rides/b.csv", Ct);
        Assert.Equal("old b", System.Text.Encoding.UTF8.GetString(await ReadAllAsync(crash)));
    }

    [Fact]
    public async Task TamperedFileOnDisk_FailsToRead_InsteadOfReturningWrongBytes()
    {
        var storage = await ReadyStorageAsync(NewKeyRing("k1"));
        await storage.PutAsync(BucketKind.Raw, "ride.csv", Text(new string('x', 100_000)), "text/csv", Ct);
        var path = Path.Combine(root, options.Buckets.Raw, "ride.csv");
        var bytes = await File.ReadAllBytesAsync(path);
        bytes[^100] ^= 0xFF;
        await File.WriteAllBytesAsync(path, bytes);

        await Assert.ThrowsAsync<InvalidDataException>(() => ReadTextAsync(storage, "ride.csv"));
    }

    [Fact]
    public async Task KeyThatIsAlsoAFolderOfOtherKeys_IsRejectedClearly_AndNothingIsLost()
    {
        var storage = await ReadyStorageAsync(NewKeyRing("k1"));
        await storage.PutAsync(BucketKind.Raw, "rides/a.csv", Text("a"), "text/csv", Ct);

        var folder = await Assert.ThrowsAsync<ArgumentException>(() => storage.PutAsync(BucketKind.Raw, "rides", Text("x"), "text/csv", Ct));
        var below = await Assert.ThrowsAsync<ArgumentException>(() => storage.PutAsync(BucketKind.Raw, "rides/a.csv/b", Text("x"), "text/csv", Ct));

        Assert.Contains("'rides/'", folder.Message, StringComparison.Ordinal);
        Assert.Contains("'rides/a.csv'", below.Message, StringComparison.Ordinal);
        Assert.Equal("a", await ReadTextAsync(storage, "rides/a.csv"));
    }

    private static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (var item in items)
        {
            list.Add(item);
        }

        return list;
    }
}
