using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Catalog;
using Portal.Core.Rides;
using Portal.Core.Storage;
using Portal.Jobs.Pipeline;

namespace Portal.Tests.Pipeline;

[Trait("Category", "Pipeline")]
public abstract class UploadSessionTests<TDatabase>(TDatabase database) : IAsyncLifetime where TDatabase : CatalogDatabase
{
    private const int PartSize = 4096;
    private PipelineHarness harness = null!;
    private readonly Guid rider = Guid.NewGuid();

    public Task InitializeAsync()
    {
        harness = new PipelineHarness(database, uploads: o =>
        {
            o.MaxFileBytes = 64 * 1024;
            o.MaxPartBytes = PartSize;
        });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await harness.DisposeAsync();

    private Task<T> Sessions<T>(Func<UploadSessions, Task<T>> work) => harness.InScopeAsync(s => work(s.GetRequiredService<UploadSessions>()));

    private Task<UploadSessionState> CreateAsync(long? size = null) =>
        Sessions(s => s.CreateAsync(new RideUpload(rider, rider, RideSource.Api, "long ride.csv"), size, CancellationToken.None));

    private Task<UploadSessionState?> PutAsync(Guid session, int number, byte[] content) =>
        Sessions(s => s.PutPartAsync(session, rider, number, new MemoryStream(content), CancellationToken.None));

    private static byte[][] Split(byte[] content) => content.Chunk(PartSize).ToArray();

    [Fact]
    public async Task PartsSentOutOfOrderAndAgain_CompleteIntoTheOriginalBytes_AndAreDeleted()
    {
        var content = PipelineHarness.SampleCsv(rows: 600, seed: 3);
        var parts = Split(content);
        Assert.True(parts.Length >= 4);
        var session = await CreateAsync(content.Length);

        foreach (var number in Enumerable.Range(0, parts.Length).Reverse())
        {
            await PutAsync(session.Id, number, parts[number]);
        }

        // A part sent again (e.g. after a lost acknowledgement) replaces the earlier copy.
        await PutAsync(session.Id, 1, new byte[] { 1, 2, 3 });
        var state = await PutAsync(session.Id, 1, parts[1]);
        var result = await Sessions(s => s.CompleteAsync(session.Id, rider, CancellationToken.None));

        Assert.Equal(content.Length, state!.Offset);
        Assert.Equal(content, harness.Storage.Read(BucketKind.Raw, result!.Ride.RawKey));
        Assert.Equal(System.Security.Cryptography.SHA256.HashData(content), Convert.FromHexString(result.Ride.Sha256));
        Assert.Equal("long ride.csv", result.Ride.FileName);
        Assert.DoesNotContain(harness.Storage.Keys(BucketKind.Raw), key => key.StartsWith("uploads/", StringComparison.Ordinal));
        Assert.Equal([result.Ride.Id], harness.Scheduler.Analyses);
    }

    [Fact]
    public async Task UploadCutMidPart_ResumesAtTheLastCompletePart_AndGivesAByteIdenticalFile()
    {
        var content = PipelineHarness.SampleCsv(rows: 500, seed: 4);
        var parts = Split(content);
        var session = await CreateAsync(content.Length);
        await PutAsync(session.Id, 0, parts[0]);

        var cut = await Assert.ThrowsAsync<UploadRefusedException>(() =>
            Sessions(s => s.PutPartAsync(session.Id, rider, 1, new CutConnectionStream(parts[1], 1000), CancellationToken.None)));
        var resume = await Sessions(s => s.GetAsync(session.Id, rider, CancellationToken.None));

        Assert.Equal(UploadErrorCodes.UploadInterrupted, cut.Code);
        Assert.Equal(parts[0].Length, resume!.Offset);
        Assert.Equal(1, resume.NextPart);
        for (var number = resume.NextPart; number < parts.Length; number++)
        {
            await PutAsync(session.Id, number, parts[number]);
        }

        var result = await Sessions(s => s.CompleteAsync(session.Id, rider, CancellationToken.None));
        Assert.Equal(content, harness.Storage.Read(BucketKind.Raw, result!.Ride.RawKey));
    }

    [Fact]
    public async Task TusAppend_AtTheCurrentOffset_ContinuesTheFile_AndAtAnotherOffset_IsRefused()
    {
        var content = PipelineHarness.SampleCsv(rows: 300, seed: 5);
        var parts = Split(content);
        var session = await CreateAsync();

        var first = await Sessions(s => s.AppendAsync(session.Id, rider, 0, new MemoryStream(parts[0]), CancellationToken.None));
        var wrong = await Assert.ThrowsAsync<UploadRefusedException>(() =>
            Sessions(s => s.AppendAsync(session.Id, rider, 0, new MemoryStream(parts[1]), CancellationToken.None)));
        long offset = first!.Offset;
        foreach (var part in parts.Skip(1))
        {
            offset = (await Sessions(s => s.AppendAsync(session.Id, rider, offset, new MemoryStream(part), CancellationToken.None)))!.Offset;
        }

        var result = await Sessions(s => s.CompleteAsync(session.Id, rider, CancellationToken.None));
        Assert.Equal(UploadErrorCodes.OffsetMismatch, wrong.Code);
        Assert.Equal(content, harness.Storage.Read(BucketKind.Raw, result!.Ride.RawKey));
    }

    [Fact]
    public async Task Completing_WithAMissingPart_IsRefused_AndKeepsThePartsForResuming()
    {
        var parts = Split(PipelineHarness.SampleCsv(rows: 400, seed: 6));
        var session = await CreateAsync();
        await PutAsync(session.Id, 0, parts[0]);
        await PutAsync(session.Id, 2, parts[2]);

        var refused = await Assert.ThrowsAsync<UploadRefusedException>(() => Sessions(s => s.CompleteAsync(session.Id, rider, CancellationToken.None)));
        var state = await Sessions(s => s.GetAsync(session.Id, rider, CancellationToken.None));

        Assert.Equal(UploadErrorCodes.PartsMissing, refused.Code);
        Assert.Contains("1", refused.Message, StringComparison.Ordinal);
        Assert.Equal([0, 2], state!.Parts);
        Assert.Equal(1, state.NextPart);
        Assert.Equal(UploadSessionStatus.Open, state.Status);
    }

    [Fact]
    public async Task Completing_WithLessThanTheAnnouncedSize_IsRefused()
    {
        var parts = Split(PipelineHarness.SampleCsv(rows: 400, seed: 9));
        var session = await CreateAsync(parts.Sum(p => p.Length));
        await PutAsync(session.Id, 0, parts[0]);

        var refused = await Assert.ThrowsAsync<UploadRefusedException>(() => Sessions(s => s.CompleteAsync(session.Id, rider, CancellationToken.None)));

        Assert.Equal(UploadErrorCodes.SizeMismatch, refused.Code);
        Assert.Empty(harness.Scheduler.Analyses);
    }

    [Fact]
    public async Task CompletingTwice_ReturnsTheSameRide()
    {
        var content = PipelineHarness.SampleCsv(rows: 50, seed: 10);
        var session = await CreateAsync();
        await PutAsync(session.Id, 0, content);

        var first = await Sessions(s => s.CompleteAsync(session.Id, rider, CancellationToken.None));
        var second = await Sessions(s => s.CompleteAsync(session.Id, rider, CancellationToken.None));

        Assert.Equal(first!.Ride.Id, second!.Ride.Id);
        Assert.Single(harness.Scheduler.Analyses);
    }

    [Fact]
    public async Task APartLargerThanTheLimit_IsRefused_AndNotStored()
    {
        var session = await CreateAsync();

        var refused = await Assert.ThrowsAsync<UploadTooLargeException>(() => PutAsync(session.Id, 0, new byte[PartSize + 1]));
        var state = await Sessions(s => s.GetAsync(session.Id, rider, CancellationToken.None));

        Assert.Equal(UploadErrorCodes.PartTooLarge, refused.Code);
        Assert.Empty(state!.Parts);
        Assert.DoesNotContain(harness.Storage.Keys(BucketKind.Raw), key => key.Contains($"{session.Id:N}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AnnouncingAFileOverTheLimit_IsRefusedUpFront()
    {
        var refused = await Assert.ThrowsAsync<UploadTooLargeException>(() => CreateAsync(64 * 1024 + 1));

        Assert.Equal(UploadErrorCodes.FileTooLarge, refused.Code);
    }

    [Fact]
    public async Task AnotherUploadersSession_IsNotFound()
    {
        var session = await CreateAsync();
        var stranger = Guid.NewGuid();

        Assert.Null(await Sessions(s => s.GetAsync(session.Id, stranger, CancellationToken.None)));
        Assert.Null(await Sessions(s => s.PutPartAsync(session.Id, stranger, 0, new MemoryStream([1]), CancellationToken.None)));
        Assert.Null(await Sessions(s => s.CompleteAsync(session.Id, stranger, CancellationToken.None)));
    }

    [Fact]
    public async Task SessionsIdlePastTheLimit_AreAbandoned_WithTheirParts_AndActiveOnesAreKept()
    {
        var idle = await CreateAsync();
        await PutAsync(idle.Id, 0, [1, 2, 3]);
        harness.Time.Advance(TimeSpan.FromHours(23));
        var active = await CreateAsync();
        await PutAsync(active.Id, 0, [4, 5, 6]);
        harness.Time.Advance(TimeSpan.FromHours(2));

        var cleaned = await harness.InScopeAsync(s => s.GetRequiredService<UploadSessionCleanupJob>().RunAsync(CancellationToken.None));

        var idleState = await Sessions(s => s.GetAsync(idle.Id, rider, CancellationToken.None));
        var activeState = await Sessions(s => s.GetAsync(active.Id, rider, CancellationToken.None));
        Assert.True(cleaned >= 1);
        Assert.Equal(UploadSessionStatus.Abandoned, idleState!.Status);
        Assert.False(harness.Storage.Exists(BucketKind.Raw, PipelineKeys.UploadPart(idle.Id, 0)));
        Assert.Equal(UploadSessionStatus.Open, activeState!.Status);
        Assert.True(harness.Storage.Exists(BucketKind.Raw, PipelineKeys.UploadPart(active.Id, 0)));
        var resumeAbandoned = await Assert.ThrowsAsync<UploadRefusedException>(() => PutAsync(idle.Id, 1, [7]));
        Assert.Equal(UploadErrorCodes.SessionNotOpen, resumeAbandoned.Code);
    }
}

public sealed class UploadSessionTestsOnSqlite(SqliteCatalogDatabase database) : UploadSessionTests<SqliteCatalogDatabase>(database), IClassFixture<SqliteCatalogDatabase>;

public sealed class UploadSessionTestsOnPostgres(PostgresCatalogDatabase database) : UploadSessionTests<PostgresCatalogDatabase>(database), IClassFixture<PostgresCatalogDatabase>;
