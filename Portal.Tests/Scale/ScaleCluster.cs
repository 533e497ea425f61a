using System.Collections.Concurrent;
using System.Security.Cryptography;
using Hangfire;
using Hangfire.Storage;
using Hangfire.Storage.Monitoring;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Portal.Core.Catalog;
using Portal.Core.Hosting;
using Portal.Core.Rides;
using Portal.Core.Simulation;
using Portal.Core.Storage;
using Portal.Jobs.Hosting;
using Portal.Jobs.Pipeline;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Scale;

/// <summary>
/// One installation as production runs it, scaled out: a fresh PostgreSQL database (catalog and Hangfire), a
/// shared local-disk object store with one encryption key, N worker processes (the built Portal.Jobs.dll) and,
/// in the test process, the portal side — the real intake with Hangfire's client but no Hangfire server.
/// </summary>
public sealed class ScaleCluster : IAsyncDisposable
{
    private readonly List<WorkerProcess> workers = [];
    private readonly Dictionary<string, string> settings;
    private readonly IHost portalSide;

    private ScaleCluster(Dictionary<string, string> settings, IHost portalSide, string storageRoot)
    {
        this.settings = settings;
        this.portalSide = portalSide;
        StorageRoot = storageRoot;
    }

    public string StorageRoot { get; }

    public IServiceProvider Services => portalSide.Services;

    public JobStorage JobStorage => Services.GetRequiredService<JobStorage>();

    /// <summary>Ride id → the Hangfire job id(s) its analysis was enqueued as.</summary>
    public ConcurrentDictionary<Guid, ConcurrentBag<string>> AnalysisJobs { get; } = new();

    public static async Task<ScaleCluster> StartAsync(string name, int invisibilityTimeoutSeconds)
    {
        var connectionString = await TestServices.CreatePostgresDatabaseAsync(name);
        var storageRoot = Path.Combine(Path.GetTempPath(), "portal-tests", $"{name}-objects-{Guid.NewGuid():N}");
        Directory.CreateDirectory(storageRoot);
        var settings = new Dictionary<string, string>
        {
            ["Database__Provider"] = "PostgreSql",
            ["ConnectionStrings__Portal"] = connectionString,
            ["Hangfire__Storage"] = "PostgreSql",
            ["Hangfire__InvisibilityTimeoutSeconds"] = invisibilityTimeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Hangfire__Server__Workers"] = "2",
            ["Storage__Provider"] = "FileSystem",
            ["Storage__FileSystem__Root"] = storageRoot,
            // Every process of the installation must unwrap what another wrote: one shared key.
            ["Storage__FileSystem__EncryptionKeys__0__Id"] = "scale-test",
            ["Storage__FileSystem__EncryptionKeys__0__Key"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["Storage__FileSystem__ActiveKeyId"] = "scale-test",
            ["Mqtt__Subscriber__Enabled"] = "false",
            ["Mqtt__Broker"] = "External",
            ["Mqtt__External__Host"] = "127.0.0.1",
            ["Demo__Seed"] = "false",
            ["Logging__Console__FormatterName"] = "simple",
            ["Logging__Console__FormatterOptions__SingleLine"] = "true",
            ["Logging__LogLevel__Default"] = "Warning",
            ["Logging__LogLevel__Portal.Jobs.Pipeline.AnalyzeRideJob"] = "Information",
        };

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings
            .Where(s => !s.Key.StartsWith("Logging", StringComparison.Ordinal))
            .Select(s => KeyValuePair.Create(s.Key.Replace("__", ":", StringComparison.Ordinal), (string?)s.Value))
            .Append(KeyValuePair.Create("Embedded:DataDir", (string?)Path.Combine(storageRoot, "..", $"{name}-portal-{Guid.NewGuid():N}")))
            // The portal of a scaled-out installation only enqueues.
            .Append(KeyValuePair.Create("Hangfire:Server:Enabled", (string?)"false")));
        builder.AddCatalog();
        builder.AddObjectStorage();
        builder.AddPortalJobs();
        builder.AddRidePipeline();
        var cluster = default(ScaleCluster);
        builder.Services.Replace(ServiceDescriptor.Scoped<IRideJobScheduler>(provider =>
            new RecordingScheduler(new HangfireRideJobScheduler(provider.GetRequiredService<IBackgroundJobClient>()), cluster!.AnalysisJobs)));
        var host = builder.Build();
        cluster = new ScaleCluster(settings, host, storageRoot);
        await host.Services.MigrateCatalogAsync(CancellationToken.None);
        await host.Services.GetRequiredService<IObjectStorage>().EnsureBucketsAsync(CancellationToken.None);
        await host.StartAsync();
        return cluster;
    }

    /// <summary>Starts a worker process; it counts as up once its Hangfire server has registered.</summary>
    public WorkerProcess StartWorker(string name) => StartWorker(name, new Dictionary<string, string>());

    /// <summary>A worker with some of the installation's settings overridden or added (e.g. an ingest subscriber's Mqtt__* keys).</summary>
    public WorkerProcess StartWorker(string name, IReadOnlyDictionary<string, string> overrides)
    {
        ArgumentNullException.ThrowIfNull(overrides);
        var environment = new Dictionary<string, string>(settings);
        foreach (var (key, value) in overrides)
        {
            environment[key] = value;
        }

        var worker = WorkerProcess.Start(name, environment);
        workers.Add(worker);
        return worker;
    }

    /// <summary>Waits until every given worker's Hangfire server is registered (its process id is in the server id).</summary>
    public async Task WaitForServersAsync(IReadOnlyList<WorkerProcess> expected, TimeSpan patience)
    {
        using var timeout = new CancellationTokenSource(patience);
        while (!expected.All(w => ServerIdOf(w) is not null))
        {
            var dead = expected.FirstOrDefault(w => w.HasExited);
            if (dead is not null || timeout.IsCancellationRequested)
            {
                Assert.Fail($"Worker servers did not all register within {patience}. {string.Join("\n---\n", expected.Select(w => w.Describe()))}");
            }

            await Task.Delay(200);
        }
    }

