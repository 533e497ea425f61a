using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Catalog;
using Portal.Core.Rides;
using Portal.Core.Storage;

namespace Portal.Tests.Pipeline;

/// <summary>
/// The same file uploaded by several requests at once (a double-click, a retrying client) on the real
/// PostgreSQL catalog: the bodies are held until every request is streaming, so all of them pass the
/// duplicate lookup before any ride exists and only the unique (owner, SHA-256) index can decide.
/// </summary>
[Trait("Category", "Pipeline")]
public sealed class ConcurrentUploadTests(PostgresCatalogDatabase database) : IClassFixture<PostgresCatalogDatabase>, IAsyncLifetime
{
    private const int Uploads = 8;
    private PipelineApiHost host = null!;

    public async Task InitializeAsync() => host = await PipelineApiHost.StartAsync(database, o =>
    {
        o.MaxFileBytes = 1 << 20;
        o.MaxPartBytes = 1 << 16;
    });

    public async Task DisposeAsync() => await host.DisposeAsync();

    [Fact]
    public async Task SameFileUploadedEightTimesAtOnce_BecomesOneRide_OneAnalysis_AndTheOthersAreToldItIsADuplicate()
    {
        var rider = Guid.NewGuid();
        using var client = host.ClientFor(rider, PortalRoleNames.Rider);
        var content = PipelineHarness.SampleCsv(rows: 2000, seed: 77);
        var gate = new StartingGate(Uploads);

        var responses = await Task.WhenAll(Enumerable.Range(0, Uploads).Select(i => Task.Run(async () =>
        {
            using var body = new StreamContent(new GatedStream(content, gate));
            body.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
            using var response = await client.PostAsync($"api/rides?fileName=copy-{i}.csv", body);
            var json = await response.Content.ReadFromJsonAsync<JsonObject>();
            return (response.StatusCode, Json: json!);
        })));

        Assert.True(gate.AllStarted, "every request was streaming before any body was complete");
        var created = Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        var rideId = created.Json["ride"]!["id"]!.GetValue<Guid>();
        Assert.False(created.Json["duplicate"]!.GetValue<bool>());
        var duplicates = responses.Where(r => r.StatusCode != HttpStatusCode.Created).ToList();
        Assert.Equal(Uploads - 1, duplicates.Count);
        Assert.All(duplicates, d =>
        {
            Assert.Equal(HttpStatusCode.OK, d.StatusCode);
            Assert.True(d.Json["duplicate"]!.GetValue<bool>());
            Assert.Equal(rideId, d.Json["ride"]!["id"]!.GetValue<Guid>());
        });

        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CatalogDbContext>();
        var rides = await db.Rides.Where(r => r.OwnerId == rider).Select(r => new { r.Id, r.RawKey }).ToListAsync();
        var ride = Assert.Single(rides);
        Assert.Equal(rideId, ride.Id);
        Assert.Equal([rideId], host.Scheduler.Analyses.ToList());
        Assert.Equal([ride.RawKey], host.Storage.Keys(BucketKind.Raw).Where(k => k.StartsWith($"{rider}/", StringComparison.Ordinal)).ToList());
    }

    /// <summary>Opens once every request has begun to send its body.</summary>
    private sealed class StartingGate(int count)
    {
        private readonly TaskCompletionSource open = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int started;

        public bool AllStarted => open.Task.IsCompletedSuccessfully;

        public Task ArriveAsync()
        {
            if (Interlocked.Increment(ref started) == count)
            {
                open.TrySetResult();
            }

            // Bounded: a request that never starts must fail the test, not hang it.
            return open.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }
    }

    /// <summary>Sends the first bytes, then waits at the gate before sending the rest.</summary>
    private sealed class GatedStream(byte[] content, StartingGate gate) : Stream
    {
        private const int FirstChunk = 512;
        private int position;
        private bool waited;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => content.Length;
        public override long Position { get => position; set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (position >= FirstChunk && !waited)
            {
                waited = true;
                await gate.ArriveAsync();
            }

            var limit = waited ? content.Length : FirstChunk;
            var count = Math.Min(buffer.Length, limit - position);
            content.AsMemory(position, count).CopyTo(buffer);
            position += count;
            return count;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
