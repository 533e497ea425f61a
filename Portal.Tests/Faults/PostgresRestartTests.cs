using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using Hangfire;
using Microsoft.EntityFrameworkCore;
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
/// The test's own PostgreSQL cluster (catalog and Hangfire) is restarted (<c>pg_ctl restart -m fast</c>: every
/// session killed) while clients upload and a worker process analyses. Each upload is either accepted (201) or
/// refused cleanly (503 + Retry-After, database_unavailable) and then sent again; every accepted ride is
/// analysed once; no file ends up as two rides.
/// </summary>
[Trait("Category", "Faults")]
public sealed class PostgresRestartTests : IAsyncLifetime
{
    private const int Clients = 3;

    /// <summary>Guards against a hang only: a job that met the restart is retried 10 s (+ up to 5 s schedule polling) later.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    private readonly ITestOutputHelper output;
    private readonly Dictionary<string, string> settings = [];
    private PostgresCluster cluster = null!;
    private PortalFactory portal = null!;
    private WorkerProcess? worker;
    private string storageRoot = "";

    public PostgresRestartTests(ITestOutputHelper output) => this.output = output;

    public async Task InitializeAsync()
    {
        cluster = await PostgresCluster.StartAsync();
        var connectionString = await cluster.CreateDatabaseAsync("portal");
        storageRoot = Path.Combine(Path.GetTempPath(), "portal-tests", $"faults-pg-objects-{Guid.NewGuid():N}");
        Directory.CreateDirectory(storageRoot);
        portal = new PortalFactory(TestDatabase.PostgreSql, "PostgreSql").UsePostgres(connectionString);
        foreach (var (key, value) in new Dictionary<string, string>
        {
            ["Database:Provider"] = "PostgreSql",
            ["ConnectionStrings:Portal"] = connectionString,
            ["Hangfire:Storage"] = "PostgreSql",
            ["Hangfire:InvisibilityTimeoutSeconds"] = "15",
            ["Storage:Provider"] = "FileSystem",
            ["Storage:FileSystem:Root"] = storageRoot,
            ["Storage:FileSystem:EncryptionKeys:0:Id"] = "faults",
            ["Storage:FileSystem:EncryptionKeys:0:Key"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["Storage:FileSystem:ActiveKeyId"] = "faults",
        })
        {
            settings[key] = value;
            portal.WithSetting(key, value);
        }

        portal.WithSetting("Hangfire:Server:Enabled", "false");
        // The failed commands during the restart are expected: the test asserts on the answers, not the log.
        portal.WithSetting("Logging:LogLevel:Microsoft.EntityFrameworkCore", "None");
    }

    public async Task DisposeAsync()
    {
        worker?.Dispose();
        await portal.DisposeAsync();
        await cluster.DisposeAsync();
        try
        {
            Directory.Delete(storageRoot, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task PostgresRestartedDuringUploadsAndJobs_UploadsAre201OrClean503_AndEveryAcceptedRideIsAnalysedOnce()
    {
        using var client = await portal.CreateBearerClientAsync("rider@demo.local");
        worker = WorkerProcess.Start("pg-restart", WorkerEnvironment());
        var monitoring = portal.Services.GetRequiredService<JobStorage>().GetMonitoringApi();
        await FaultClient.WaitUntilAsync(() => Task.FromResult(monitoring.Servers().Any(s => ScaleCluster.IsServerOf(s.Name, worker))), Patience,
            () => $"the worker's Hangfire server did not register\n{worker.Describe()}");
        // Its own connection pool: at most one idle connection, which the first look after the restart finds broken.
        await using var inspector = InstallationInspector.Create(new Dictionary<string, string>(settings)
        {
            ["ConnectionStrings:Portal"] = settings["ConnectionStrings:Portal"] + ";Application Name=faults-inspector",
        });

        var accepted = new ConcurrentDictionary<Guid, (string Sha, long At)>();
        var refusals = new ConcurrentBag<UploadOutcome>();
        var unexpected = new ConcurrentBag<string>();
        var clock = Stopwatch.StartNew();
        using var stop = new CancellationTokenSource();
        var uploaders = Enumerable.Range(0, Clients).Select(c => Task.Run(async () =>
        {
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                var content = await ScaleCluster.SimulatedRideAsync(seed: 2000 + (c * 1000) + n, durationSeconds: 20);

                // A refused file is sent again, as a client honouring Retry-After would (sooner: the test has no 30 s to spare).
                while (true)
                {
                    var outcome = await FaultClient.PostRawAsync(client, content, $"client{c}-{n}.csv");
                    if (outcome.Accepted)
                    {
                        accepted[outcome.RideId!.Value] = (FaultClient.Sha256Hex(content), clock.ElapsedMilliseconds);
                        break;
                    }

                    if (outcome.Status == HttpStatusCode.ServiceUnavailable)
                    {
                        refusals.Add(outcome);
                        if (stop.IsCancellationRequested)
                        {
                            break;
                        }

                        await Task.Delay(200);
                        continue;
                    }

                    unexpected.Add($"client {c} file {n}: {outcome}");
                    return;
                }
            }
        })).ToList();

        // Uploads flow and an analysis runs (or has run) when the database goes away.
        await FaultClient.WaitUntilAsync(async () => accepted.Count >= Clients
                && (monitoring.ProcessingCount() > 0 || await inspector.WithCatalogAsync(db => db.Rides.CountAsync(r => r.Status == RideStatus.Analyzed)) > 0),
            Patience, () => $"{accepted.Count} accepted before the restart; unexpected: {string.Join("; ", unexpected)}\n{worker.Describe()}");
        var restartAt = clock.ElapsedMilliseconds;
        await cluster.RestartAsync();
        var restartedAt = clock.ElapsedMilliseconds;
        output.WriteLine($"PostgreSQL restarted in {restartedAt - restartAt} ms with {accepted.Count} rides accepted.");

        // Uploads carry on after the restart by themselves.
        await FaultClient.WaitUntilAsync(() => Task.FromResult(accepted.Values.Count(a => a.At > restartedAt) >= Clients || !unexpected.IsEmpty),
            Patience, () => $"only {accepted.Values.Count(a => a.At > restartedAt)} uploads accepted after the restart; refusals: {refusals.Count}");
        await stop.CancelAsync();
        await Task.WhenAll(uploaders).WaitAsync(Patience);
        Assert.Empty(unexpected);
        Assert.All(refusals, refusal => FaultClient.AssertUnavailable(refusal, ServiceUnavailableExceptionHandler.DatabaseUnavailable));
        output.WriteLine($"{accepted.Count} uploads accepted, {refusals.Count} refused with 503 during the restart.");

        var ids = accepted.Keys.ToList();
        await FaultClient.WaitUntilAsync(async () => await inspector.WithCatalogAsync(db => db.Rides.CountAsync(r => ids.Contains(r.Id) && (r.Status == RideStatus.Analyzed || r.Status == RideStatus.Failed))) == ids.Count,
            Patience, () => $"not every accepted ride was analysed\n{worker.Describe()}\n{cluster.ServerLog()}");

        // One ride per accepted file, nothing else: refused uploads left no row, no file became two rides.
        var rides = await inspector.RidesAsync();
        Assert.Equal(ids.Order(), rides.Select(r => r.Id).Order());
        Assert.Equal(rides.Count, rides.Select(r => r.Sha256).Distinct(StringComparer.Ordinal).Count());
        foreach (var ride in rides)
        {
            Assert.True(ride.Status == RideStatus.Analyzed, $"Ride {ride.Id} is {ride.Status}: {ride.FailureCode} {ride.FailureMessage}");
            Assert.Equal(accepted[ride.Id].Sha, ride.Sha256);
            Assert.Equal(ride.Sha256, await inspector.Sha256OfAsync(BucketKind.Raw, ride.RawKey));
            Assert.NotNull(await inspector.Storage.GetInfoAsync(BucketKind.Analytics, PipelineKeys.MetricsJson(ride.Id), CancellationToken.None));
        }

        // Raw objects: exactly the rides' (a refused upload deleted what it had stored).
        Assert.Equal(rides.Select(r => r.RawKey).Order(StringComparer.Ordinal), (await inspector.KeysAsync(BucketKind.Raw)).Order(StringComparer.Ordinal));

        // One "ride analysed" notification per ride, however often its job ran.
        var notified = await inspector.WithCatalogAsync(db => db.Set<Notification>()
            .Where(n => n.Kind == NotificationKind.RideAnalyzed && n.RideId != null && ids.Contains(n.RideId.Value))
            .Select(n => n.RideId!.Value).ToListAsync());
        Assert.Equal(ids.Order(), notified.Order());
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