    public string? ServerIdOf(WorkerProcess worker) =>
        JobStorage.GetMonitoringApi().Servers().Select(s => s.Name).FirstOrDefault(id => IsServerOf(id, worker));

    /// <summary>Hangfire server ids are "{name}:{process id}:{guid}".</summary>
    public static bool IsServerOf(string? serverId, WorkerProcess worker) =>
        serverId is not null && serverId.Contains($":{worker.ProcessId}:", StringComparison.Ordinal);

    /// <summary>A small, distinct, realistic ride: 20–40 s of a simulated city ride at 50 Hz.</summary>
    public static async Task<byte[]> SimulatedRideAsync(int seed, double durationSeconds, double rateHz = 50)
    {
        using var csv = new MemoryStream();
        await SimulatedRideCsvWriter.WriteAsync(csv,
            new SimulationOptions { Scenario = RideScenario.City, DurationSeconds = durationSeconds, RateHz = rateHz, Seed = seed, GpsRateHz = 5 },
            gzip: false, maxContentBytes: null, CancellationToken.None);
        return csv.ToArray();
    }

    /// <summary>Uploads through the real intake (raw bucket, catalog row, analysis enqueued), as the API does.</summary>
    public async Task<Ride> IngestAsync(Guid ownerId, byte[] content, string fileName)
    {
        await using var scope = Services.CreateAsyncScope();
        var result = await scope.ServiceProvider.GetRequiredService<RideIntake>().IngestAsync(
            new RideUpload(ownerId, ownerId, RideSource.Bulk, fileName), new MemoryStream(content, writable: false), CancellationToken.None);
        Assert.False(result.Duplicate);
        return result.Ride;
    }

    public async Task<T> WithCatalogAsync<T>(Func<CatalogDbContext, Task<T>> query)
    {
        await using var scope = Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<CatalogDbContext>());
    }

    /// <summary>Waits until every ride is analysed (or failed: then the assertions say which); fails on timeout.</summary>
    public async Task WaitUntilFinishedAsync(IReadOnlyCollection<Guid> rideIds, TimeSpan patience, IEnumerable<WorkerProcess> watched)
    {
        using var timeout = new CancellationTokenSource(patience);
        var ids = rideIds.ToList();
        while (true)
        {
            var finished = await WithCatalogAsync(db => db.Rides.CountAsync(r => ids.Contains(r.Id) && (r.Status == RideStatus.Analyzed || r.Status == RideStatus.Failed)));
            // The job's Succeeded state is written just after the ride's row: wait for both.
            if (finished == ids.Count && ids.All(JobsFinal))
            {
                return;
            }

            if (timeout.IsCancellationRequested)
            {
                Assert.Fail($"Only {finished} of {ids.Count} rides were finished after {patience}.\n{string.Join("\n---\n", watched.Select(w => w.Describe()))}");
            }

            await Task.Delay(250);
        }
    }

    private bool JobsFinal(Guid rideId)
    {
        using var connection = JobStorage.GetConnection();
        return AnalysisJobs.TryGetValue(rideId, out var jobs)
            && jobs.All(job => connection.GetStateData(job)?.Name is { } state
                && (state == Hangfire.States.SucceededState.StateName || state == Hangfire.States.FailedState.StateName));
    }

    public JobDetailsDto JobDetails(string jobId) =>
        JobStorage.GetMonitoringApi().JobDetails(jobId) ?? throw new InvalidOperationException($"Hangfire job {jobId} does not exist.");

    /// <summary>The server ids of the job's Processing states, oldest first.</summary>
    public static IReadOnlyList<string> ProcessingServers(JobDetailsDto job) =>
        [.. job.History
            .Where(state => state.StateName == Hangfire.States.ProcessingState.StateName)
            .OrderBy(state => state.CreatedAt)
            .Select(state => state.Data.TryGetValue("ServerId", out var server) ? server : "")];

    public static int SucceededCount(JobDetailsDto job) =>
        job.History.Count(state => state.StateName == Hangfire.States.SucceededState.StateName);

    /// <summary>The ids of the rides a worker logged as analysed ("Ride {id} analysed ..."), one entry per log line.</summary>
    public static IEnumerable<Guid> AnalysedRideLog(WorkerProcess worker) =>
        worker.Output
            .Select(line => line.IndexOf("Ride ", StringComparison.Ordinal) is var at and >= 0 && line.Contains(" analysed (version", StringComparison.Ordinal)
                ? line.Substring(at + 5, 36)
                : null)
            .Where(id => id is not null && Guid.TryParse(id, out _))
            .Select(id => Guid.Parse(id!));

    public async ValueTask DisposeAsync()
    {
        foreach (var worker in workers)
        {
            worker.Dispose();
        }

        await portalSide.StopAsync();
        portalSide.Dispose();
        try
        {
            Directory.Delete(StorageRoot, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>The real Hangfire scheduler, remembering which job analyses which ride.</summary>
    private sealed class RecordingScheduler(HangfireRideJobScheduler inner, ConcurrentDictionary<Guid, ConcurrentBag<string>> jobs) : IRideJobScheduler
    {
        public string EnqueueAnalysis(Guid rideId)
        {
            var jobId = inner.EnqueueAnalysis(rideId);
            jobs.GetOrAdd(rideId, _ => []).Add(jobId);
            return jobId;
        }

        public string EnqueueCrashHandling(Guid rideId) => inner.EnqueueCrashHandling(rideId);
    }
}
