using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Portal.Core.Storage;
using Xunit.Abstractions;
using static Portal.Tests.Storage.StorageTestSupport;

namespace Portal.Tests.Storage;

/// <summary>
/// What every <see cref="IObjectStorage"/> provider must do. Each provider runs it through a subclass
/// against a real backend (temp directory, the S3 emulator, Azurite) with buckets unique to that class.
/// </summary>
[Trait("Category", "Storage")]
public abstract class ObjectStorageContract(IObjectStorage storage, ITestOutputHelper output)
{
    /// <summary>Over 100 MB, and not a multiple of any chunk or part size.</summary>
    private const long LargeObjectSize = (105L * 1024 * 1024) + 12_345;

    private const long ProbeEvery = 16L * 1024 * 1024;

    protected IObjectStorage Storage { get; } = storage;

    /// <summary>Whether the provider hands out time-limited links (null means the portal streams instead).</summary>
    protected abstract bool HasDownloadLinks { get; }

    /// <summary>How many objects the listing test writes: past the provider's page size where that is affordable.</summary>
    protected virtual int ManyObjectsCount => 300;

    /// <summary>
    /// The most the live heap may grow while a large object moves. Holding the object (or most of it) would
    /// show as ~100 MiB at the later samples; streaming providers stay at a few buffers.
    /// </summary>
    protected virtual long MaxLiveHeapGrowth => 24L * 1024 * 1024;

    /// <summary>A key prefix unique to one test, so tests sharing the class's buckets never meet.</summary>
    protected string Unique { get; } = $"test-{Guid.NewGuid():N}/";

    private static CancellationToken Ct => CancellationToken.None;

    [Fact]
    public async Task Put_ThenOpenRead_ReturnsTheSameBytes()
    {
        var key = Unique + "rides/ride-1.csv";

        var stored = await Storage.PutAsync(BucketKind.Raw, key, Text("time,speed\n0,12.5\n"), "text/csv", Ct);

        Assert.Equal(key, stored.Key);
        Assert.Equal(18, stored.Size);
        await using var read = await Storage.OpenReadAsync(BucketKind.Raw, key, Ct);
        Assert.Equal("time,speed\n0,12.5\n", Encoding.UTF8.GetString(await ReadAllAsync(read)));
    }

    [Fact]
    public async Task OpenRead_StreamsInSmallReads_AcrossInternalChunkBoundaries()
    {
        var key = Unique + "binary.bin";
        var content = RandomNumberGenerator.GetBytes(200_003);
        await Storage.PutAsync(BucketKind.Analytics, key, new MemoryStream(content), "application/octet-stream", Ct);

        await using var read = await Storage.OpenReadAsync(BucketKind.Analytics, key, Ct);
        var received = new MemoryStream();
        var buffer = new byte[4093];
        int count;
        while ((count = await read.ReadAsync(buffer.AsMemory(0, Random.Shared.Next(1, buffer.Length)), Ct)) > 0)
        {
            received.Write(buffer, 0, count);
        }

        Assert.Equal(content, received.ToArray());
    }

    [Fact]
    public async Task GetInfo_ReturnsSizeContentTypeAndLastModified()
    {
        var key = Unique + "info.json";
        var before = DateTimeOffset.UtcNow.AddMinutes(-5);

        await Storage.PutAsync(BucketKind.Analytics, key, Text("{\"a\":1}"), "application/json", Ct);
        var info = await Storage.GetInfoAsync(BucketKind.Analytics, key, Ct);

        Assert.NotNull(info);
        Assert.Equal(key, info.Key);
        Assert.Equal(7, info.Size);
        Assert.Equal("application/json", info.ContentType);
        Assert.InRange(info.LastModified, before, DateTimeOffset.UtcNow.AddMinutes(5));
    }

    [Fact]
    public async Task GetInfo_ReturnsNull_WhenTheObjectDoesNotExist()
    {
        Assert.Null(await Storage.GetInfoAsync(BucketKind.Raw, Unique + "missing.csv", Ct));
    }

    [Fact]
    public async Task OpenRead_ThrowsObjectNotFound_WhenTheObjectDoesNotExist()
    {
        var error = await Assert.ThrowsAsync<ObjectNotFoundException>(() => Storage.OpenReadAsync(BucketKind.Crash, Unique + "missing.csv", Ct));

        Assert.Equal(BucketKind.Crash, error.Bucket);
        Assert.Equal(Unique + "missing.csv", error.Key);
    }

