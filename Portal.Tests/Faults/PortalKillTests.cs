using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Portal.Core.Catalog;
using Portal.Core.Rides;
using Portal.Core.Storage;
using Portal.Jobs.Pipeline;
using Portal.Tests.Infrastructure;
using Portal.Tests.Scale;
using Xunit.Abstractions;

namespace Portal.Tests.Faults;

/// <summary>
/// The portal process (<c>dotnet Portal.dll</c>: PostgreSQL catalog, encrypted local-disk storage) is killed
/// with SIGKILL while several clients upload, one upload is half-way through its body and a resumable upload
/// has sent half of its parts. After a restart: every upload that got a 201 is in storage with its SHA-256 and
/// in the catalog; the cut uploads left no ride; the resumable upload resumes and completes; and once the orphan
/// sweep has run past its grace period, the raw bucket holds exactly the rides' files.
/// </summary>
[Trait("Category", "Faults")]
public sealed class PortalKillTests : IAsyncLifetime
{
    private const int Clients = 3;
    private const string Rider = "rider@demo.local";
    private const string Password = "faults-demo-password";

    /// <summary>Guards against a hang only.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    private readonly ITestOutputHelper output;
    private readonly Dictionary<string, string> environment = [];
    private string storageRoot = "";
    private string dataDir = "";
    private PortalProcess? portal;

    public PortalKillTests(ITestOutputHelper output) => this.output = output;

    public async Task InitializeAsync()
    {
        var connectionString = await TestServices.CreatePostgresDatabaseAsync("faults_kill");
        storageRoot = Path.Combine(Path.GetTempPath(), "portal-tests", $"faults-kill-objects-{Guid.NewGuid():N}");
        dataDir = Path.Combine(Path.GetTempPath(), "portal-tests", $"faults-kill-data-{Guid.NewGuid():N}");
        Directory.CreateDirectory(storageRoot);
        foreach (var (key, value) in new Dictionary<string, string>
        {
            ["Database__Provider"] = "PostgreSql",
            ["ConnectionStrings__Portal"] = connectionString,
            ["Hangfire__Storage"] = "PostgreSql",
            // Analyses are not what this test is about: the portal only enqueues.
            ["Hangfire__Server__Enabled"] = "false",
            ["Storage__Provider"] = "FileSystem",
            ["Storage__FileSystem__Root"] = storageRoot,
            ["Storage__FileSystem__EncryptionKeys__0__Id"] = "faults",
            ["Storage__FileSystem__EncryptionKeys__0__Key"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["Storage__FileSystem__ActiveKeyId"] = "faults",
            // The same data directory after the restart: the same key ring, so tokens stay valid.
            ["Embedded__DataDir"] = dataDir,
            ["Demo__Seed"] = "true",
            ["Demo__Password"] = Password,
            ["Mqtt__Subscriber__Enabled"] = "false",
            ["Mqtt__Broker"] = "External",
            ["Mqtt__External__Host"] = "127.0.0.1",
            ["Logging__Console__FormatterName"] = "simple",
            ["Logging__Console__FormatterOptions__SingleLine"] = "true",
            ["Logging__LogLevel__Default"] = "Warning",
        })
        {
            environment[key] = value;
        }

        portal = await PortalProcess.StartAsync("portal-kill", environment, Patience);
    }

    public Task DisposeAsync()
    {
        portal?.Dispose();
        foreach (var directory in new[] { storageRoot, dataDir })
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
            }
        }

