using System.Diagnostics;
using System.Globalization;
using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Portal.Api;
using Portal.Core.Catalog;
using Portal.Core.Rides;
using Portal.Core.Storage;
using Portal.Tests.Infrastructure;
using Portal.Tests.Scale;
using Xunit.Abstractions;

namespace Portal.Tests.Faults;

/// <summary>
/// The object storage (the test's own moto S3 server) goes away for 30 s behind a fault proxy that resets every
/// connection, while uploads arrive and a worker process analyses rides. Uploads are refused cleanly (503 +
/// Retry-After, storage_unavailable) and leave nothing; what was accepted stays; the jobs fail, are retried by
/// Hangfire with back-off and finish once the storage is back.
/// </summary>
[Trait("Category", "Faults")]
public sealed class StorageOutageTests : IAsyncLifetime
{
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(30);

    /// <summary>Guards against a hang only: the retries after the outage come 10 s + 30 s (+ up to 5 s schedule polling each) later.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);

    private readonly ITestOutputHelper output;
    private readonly Dictionary<string, string> settings = [];
    private MotoServer moto = null!;
    private TcpFaultProxy proxy = null!;
    private PortalFactory portal = null!;
    private WorkerProcess? worker;

    public StorageOutageTests(ITestOutputHelper output) => this.output = output;

    public async Task InitializeAsync()
    {
        moto = await MotoServer.StartAsync();
        proxy = TcpFaultProxy.Start(moto.Port);
        portal = new PortalFactory(TestDatabase.PostgreSql, "PostgreSql");
        await portal.InitializeDatabasesAsync();
        var suffix = Guid.NewGuid().ToString("N")[..10];
        foreach (var (key, value) in new Dictionary<string, string>
        {
            ["Database:Provider"] = "PostgreSql",
            ["ConnectionStrings:Portal"] = portal.PostgresConnectionString!,
            ["Hangfire:Storage"] = "PostgreSql",
            ["Hangfire:InvisibilityTimeoutSeconds"] = "15",
            ["Storage:Provider"] = "S3",
            ["Storage:S3:Endpoint"] = $"127.0.0.1:{proxy.Port}",
            ["Storage:S3:AccessKey"] = "testing",
            ["Storage:S3:SecretKey"] = "testing",
            ["Storage:S3:UseSsl"] = "false",
            ["Storage:Buckets:Raw"] = $"faults-raw-{suffix}",
            ["Storage:Buckets:Analytics"] = $"faults-analytics-{suffix}",
            ["Storage:Buckets:Crash"] = $"faults-crash-{suffix}",
        })
        {
            settings[key] = value;
            portal.WithSetting(key, value);
        }

        // The portal only enqueues; the worker process (started once the storage is down) analyses.
        portal.WithSetting("Hangfire:Server:Enabled", "false");
    }

    public async Task DisposeAsync()
    {
        worker?.Dispose();
        await portal.DisposeAsync();
        await proxy.DisposeAsync();
        await moto.DisposeAsync();
    }

    [Fact]
    public async Task StorageDownFor30s_UploadsAre503WithRetryAfter_AcceptedRidesKeepTheirBytes_AndJobsFinishAfterItReturns()
    {
        using var client = await portal.CreateBearerClientAsync("rider@demo.local");
        var contents = new Dictionary<string, byte[]>();
        async Task<byte[]> RideAsync(int seed)
        {
            var content = await ScaleCluster.SimulatedRideAsync(seed, durationSeconds: 20);
            contents[FaultClient.Sha256Hex(content)] = content;
            return content;
        }

        // Accepted before the outage; no worker runs yet, so every analysis meets the outage.
        var accepted = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            var before = await FaultClient.PostRawAsync(client, await RideAsync(1000 + i), $"before-{i}.csv");
            Assert.True(before.Accepted, before.ToString());
            accepted.Add(before.RideId!.Value);
        }