    [Fact]
    public async Task List_ReturnsExactlyTheKeysUnderThePrefix_IncludingNestedOnes()
    {
        string[] inside = ["r/a.csv", "r/b/c.csv", "r/b/d/e.csv", "r2.csv"];
        string[] outside = ["s/a.csv", "q.csv"];
        foreach (var key in inside.Concat(outside))
        {
            await Storage.PutAsync(BucketKind.Raw, Unique + key, Text(key), "text/csv", Ct);
        }

        var underR = await ListKeysAsync(Unique + "r");
        var underRSlash = await ListKeysAsync(Unique + "r/");
        var underRB = await ListKeysAsync(Unique + "r/b/");

        Assert.Equal(inside.Select(key => Unique + key).Order(StringComparer.Ordinal), underR.Order(StringComparer.Ordinal));
        Assert.Equal(new[] { "r/a.csv", "r/b/c.csv", "r/b/d/e.csv" }.Select(key => Unique + key), underRSlash.Order(StringComparer.Ordinal));
        Assert.Equal(new[] { "r/b/c.csv", "r/b/d/e.csv" }.Select(key => Unique + key), underRB.Order(StringComparer.Ordinal));
        Assert.Empty(await ListKeysAsync(Unique + "nothing-here/"));
    }

    [Fact]
    public async Task List_ReportsSizes()
    {
        await Storage.PutAsync(BucketKind.Raw, Unique + "sized.csv", new MemoryStream(new byte[1234]), "text/csv", Ct);

        var listed = await ToListAsync(Storage.ListAsync(BucketKind.Raw, Unique, Ct));

        var only = Assert.Single(listed);
        Assert.Equal(1234, only.Size);
    }