        return Task.CompletedTask;
    }

    [Fact]
    public async Task PortalKilledDuringUploads_Every201IsStoredWithItsHash_AResumableUploadCompletesAfterRestart_AndTheOrphanSweepLeavesOnlyRidesFiles()
    {
        var first = portal!;
        using var client = first.CreateClient();
        FaultClient.UseBearer(client, await FaultClient.LoginAsync(client, Rider, Password));

        // A resumable upload with half of its parts sent.
        var resumable = await ScaleCluster.SimulatedRideAsync(seed: 3000, durationSeconds: 40);
        var partSize = (resumable.Length / 4) + 1;
        var session = await FaultClient.CreateSessionAsync(client, "resumable.csv", resumable.Length);
        for (var part = 0; part < 2; part++)
        {
            Assert.Equal(HttpStatusCode.OK, (await FaultClient.PutPartAsync(client, session, part, Part(resumable, part, partSize))).Status);
        }

        // An upload whose body stops half-way: it is certainly in flight when the portal dies.
        var stalled = await ScaleCluster.SimulatedRideAsync(seed: 3001, durationSeconds: 40);
        var halfSent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var release = new CancellationTokenSource();
        var stalledUpload = Task.Run(async () =>
        {
            using var content = new StallingContent(stalled, halfSent, release.Token);
            using var response = await client.PostAsync("/api/rides?fileName=stalled.csv", content);
            return response.StatusCode;
        });

        // Clients uploading one file after another until the portal dies under them.
        var accepted = new ConcurrentDictionary<Guid, string>();
        var attempted = new ConcurrentDictionary<string, byte>();
        var unexpected = new ConcurrentBag<string>();
        var uploaders = Enumerable.Range(0, Clients).Select(c => Task.Run(async () =>
        {
            for (var n = 0; ; n++)
            {
                var content = await ScaleCluster.SimulatedRideAsync(seed: 4000 + (c * 1000) + n, durationSeconds: 30);
                var sha = FaultClient.Sha256Hex(content);
                attempted[sha] = 0;
                UploadOutcome outcome;
                try
                {
                    outcome = await FaultClient.PostRawAsync(client, content, $"client{c}-{n}.csv");
                }
                catch (HttpRequestException)
                {
                    return n;
                }

                if (!outcome.Accepted)
                {
                    unexpected.Add($"client {c} file {n}: {outcome}");
                    return n;
                }

                accepted[outcome.RideId!.Value] = sha;
            }
        })).ToList();

        await halfSent.Task.WaitAsync(Patience);
        await FaultClient.WaitUntilAsync(() => Task.FromResult(accepted.Count >= 2 * Clients || !unexpected.IsEmpty), Patience,
            () => $"only {accepted.Count} uploads were accepted\n{first.Describe()}");
        first.KillHard();
        await release.CancelAsync();
        var ended = await Task.WhenAny(stalledUpload, Task.Delay(Patience));
        Assert.True(ended == stalledUpload && stalledUpload.IsFaulted, $"The half-sent upload did not fail with the portal: {(ended == stalledUpload ? stalledUpload.Status : "still running")}.");
        var uploadsPerClient = await Task.WhenAll(uploaders).WaitAsync(Patience);
        Assert.Empty(unexpected);
        var acceptedBeforeKill = accepted.Count;
        output.WriteLine($"Killed the portal after {acceptedBeforeKill} accepted uploads ({string.Join(", ", uploadsPerClient)} per client), one upload half-sent, a resumable upload at 2 of 4 parts.");

        first.Dispose();

        // What a kill between storing an upload's bytes and writing its catalog row leaves: a whole file under a
        // ride key no row has. Planted, because the real instant is too short to hit on purpose.
        string plantedOrphan;
        await using (var planter = InstallationInspector.Create(environment))
        {
            var owner = (await planter.RidesAsync()).First(r => accepted.ContainsKey(r.Id)).OwnerId;
            plantedOrphan = PipelineKeys.RawRide(owner, Guid.CreateVersion7(), compressed: false);
            await using var orphanContent = new MemoryStream(await ScaleCluster.SimulatedRideAsync(seed: 3002, durationSeconds: 30));
            await planter.Storage.PutAsync(BucketKind.Raw, plantedOrphan, orphanContent, "text/csv", CancellationToken.None);
        }

        portal = await PortalProcess.StartAsync("portal-kill-restarted", environment, Patience);
        using var again = portal.CreateClient();
        FaultClient.UseBearer(again, await FaultClient.LoginAsync(again, Rider, Password));

        // The resumable upload resumes where it stood and completes.
        Assert.Equal(((long)2 * partSize, 2), await FaultClient.SessionStateAsync(again, session));
        for (var part = 2; part < 4; part++)
        {
            Assert.Equal(HttpStatusCode.OK, (await FaultClient.PutPartAsync(again, session, part, Part(resumable, part, partSize))).Status);
        }

        var completed = await FaultClient.CompleteSessionAsync(again, session);
        Assert.True(completed.Accepted, completed.ToString());
        accepted[completed.RideId!.Value] = FaultClient.Sha256Hex(resumable);
        attempted[FaultClient.Sha256Hex(resumable)] = 0;

        await using var inspector = InstallationInspector.Create(environment);
        var rides = (await inspector.RidesAsync()).ToDictionary(r => r.Id);
        var rawKeys = rides.Values.Select(r => r.RawKey).ToHashSet(StringComparer.Ordinal);

        // Before the sweep: besides the planted orphan, a raw object without a ride can only be a file completely
        // stored in the instant before the kill, before its catalog row; never a half upload or a leftover part.
        var orphans = (await inspector.KeysAsync(BucketKind.Raw)).Where(key => !rawKeys.Contains(key)).ToList();
        Assert.Contains(plantedOrphan, orphans);
        foreach (var orphan in orphans.Where(key => key != plantedOrphan))
        {
            var sha = await inspector.Sha256OfAsync(BucketKind.Raw, orphan);
            Assert.True(sha is not null && attempted.ContainsKey(sha) && !accepted.Values.Contains(sha), $"Raw object {orphan} is neither a ride's file nor a whole file a client sent.");
        }

        // The hourly sweep, as a worker runs it, with the clock past the default grace period of every object stored so far.
        var sweepClock = new FakeTimeProvider(DateTimeOffset.UtcNow.AddMinutes(new UploadOptions().OrphanGraceMinutes + 1));
        var sweep = await inspector.WithCatalogAsync(db => new OrphanRawSweepJob(
            db, inspector.Storage, Options.Create(new UploadOptions()), sweepClock, NullLogger<OrphanRawSweepJob>.Instance)
            .SweepAsync(OrphanRawSweepJob.DefaultBatchSize, CancellationToken.None));

        // Every 201: a catalog row with the client's hash, and the stored object reads back to exactly those bytes.
        foreach (var (rideId, sha) in accepted)
        {
            Assert.True(rides.TryGetValue(rideId, out var ride), $"Ride {rideId} got a 201 but has no catalog row.");
            Assert.Equal(sha, ride.Sha256);
            Assert.Equal(sha, await inspector.Sha256OfAsync(BucketKind.Raw, ride.RawKey));
        }

        // A ride the client never heard of (its 201 was lost with the process) is still a whole file a client sent.
        foreach (var ride in rides.Values.Where(r => !accepted.ContainsKey(r.Id)))
        {
            Assert.True(attempted.ContainsKey(ride.Sha256), $"Ride {ride.Id} holds bytes no client sent completely.");
            Assert.Equal(ride.Sha256, await inspector.Sha256OfAsync(BucketKind.Raw, ride.RawKey));
        }

        Assert.DoesNotContain(rides.Values, r => r.Sha256 == FaultClient.Sha256Hex(stalled));

        // After the sweep (and the checks above that it kept every ride's file) the raw bucket holds the rides'
        // files and nothing else: no orphan of the kill, no half upload, no leftover part.
        var strays = (await inspector.KeysAsync(BucketKind.Raw)).Where(key => !rawKeys.Contains(key)).ToList();
        Assert.True(strays.Count == 0, $"Raw objects without a ride after the orphan sweep: {string.Join(", ", strays)}");
        Assert.Equal(orphans.Count, sweep.Deleted);
        Assert.Equal(rawKeys.Count, sweep.Referenced);

        output.WriteLine($"{accepted.Count} uploads accepted in all; {rides.Count} rides in the catalog; the orphan sweep deleted {sweep.Deleted} raw object(s) without a ride (one planted): {sweep}.");
    }

    private static ReadOnlyMemory<byte> Part(byte[] content, int number, int partSize) =>
        content.AsMemory(number * partSize, Math.Min(partSize, content.Length - (number * partSize)));

    /// <summary>Sends the first half of the body, then waits (as a stalled link does) until released.</summary>
    private sealed class StallingContent : HttpContent
    {
        private readonly byte[] content;
        private readonly TaskCompletionSource halfSent;
        private readonly CancellationToken release;

        public StallingContent(byte[] content, TaskCompletionSource halfSent, CancellationToken release)
        {
            this.content = content;
            this.halfSent = halfSent;
            this.release = release;
            Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        }

        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
        {
            var half = content.Length / 2;
            await stream.WriteAsync(content.AsMemory(0, half));
            await stream.FlushAsync();
            halfSent.TrySetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, release);
            }
            catch (OperationCanceledException)
            {
            }

            await stream.WriteAsync(content.AsMemory(half));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = content.Length;
            return true;
        }
    }
}