        var resumable = await RideAsync(1100);
        var half = resumable.Length / 2;
        var session = await FaultClient.CreateSessionAsync(client, "resumable.csv", resumable.Length);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await FaultClient.PutPartAsync(client, session, 0, resumable.AsMemory(0, half))).Status);

        var jobs = AnalysisJobsOf(accepted);

        proxy.GoDown();
        var down = Stopwatch.StartNew();
        worker = WorkerProcess.Start("storage-outage", WorkerEnvironment());

        // Every kind of upload is refused cleanly while the storage is away.
        var refused = await RideAsync(1200);
        FaultClient.AssertUnavailable(await FaultClient.PostRawAsync(client, refused, "during.csv"), ServiceUnavailableExceptionHandler.StorageUnavailable);
        FaultClient.AssertUnavailable(await FaultClient.PostMultipartAsync(client, refused, "during-form.csv"), ServiceUnavailableExceptionHandler.StorageUnavailable);
        FaultClient.AssertUnavailable(await FaultClient.PutPartAsync(client, session, 1, resumable.AsMemory(half)), ServiceUnavailableExceptionHandler.StorageUnavailable);

        // The worker tries every analysis during the outage and fails it (Hangfire schedules a retry).
        await FaultClient.WaitUntilAsync(() => Task.FromResult(jobs.Values.All(job => RetryCount(job) >= 1)), Patience,
            () => $"not every analysis was tried during the outage: {string.Join(", ", jobs.Values.Select(job => $"{job}: {RetryCount(job)} retries"))}\n{worker.Describe()}");

        // The outage lasts its full time, uploads keep being refused all along.
        var attempts = 0;
        while (down.Elapsed < Outage)
        {
            FaultClient.AssertUnavailable(await FaultClient.PostRawAsync(client, refused, $"during-{attempts}.csv"), ServiceUnavailableExceptionHandler.StorageUnavailable);
            attempts++;
            await Task.Delay(TimeSpan.FromSeconds(2));
        }

        proxy.ComeBack();
        output.WriteLine($"Storage down for {down.Elapsed.TotalSeconds:F1} s; {proxy.Refused} connections refused, {attempts} more uploads refused during it.");

        // The refused file is accepted once the storage is back (a new ride, not a duplicate of a partial one).
        var again = await FaultClient.PostRawAsync(client, refused, "after.csv");
        Assert.True(again.Accepted, again.ToString());
        accepted.Add(again.RideId!.Value);

        // The resumable upload continues where it stood.
        Assert.Equal((half, 1), await FaultClient.SessionStateAsync(client, session));
        Assert.Equal(System.Net.HttpStatusCode.OK, (await FaultClient.PutPartAsync(client, session, 1, resumable.AsMemory(half))).Status);
        var completed = await FaultClient.CompleteSessionAsync(client, session);
        Assert.True(completed.Accepted, completed.ToString());
        accepted.Add(completed.RideId!.Value);

        // Past the proxy, straight at moto: what the storage really holds.
        await using var inspector = InstallationInspector.Create(new Dictionary<string, string>(settings) { ["Storage:S3:Endpoint"] = moto.Endpoint });
        await FaultClient.WaitUntilAsync(async () => (await inspector.RidesAsync()).Count(r => accepted.Contains(r.Id) && r.Status is RideStatus.Analyzed or RideStatus.Failed) == accepted.Count,
            Patience, () => $"not every ride was analysed\n{worker.Describe()}");

        var rides = await inspector.RidesAsync();
        Assert.Equal(accepted.Order(), rides.Select(r => r.Id).Order());
        foreach (var ride in rides)
        {
            Assert.True(ride.Status == RideStatus.Analyzed, $"Ride {ride.Id} is {ride.Status}: {ride.FailureCode} {ride.FailureMessage}");
            Assert.True(contents.ContainsKey(ride.Sha256), $"Ride {ride.Id} has bytes no client sent.");
            Assert.Equal(ride.Sha256, await inspector.Sha256OfAsync(BucketKind.Raw, ride.RawKey));
            Assert.NotNull(await inspector.Storage.GetInfoAsync(BucketKind.Analytics, PipelineKeys.MetricsJson(ride.Id), CancellationToken.None));
        }

        // Nothing of the refused uploads or of the completed session's parts is left in the raw bucket.
        Assert.Equal(rides.Select(r => r.RawKey).Order(StringComparer.Ordinal), (await inspector.KeysAsync(BucketKind.Raw)).Order(StringComparer.Ordinal));

        // The analyses that met the outage were retried, and each succeeded exactly once.
        var monitoring = portal.Services.GetRequiredService<JobStorage>().GetMonitoringApi();
        foreach (var (ride, job) in jobs)
        {
            var details = monitoring.JobDetails(job);
            Assert.True(RetryCount(job) >= 1, $"The analysis of ride {ride} was never retried.");
            Assert.Equal(1, ScaleCluster.SucceededCount(details));
            Assert.Contains(details.History, state => state.Reason?.Contains("S3 server cannot be reached", StringComparison.Ordinal) == true);
        }

        output.WriteLine($"Retries per analysis: {string.Join(", ", jobs.Values.Select(RetryCount))}.");
    }

    /// <summary>The analysis jobs waiting in the queue (no worker has run yet), by ride.</summary>
    private Dictionary<Guid, string> AnalysisJobsOf(IReadOnlyCollection<Guid> rides)
    {
        var monitoring = portal.Services.GetRequiredService<JobStorage>().GetMonitoringApi();
        var jobs = monitoring.EnqueuedJobs(Portal.Jobs.Pipeline.PipelineQueues.Analytics, 0, 100)
            .Where(job => job.Value.Job?.Args.Count > 0 && job.Value.Job.Args[0] is Guid)
            .ToDictionary(job => (Guid)job.Value.Job.Args[0], job => job.Key);
        Assert.All(rides, ride => Assert.True(jobs.ContainsKey(ride), $"Ride {ride} has no queued analysis."));
        return jobs.Where(job => rides.Contains(job.Key)).ToDictionary();
    }

    private int RetryCount(string jobId)
    {
        using var connection = portal.Services.GetRequiredService<JobStorage>().GetConnection();
        return int.TryParse(connection.GetJobParameter(jobId, "RetryCount"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var count) ? count : 0;
    }

    private Dictionary<string, string> WorkerEnvironment()
    {
        var environment = settings.ToDictionary(s => s.Key.Replace(":", "__", StringComparison.Ordinal), s => s.Value);
        environment["Hangfire__Server__Workers"] = "2";
        environment["Mqtt__Subscriber__Enabled"] = "false";
        environment["Mqtt__Broker"] = "External";
        environment["Mqtt__External__Host"] = "127.0.0.1";
        environment["Logging__Console__FormatterName"] = "simple";
        environment["Logging__Console__FormatterOptions__SingleLine"] = "true";
        environment["Logging__LogLevel__Default"] = "Warning";
        return environment;
    }
}