    [Fact]
    public async Task List_ReturnsEveryObject_OfAManyObjectPrefix()
    {
        var keys = Enumerable.Range(0, ManyObjectsCount).Select(i => $"{Unique}many/{i:D5}.csv").ToList();
        await Parallel.ForEachAsync(keys, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (key, ct) =>
            await Storage.PutAsync(BucketKind.Analytics, key, new MemoryStream([1, 2, 3]), "text/csv", ct));

        var listed = await ToListAsync(Storage.ListAsync(BucketKind.Analytics, Unique + "many/", Ct));

        Assert.Equal(keys, listed.Select(item => item.Key).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Delete_ReturnsTrue_ThenFalse_AndTheObjectIsGone()
    {
        var key = Unique + "to-delete.csv";
        await Storage.PutAsync(BucketKind.Raw, key, Text("x"), "text/csv", Ct);

        Assert.True(await Storage.DeleteAsync(BucketKind.Raw, key, Ct));
        Assert.False(await Storage.DeleteAsync(BucketKind.Raw, key, Ct));
        Assert.Null(await Storage.GetInfoAsync(BucketKind.Raw, key, Ct));
        await Assert.ThrowsAsync<ObjectNotFoundException>(() => Storage.OpenReadAsync(BucketKind.Raw, key, Ct));
    }

    [Fact]
    public async Task Copy_ToAnotherBucket_CopiesContentAndType_AndKeepsTheSource()
    {
        var source = Unique + "crash-ride.csv";
        var target = Unique + "copied/crash-ride.csv";
        await Storage.PutAsync(BucketKind.Raw, source, Text("time,speed\n"), "text/csv", Ct);

        await Storage.CopyAsync(BucketKind.Raw, source, BucketKind.Crash, target, Ct);

        await using (var read = await Storage.OpenReadAsync(BucketKind.Crash, target, Ct))
        {
            Assert.Equal("time,speed\n", Encoding.UTF8.GetString(await ReadAllAsync(read)));
        }

        Assert.Equal("text/csv", (await Storage.GetInfoAsync(BucketKind.Crash, target, Ct))?.ContentType);
        Assert.True(await Storage.ExistsAsync(BucketKind.Raw, source, Ct));
    }

    [Fact]
    public async Task Copy_ThrowsObjectNotFound_WhenTheSourceDoesNotExist()
    {
        var error = await Assert.ThrowsAsync<ObjectNotFoundException>(
            () => Storage.CopyAsync(BucketKind.Raw, Unique + "absent.csv", BucketKind.Crash, Unique + "absent.csv", Ct));

        Assert.Equal(BucketKind.Raw, error.Bucket);
        Assert.False(await Storage.ExistsAsync(BucketKind.Crash, Unique + "absent.csv", Ct));
    }

    [Fact]
    public async Task Exists_IsTrueAfterPut_AndFalseAfterDelete()
    {
        var key = Unique + "exists.csv";
        Assert.False(await Storage.ExistsAsync(BucketKind.Raw, key, Ct));

        await Storage.PutAsync(BucketKind.Raw, key, Text("x"), "text/csv", Ct);
        Assert.True(await Storage.ExistsAsync(BucketKind.Raw, key, Ct));

        await Storage.DeleteAsync(BucketKind.Raw, key, Ct);
        Assert.False(await Storage.ExistsAsync(BucketKind.Raw, key, Ct));
    }

    [Fact]
    public async Task Put_ReplacesAnExistingObject()
    {
        var key = Unique + "overwrite.csv";
        await Storage.PutAsync(BucketKind.Raw, key, Text("first version, longer"), "text/csv", Ct);

        var stored = await Storage.PutAsync(BucketKind.Raw, key, Text("second"), "text/plain", Ct);

        Assert.Equal(6, stored.Size);
        await using var read = await Storage.OpenReadAsync(BucketKind.Raw, key, Ct);
        Assert.Equal("second", Encoding.UTF8.GetString(await ReadAllAsync(read)));
        Assert.Equal("text/plain", (await Storage.GetInfoAsync(BucketKind.Raw, key, Ct))?.ContentType);
    }

    [Fact]
    public async Task Put_StoresAnEmptyObject()
    {
        var key = Unique + "empty.csv";

        var stored = await Storage.PutAsync(BucketKind.Raw, key, new MemoryStream(), "text/csv", Ct);

        Assert.Equal(0, stored.Size);
        await using var read = await Storage.OpenReadAsync(BucketKind.Raw, key, Ct);
        Assert.Empty(await ReadAllAsync(read));
    }

    [Fact]
    public async Task Keys_WithSpacesAndNonAsciiCharacters_RoundTrip()
    {
        var key = Unique + "Rider Ünal/2026-11-28 ride #1 (Mugello).csv";

        await Storage.PutAsync(BucketKind.Raw, key, Text("ok"), "text/csv", Ct);

        Assert.Equal([key], await ListKeysAsync(Unique + "Rider Ünal/"));
        await using var read = await Storage.OpenReadAsync(BucketKind.Raw, key, Ct);
        Assert.Equal("ok", Encoding.UTF8.GetString(await ReadAllAsync(read)));
    }

    [Fact]
    public async Task DownloadUri_IsAWorkingTimeLimitedLink_OrNullWhereThePortalStreams()
    {
        var key = Unique + "linked file.csv";
        await Storage.PutAsync(BucketKind.Analytics, key, Text("downloadable"), "text/csv", Ct);

        var uri = await Storage.GetDownloadUriAsync(BucketKind.Analytics, key, TimeSpan.FromMinutes(5), Ct);

        if (!HasDownloadLinks)
        {
            Assert.Null(uri);
            return;
        }

        Assert.NotNull(uri);
        using var http = new HttpClient();
        Assert.Equal("downloadable", await http.GetStringAsync(uri));
    }

    [Theory]
    [InlineData("../escape.csv")]
    [InlineData("a/../../escape.csv")]
    [InlineData("a/..")]
    [InlineData("/absolute.csv")]
    [InlineData("a\\b.csv")]
    [InlineData("a//b.csv")]
    [InlineData("a/./b.csv")]
    [InlineData("ends-with-slash/")]
    [InlineData("")]
    [InlineData("tab\there.csv")]
    public async Task InvalidKeys_AreRejectedByEveryOperation(string badKey)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Storage.PutAsync(BucketKind.Raw, badKey, Text("x"), "text/csv", Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => Storage.OpenReadAsync(BucketKind.Raw, badKey, Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => Storage.GetInfoAsync(BucketKind.Raw, badKey, Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => Storage.DeleteAsync(BucketKind.Raw, badKey, Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => Storage.CopyAsync(BucketKind.Raw, badKey, BucketKind.Crash, "fine.csv", Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => Storage.CopyAsync(BucketKind.Raw, "fine.csv", BucketKind.Crash, badKey, Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => Storage.GetDownloadUriAsync(BucketKind.Raw, badKey, TimeSpan.FromMinutes(1), Ct));
    }

    [Theory]
    [InlineData("../")]
    [InlineData("/rides/")]
    [InlineData("a\\")]
    public async Task InvalidPrefixes_AreRejectedByList(string badPrefix)
    {
        await Assert.ThrowsAsync<ArgumentException>(async () => await ToListAsync(Storage.ListAsync(BucketKind.Raw, badPrefix, Ct)));
    }

    [Fact]
    public async Task LargeObject_StreamsUpAndDown_WithBoundedMemory()
    {
        var key = Unique + "large.bin";
        var heap = new LiveHeapProbe();
        var clock = Stopwatch.StartNew();
        using var allocations = new AllocationMeter();
        allocations.Start();
        using var source = new SeededStream(seed: 20261128, LargeObjectSize, ProbeEvery, heap.Sample);
        var stored = await Storage.PutAsync(BucketKind.Raw, key, source, "application/octet-stream", Ct);
        await allocations.StopAsync();
        var uploadAllocated = allocations.Bytes;
        var uploadReport = allocations.Report();
        var uploadTime = clock.Elapsed;

        allocations.Start();
        using var downloaded = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long received = 0;
        await using (var read = await Storage.OpenReadAsync(BucketKind.Raw, key, Ct))
        {
            var buffer = new byte[81920];
            int count;
            while ((count = await read.ReadAsync(buffer, Ct)) > 0)
            {
                downloaded.AppendData(buffer, 0, count);
                if ((received + count) / ProbeEvery > received / ProbeEvery)
                {
                    heap.Sample();
                }

                received += count;
            }
        }

        await allocations.StopAsync();
        var downloadAllocated = allocations.Bytes;
        var downloadReport = allocations.Report();
        output.WriteLine(
            $"{Storage.GetType().Name}: object {LargeObjectSize / 1048576.0:F1} MiB; peak live heap growth {heap.PeakGrowth / 1048576.0:F1} MiB " +
            $"over {heap.Samples} samples; allocated uploading {uploadReport}; downloading {downloadReport}; " +
            $"upload {uploadTime.TotalSeconds:F1} s, total {clock.Elapsed.TotalSeconds:F1} s.");
        await Storage.DeleteAsync(BucketKind.Raw, key, Ct);

        Assert.Equal(LargeObjectSize, stored.Size);
        Assert.Equal(LargeObjectSize, received);
        Assert.Equal(Convert.ToHexString(source.Hash()), Convert.ToHexString(downloaded.GetCurrentHash()));
        Assert.True(heap.Samples >= 12, $"only {heap.Samples} heap samples were taken");

        Assert.True(heap.PeakGrowth < MaxLiveHeapGrowth, $"live heap grew by {heap.PeakGrowth} bytes while moving a {LargeObjectSize}-byte object");
        AssertAllocationsBounded(uploadAllocated, downloadAllocated, LargeObjectSize, $"uploading {uploadReport}; downloading {downloadReport}");
    }

    /// <summary>
    /// Providers whose SDK streams through reused buffers also allocate far less than the object; one that
    /// allocates a fresh buffer per part (Minio) overrides this with the bound it can honestly meet.
    /// </summary>
    protected virtual void AssertAllocationsBounded(long uploadAllocated, long downloadAllocated, long objectSize, string report)
    {
        Assert.True(uploadAllocated < objectSize / 4, $"uploading allocated {uploadAllocated} bytes for a {objectSize}-byte object: {report}");
        Assert.True(downloadAllocated < objectSize / 4, $"downloading allocated {downloadAllocated} bytes for a {objectSize}-byte object: {report}");
    }

    protected async Task<List<string>> ListKeysAsync(string prefix) =>
        (await ToListAsync(Storage.ListAsync(BucketKind.Raw, prefix, Ct))).Select(item => item.Key).ToList();

    protected static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (var item in items)
        {
            list.Add(item);
        }

        return list;
    }
}
