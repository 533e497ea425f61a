using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Portal.Core.Analytics;
using Portal.Core.Catalog;
using Portal.Core.Hosting;
using Portal.Core.Rides;
using Portal.Core.Simulation;
using Portal.Core.Storage;
using Portal.Jobs.Hosting;
using Portal.Jobs.Pipeline;

namespace Portal.Jobs.CommandLine;

/// <summary>
/// <c>load --server URL (--token T | --email E --password P) [--server-pid PID] [--parts upload,queue,api,memory] ...</c>:
/// the thesis's Table 4.3 measured on this machine (documented in docs/scale-out.md). Reads the installation's
/// configuration (database, object storage, Hangfire) from the same environment variables as the portal, to seed
/// the catalog and to queue rides for its own worker processes. Loopback only; every loop is bounded.
/// </summary>
public static class LoadCommand
{
    /// <summary>The queue the benchmark's own workers serve, so the portal's Hangfire server never takes these jobs.</summary>
    public const string BenchQueue = "load-bench";

    private const string SeedPrefix = "load-seed-";

    private static readonly string[] Options =
    [
        "server", "token", "email", "password", "server-pid", "parts", "ride-mb", "queue-rides", "queue-mb", "workers",
        "catalog", "clients", "requests", "big-mb", "big-uploads", "work-dir", "timeout-s",
    ];

    // Thesis Table 4.3 (one server; users = concurrent clients).
    private static readonly int[] ThesisUsers = [1, 10, 50, 250];
    private static readonly double[] ThesisCalculateS = [30, 85, 467, 2284];
    private static readonly double[] ThesisRetrieveMs = [221, 252, 327, 268];
    private static readonly double[] ThesisListMs = [234, 228, 227, 301];

    public static async Task<int> RunAsync(ReadOnlyMemory<string> args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        LoadSettings settings;
        try
        {
            settings = LoadSettings.Parse(CommandArguments.Parse(args.Span, flags: [], known: Options));
        }
        catch (ArgumentException e)
        {
            await stderr.WriteLineAsync($"{e.Message}\nUsage: {LoadSettings.Usage}");
            return 2;
        }

        Directory.CreateDirectory(settings.WorkDir);
        var report = new LoadReport();
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1024, PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
        {
            BaseAddress = settings.Server,
            Timeout = TimeSpan.FromSeconds(settings.TimeoutSeconds),
        };
        using var host = BuildInstallationHost();
        try
        {
            var token = settings.Token ?? await LoginAsync(http, settings, cancellationToken);
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            await host.Services.MigrateCatalogAsync(cancellationToken);
            await host.Services.GetRequiredService<IObjectStorage>().EnsureBucketsAsync(cancellationToken);
            await stdout.WriteLineAsync($"load: server {settings.Server}, parts {string.Join(",", settings.Parts)}, work dir {settings.WorkDir}, {Environment.ProcessorCount} cores");

            if (settings.Parts.Contains("upload"))
            {
                await MeasureUploadToMetricsAsync(http, settings, report, stdout, cancellationToken);
            }

            if (settings.Parts.Contains("queue"))
            {
                await MeasureQueueAsync(host.Services, settings, report, stdout, cancellationToken);
            }

            if (settings.Parts.Contains("api"))
            {
                await MeasureApiAsync(http, host.Services, settings, report, stdout, cancellationToken);
            }

            if (settings.Parts.Contains("memory"))
            {
                await MeasureUploadMemoryAsync(http, settings, report, stdout, cancellationToken);
            }
        }
        catch (Exception e) when (e is HttpRequestException or LoadFailedException or TaskCanceledException or InvalidOperationException)
        {
            await stderr.WriteLineAsync($"load: {e.Message}");
            await report.PrintAsync(stdout, settings);
            return 1;
        }

        await report.PrintAsync(stdout, settings);
        return 0;
    }

    // ---------------------------------------------------------------- (a) one ride: upload → metrics visible

    private static async Task MeasureUploadToMetricsAsync(HttpClient http, LoadSettings settings, LoadReport report, TextWriter stdout, CancellationToken cancellationToken)
    {
        // A fresh seed every run: the same bytes again would be recognised as a duplicate and not analysed.
        var seed = RandomNumberGenerator.GetInt32(1, int.MaxValue);
        var file = Path.Combine(settings.WorkDir, $"upload-{settings.RideMb}mb-{seed}.csv");
        await WriteSimulatedRideAsync(file, settings.RideMb, seed, cancellationToken);
        try
        {
            var clock = Stopwatch.StartNew();
            Guid rideId;
            await using (var body = File.OpenRead(file))
            {
                using var content = new StreamContent(body, 1 << 16);
                content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
                using var response = await http.PostAsync($"/api/rides?fileName={Path.GetFileName(file)}", content, cancellationToken);
                await EnsureAsync(response, HttpStatusCode.Created, cancellationToken);
                using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
                rideId = json.RootElement.GetProperty("ride").GetProperty("id").GetGuid();
            }

            var uploaded = clock.Elapsed;
            var deadline = uploaded + TimeSpan.FromSeconds(settings.TimeoutSeconds);
            while (true)
            {
                using var json = JsonDocument.Parse(await http.GetStringAsync($"/api/rides/{rideId}", cancellationToken));
                var status = json.RootElement.GetProperty("status").GetString();
                if (string.Equals(status, nameof(RideStatus.Analyzed), StringComparison.OrdinalIgnoreCase))
                {
                    break;
                }

                if (string.Equals(status, nameof(RideStatus.Failed), StringComparison.OrdinalIgnoreCase) || clock.Elapsed > deadline)
                {
                    throw new LoadFailedException($"Ride {rideId} is {status} after {clock.Elapsed.TotalSeconds:F1} s.");
                }

                await Task.Delay(20, cancellationToken);
            }

            report.UploadSeconds = uploaded.TotalSeconds;
            report.UploadToMetricsSeconds = (clock.Elapsed - uploaded).TotalSeconds;
            await stdout.WriteLineAsync(Invariant($"(a) {settings.RideMb} MB ride: upload {report.UploadSeconds:F2} s ({settings.RideMb / report.UploadSeconds:F0} MB/s), upload complete → metrics visible {report.UploadToMetricsSeconds:F2} s"));
        }
        finally
        {
            File.Delete(file);
        }
    }

    // ---------------------------------------------------------------- (b) N rides queued at once, 1 and 2 workers

    private static async Task MeasureQueueAsync(IServiceProvider services, LoadSettings settings, LoadReport report, TextWriter stdout, CancellationToken cancellationToken)
    {
        var largest = settings.QueueRides.Max();
        var file = Path.Combine(settings.WorkDir, $"queue-{settings.QueueMb}mb.csv");
        if (!File.Exists(file))
        {
            await WriteSimulatedRideAsync(file, settings.QueueMb, seed: 42, cancellationToken);
        }

        // Stored once through the real intake (one rider each, so none is a duplicate), queued later all at once.
        var clock = Stopwatch.StartNew();
        var rideIds = new List<Guid>(largest);
        for (var i = 0; i < largest; i++)
        {
            await using var scope = services.CreateAsyncScope();
            await using var body = File.OpenRead(file);
            var result = await scope.ServiceProvider.GetRequiredService<RideIntake>().IngestAsync(
                new RideUpload(Guid.NewGuid(), Guid.NewGuid(), RideSource.Bulk, $"load-queue-{i:D4}.csv"), body, cancellationToken);
            rideIds.Add(result.Ride.Id);
        }

        await stdout.WriteLineAsync(Invariant($"(b) stored {largest} × {settings.QueueMb} MB rides in {clock.Elapsed.TotalSeconds:F1} s; storage {services.GetRequiredService<IObjectStorage>().GetType().Name}"));

        foreach (var workerCount in settings.Workers)
        {
            var workers = new List<Process>();
            try
            {
                for (var i = 0; i < workerCount; i++)
                {
                    workers.Add(StartWorker());
                }

                await WaitForBenchServersAsync(services.GetRequiredService<JobStorage>(), workerCount, workers, cancellationToken);
                foreach (var count in settings.QueueRides.Order())
                {
                    var batch = rideIds.Take(count).ToList();
                    var seconds = await AnalyseAllAsync(services, batch, settings, cancellationToken);
                    report.Calculate[(workerCount, count)] = seconds;
                    await stdout.WriteLineAsync(Invariant($"(b) {workerCount} worker(s): {count} × {settings.QueueMb} MB queued at once → all analysed in {seconds:F1} s ({count * settings.QueueMb / seconds:F0} MB/s)"));
                }
            }
            finally
            {
                await StopWorkersAsync(workers);
            }
        }
    }

    private static async Task<double> AnalyseAllAsync(IServiceProvider services, List<Guid> batch, LoadSettings settings, CancellationToken cancellationToken)
    {
        await using (var scope = services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<CatalogDbContext>();
            await db.Rides.Where(r => batch.Contains(r.Id)).ExecuteUpdateAsync(s => s
                .SetProperty(r => r.Status, RideStatus.Queued)
                .SetProperty(r => r.AnalyzedAt, (DateTimeOffset?)null), cancellationToken);
        }

        var client = services.GetRequiredService<IBackgroundJobClient>();
        var clock = Stopwatch.StartNew();
        foreach (var id in batch)
        {
            client.Enqueue<AnalyzeRideJob>(BenchQueue, job => job.RunAsync(id, null, CancellationToken.None));
        }

        var deadline = TimeSpan.FromSeconds(settings.TimeoutSeconds);
        while (true)
        {
            await using var scope = services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<CatalogDbContext>();
            var counts = await db.Rides.Where(r => batch.Contains(r.Id)).GroupBy(r => r.Status).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(cancellationToken);
            if (counts.FirstOrDefault(c => c.Key == RideStatus.Failed) is { Count: > 0 } failed)
            {
                throw new LoadFailedException($"{failed.Count} ride(s) failed to analyse.");
            }

            if (counts.FirstOrDefault(c => c.Key == RideStatus.Analyzed)?.Count == batch.Count)
            {
                return clock.Elapsed.TotalSeconds;
            }

            if (clock.Elapsed > deadline)
            {
                throw new LoadFailedException($"Not all {batch.Count} rides were analysed within {deadline.TotalSeconds} s.");
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    /// <summary>This very program without arguments is a worker; it serves only the benchmark's queue.</summary>
    private static Process StartWorker()
    {
        var self = Environment.ProcessPath ?? "dotnet";
        var start = Path.GetFileNameWithoutExtension(self) == "dotnet"
            ? new ProcessStartInfo(self, [typeof(LoadCommand).Assembly.Location])
            : new ProcessStartInfo(self);
        start.UseShellExecute = false;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.Environment["Hangfire__Server__Enabled"] = "true";
        start.Environment["Hangfire__Server__Queues__0"] = BenchQueue;
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        var process = Process.Start(start) ?? throw new LoadFailedException("The worker process did not start.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, line) =>
        {
            if (line.Data is { Length: > 0 } text)
            {
                Console.Error.WriteLine($"[worker {process.Id}] {text}");
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task WaitForBenchServersAsync(JobStorage storage, int expected, List<Process> workers, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var pids = workers.Select(w => $":{w.Id}:").ToList();
            var up = storage.GetMonitoringApi().Servers().Count(s => pids.Any(pid => s.Name.Contains(pid, StringComparison.Ordinal)));
            if (up == expected)
            {
                return;
            }

            if (workers.Any(w => w.HasExited) || clock.Elapsed > TimeSpan.FromMinutes(2))
            {
                throw new LoadFailedException($"Only {up} of {expected} benchmark workers registered.");
            }

            await Task.Delay(200, cancellationToken);
        }
    }

    private static async Task StopWorkersAsync(List<Process> workers)
    {
        foreach (var worker in workers.Where(w => !w.HasExited))
        {
            // SIGTERM: a graceful stop removes the server from Hangfire's list at once.
            using var kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", worker.Id.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false });
            await kill!.WaitForExitAsync();
        }

        foreach (var worker in workers)
        {
            using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await worker.WaitForExitAsync(patience.Token);
            }
            catch (OperationCanceledException)
            {
                worker.Kill(entireProcessTree: true);
            }

            worker.Dispose();
        }
    }

    // ---------------------------------------------------------------- (c) retrieve / list with a large catalog

    private static async Task MeasureApiAsync(HttpClient http, IServiceProvider services, LoadSettings settings, LoadReport report, TextWriter stdout, CancellationToken cancellationToken)
    {
        using var me = JsonDocument.Parse(await http.GetStringAsync("/api/me", cancellationToken));
        var ownerId = me.RootElement.GetProperty("id").GetGuid();
        var (seedFrom, seedTo) = await SeedCatalogAsync(services, ownerId, settings.Catalog, stdout, cancellationToken);
        List<Guid> ids;
        await using (var scope = services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<CatalogDbContext>();
            ids = await db.Rides.AsNoTracking().Where(r => r.OwnerId == ownerId && r.FileName.StartsWith(SeedPrefix))
                .OrderBy(r => r.Id).Select(r => r.Id).Take(20_000).ToListAsync(cancellationToken);
            report.CatalogRows = await db.Rides.CountAsync(cancellationToken);
        }

        var span = seedTo - seedFrom;
        string RetrieveUrl(Random random) => $"/api/rides/{ids[random.Next(ids.Count)]}/analytics";
        string ListUrl(Random random)
        {
            // List by metadata: analysed rides of a random week, a random one of its first pages.
            var from = seedFrom + (span - TimeSpan.FromDays(7)) * random.NextDouble();
            return Invariant($"/api/rides?status=Analyzed&from={Uri.EscapeDataString(from.ToString("O", CultureInfo.InvariantCulture))}&to={Uri.EscapeDataString(from.AddDays(7).ToString("O", CultureInfo.InvariantCulture))}&page={random.Next(1, 4)}&pageSize=50");
        }

        await RunClientsAsync(http, 1, 20, RetrieveUrl, cancellationToken);
        await RunClientsAsync(http, 1, 20, ListUrl, cancellationToken);
        foreach (var clients in settings.Clients)
        {
            var perClient = Math.Max(4, settings.Requests / clients);
            report.Retrieve[clients] = await RunClientsAsync(http, clients, perClient, RetrieveUrl, cancellationToken);
            report.List[clients] = await RunClientsAsync(http, clients, perClient, ListUrl, cancellationToken);
            await stdout.WriteLineAsync(Invariant(
                $"(c) {clients} client(s) × {perClient} requests: retrieve p50 {report.Retrieve[clients].P50:F1} ms p95 {report.Retrieve[clients].P95:F1} ms; list p50 {report.List[clients].P50:F1} ms p95 {report.List[clients].P95:F1} ms"));
        }
    }

    private static async Task<Latencies> RunClientsAsync(HttpClient http, int clients, int perClient, Func<Random, string> url, CancellationToken cancellationToken)
    {
        var samples = new double[clients * perClient];
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(client => Task.Run(async () =>
        {
            var random = new Random(client);
            for (var i = 0; i < perClient; i++)
            {
                var started = Stopwatch.GetTimestamp();
                using var response = await http.GetAsync(url(random), HttpCompletionOption.ResponseContentRead, cancellationToken);
                if (!response.IsSuccessStatusCode)
                {
                    throw new LoadFailedException($"GET {response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}.");
                }

                samples[client * perClient + i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }
        }, cancellationToken)));
        Array.Sort(samples);
        return new Latencies(Percentile(samples, 0.50), Percentile(samples, 0.95), samples.Length / clock.Elapsed.TotalSeconds);
    }

    private static double Percentile(double[] sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];

    /// <summary>Adds analysed rides (catalog rows only: retrieve answers from the catalog) owned by the caller up to <paramref name="target"/>.</summary>
    private static async Task<(DateTimeOffset From, DateTimeOffset To)> SeedCatalogAsync(IServiceProvider services, Guid ownerId, int target, TextWriter stdout, CancellationToken cancellationToken)
    {
        var newest = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
        var oldest = newest.AddMinutes(-(target - 1) * 5.0);
        int existing;
        await using (var scope = services.CreateAsyncScope())
        {
            existing = await scope.ServiceProvider.GetRequiredService<CatalogDbContext>().Rides
                .CountAsync(r => r.OwnerId == ownerId && r.FileName.StartsWith(SeedPrefix), cancellationToken);
        }

        if (existing >= target)
        {
            return (oldest, newest);
        }

        // Real metrics from the real analyzer on a short simulated ride, copied into every row.
        var metrics = await AnalyseSmallRideAsync(services, cancellationToken);
        var metricsJson = Encoding.UTF8.GetString(PipelineJson.MetricsJson(metrics));
        var clock = Stopwatch.StartNew();
        const int Batch = 5000;
        for (var start = existing; start < target; start += Batch)
        {
            await using var scope = services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<CatalogDbContext>();
            db.ChangeTracker.AutoDetectChangesEnabled = false;
            for (var i = start; i < Math.Min(target, start + Batch); i++)
            {
                var uploadedAt = newest.AddMinutes(-i * 5.0);
                var id = Guid.CreateVersion7(uploadedAt);
                db.Rides.Add(new Ride
                {
                    Id = id,
                    OwnerId = ownerId,
                    UploaderId = ownerId,
                    Source = RideSource.Api,
                    FileName = Invariant($"{SeedPrefix}{i:D6}.csv"),
                    SizeBytes = 50_000_000,
                    Sha256 = Convert.ToHexStringLower(SHA256.HashData(id.ToByteArray())),
                    RawKey = $"{ownerId}/{id}.csv",
                    UploadedAt = uploadedAt,
                    Status = RideStatus.Analyzed,
                    ProgressPercent = 100,
                    AnalyzedAt = uploadedAt.AddSeconds(2),
                    AnalysisVersion = AnalysisVersion.Current,
                    MetricsJson = metricsJson,
                    DurationS = metrics.DurationS,
                    DistanceKm = metrics.DistanceKm,
                    MaxSpeedKmh = metrics.MaxSpeedKmh,
                    MaxDecelMs2 = metrics.MaxDecelMs2,
                });
            }

            await db.SaveChangesAsync(cancellationToken);
        }

        await stdout.WriteLineAsync(Invariant($"(c) seeded {target - existing} catalog rows in {clock.Elapsed.TotalSeconds:F1} s"));
        return (oldest, newest);
    }

    private static async Task<RideMetrics> AnalyseSmallRideAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        using var csv = new MemoryStream();
        await SimulatedRideCsvWriter.WriteAsync(csv, new SimulationOptions { Scenario = RideScenario.Country, DurationSeconds = 120, RateHz = 50, Seed = 3 }, gzip: false, maxContentBytes: null, cancellationToken);
        csv.Position = 0;
        var analysis = await services.GetRequiredService<IRideAnalyzer>().AnalyzeAsync(csv, null, null, cancellationToken);
        return analysis.Metrics ?? throw new LoadFailedException($"The sample ride was rejected: {analysis.Rejection?.Message}");
    }

    // ---------------------------------------------------------------- (d) server memory during big parallel uploads

    private static async Task MeasureUploadMemoryAsync(HttpClient http, LoadSettings settings, LoadReport report, TextWriter stdout, CancellationToken cancellationToken)
    {
        if (settings.ServerPid is not { } pid)
        {
            await stdout.WriteLineAsync("(d) skipped: --server-pid is needed to read the portal's resident memory.");
            return;
        }

        var file = Path.Combine(settings.WorkDir, $"big-{settings.BigMb}mb.csv");
        if (!File.Exists(file))
        {
            await WriteSimulatedRideAsync(file, settings.BigMb, seed: 250, cancellationToken);
        }

        var baseline = ResidentMegabytes(pid);
        var peak = baseline;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                peak = Math.Max(peak, ResidentMegabytes(pid));
                await Task.Delay(20, CancellationToken.None);
            }
        }, CancellationToken.None);

        var clock = Stopwatch.StartNew();
        var statuses = await Task.WhenAll(Enumerable.Range(0, settings.BigUploads).Select(async i =>
        {
            await using var body = File.OpenRead(file);
            using var content = new StreamContent(body, 1 << 16);
            content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
            using var response = await http.PostAsync($"/api/rides?fileName=big-{i}.csv", content, cancellationToken);
            return response.StatusCode;
        }));
        var seconds = clock.Elapsed.TotalSeconds;
        await sampling.CancelAsync();
        await sampler;
        if (statuses.Any(s => s is not (HttpStatusCode.Created or HttpStatusCode.OK)))
        {
            throw new LoadFailedException($"Big uploads answered {string.Join(", ", statuses.Select(s => (int)s))}.");
        }

        report.MemoryBaselineMb = baseline;
        report.MemoryPeakMb = peak;
        report.MemorySeconds = seconds;
        await stdout.WriteLineAsync(Invariant(
            $"(d) {settings.BigUploads} × {settings.BigMb} MB uploads at once in {seconds:F1} s ({settings.BigUploads * settings.BigMb / seconds:F0} MB/s): portal RSS {baseline:F0} → peak {peak:F0} MB (+{peak - baseline:F0} MB); answers {string.Join(" ", statuses.Select(s => (int)s))}"));
    }

    private static double ResidentMegabytes(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
            }
        }

        throw new LoadFailedException($"/proc/{pid}/status has no VmRSS.");
    }

    // ---------------------------------------------------------------- helpers

    /// <summary>The installation as the portal sees it (same environment variables), without a Hangfire server.</summary>
    private static IHost BuildInstallationHost()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddEnvironmentVariables();
        builder.Configuration.AddInMemoryCollection([KeyValuePair.Create("Hangfire:Server:Enabled", (string?)"false")]);
        builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
        builder.AddCatalog();
        builder.AddObjectStorage();
        builder.AddRideAnalytics();
        builder.AddPortalJobs();
        builder.AddRidePipeline();
        // Stored now, queued later all at once by the benchmark itself.
        builder.Services.Replace(ServiceDescriptor.Singleton<IRideJobScheduler, DeferredScheduler>());
        return builder.Build();
    }

    private static async Task<string> LoginAsync(HttpClient http, LoadSettings settings, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync("/api/auth/login", new { email = settings.Email, password = settings.Password }, cancellationToken);
        await EnsureAsync(response, HttpStatusCode.OK, cancellationToken);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        return json.RootElement.GetProperty("accessToken").GetString() ?? throw new LoadFailedException("The login answer has no accessToken.");
    }

    private static async Task EnsureAsync(HttpResponseMessage response, HttpStatusCode expected, CancellationToken cancellationToken)
    {
        if (response.StatusCode != expected)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            throw new LoadFailedException($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}: {body[..Math.Min(body.Length, 300)]}");
        }
    }

    private static async Task WriteSimulatedRideAsync(string path, double megabytes, int seed, CancellationToken cancellationToken)
    {
        var bytes = (long)(megabytes * 1_000_000);
        const double Rate = 100;
        await using var file = File.Create(path);
        // ~90 bytes a row: enough duration that the size limit, not the ride, ends the file.
        await SimulatedRideCsvWriter.WriteAsync(file,
            new SimulationOptions { Scenario = RideScenario.Country, DurationSeconds = Math.Max(60, bytes / 80.0 / Rate), RateHz = Rate, Seed = seed },
            gzip: false, maxContentBytes: bytes, cancellationToken);
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private sealed class DeferredScheduler : IRideJobScheduler
    {
        public string EnqueueAnalysis(Guid rideId) => "";

        public string EnqueueCrashHandling(Guid rideId) => "";
    }

    private sealed record Latencies(double P50, double P95, double RequestsPerSecond);

    private sealed class LoadFailedException(string message) : Exception(message);

    private sealed class LoadReport
    {
        public double? UploadSeconds { get; set; }
        public double? UploadToMetricsSeconds { get; set; }
        public Dictionary<(int Workers, int Rides), double> Calculate { get; } = [];
        public Dictionary<int, Latencies> Retrieve { get; } = [];
        public Dictionary<int, Latencies> List { get; } = [];
        public int? CatalogRows { get; set; }
        public double? MemoryBaselineMb { get; set; }
        public double? MemoryPeakMb { get; set; }
        public double? MemorySeconds { get; set; }

        public async Task PrintAsync(TextWriter output, LoadSettings settings)
        {
            var text = new StringBuilder();
            text.AppendLine();
            text.AppendLine(Invariant($"Thesis Table 4.3 (one server) vs this machine ({Environment.ProcessorCount} cores). calculate: N rides of {settings.QueueMb} MB queued at once until all analysed;"));
            text.AppendLine(Invariant($"retrieve/list: N concurrent clients, p50 / p95, catalog of {CatalogRows?.ToString("N0", CultureInfo.InvariantCulture) ?? "?"} rides."));
            text.AppendLine();
            text.AppendLine("| users | calculate: thesis | here, 1 worker | here, 2 workers | retrieve: thesis | here p50 / p95 | list: thesis | here p50 / p95 |");
            text.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|");
            var users = ThesisUsers.Union(settings.QueueRides).Union(settings.Clients).Order().ToList();
            foreach (var n in users)
            {
                var thesis = Array.IndexOf(ThesisUsers, n);
                text.AppendLine(Invariant(
                    $"| {n} | {(thesis >= 0 ? $"{ThesisCalculateS[thesis]:N0} s" : "–")} | {Seconds(1, n)} | {Seconds(2, n)} | {(thesis >= 0 ? $"{ThesisRetrieveMs[thesis]} ms" : "–")} | {Millis(Retrieve, n)} | {(thesis >= 0 ? $"{ThesisListMs[thesis]} ms" : "–")} | {Millis(List, n)} |"));
            }

            text.AppendLine();
            if (UploadToMetricsSeconds is { } metrics)
            {
                text.AppendLine(Invariant($"One {settings.RideMb} MB ride: upload {UploadSeconds:F2} s; upload complete → metrics visible {metrics:F2} s (thesis: 30 s to calculate one)."));
            }

            if (MemoryPeakMb is { } peak)
            {
                text.AppendLine(Invariant($"{settings.BigUploads} × {settings.BigMb} MB uploads at once: portal resident memory {MemoryBaselineMb:F0} MB → peak {peak:F0} MB (+{peak - MemoryBaselineMb:F0} MB), {MemorySeconds:F1} s."));
            }

            await output.WriteAsync(text.ToString());
        }

        private string Seconds(int workers, int rides) =>
            Calculate.TryGetValue((workers, rides), out var seconds) ? Invariant($"{seconds:F1} s") : "–";

        private static string Millis(Dictionary<int, Latencies> latencies, int clients) =>
            latencies.TryGetValue(clients, out var l) ? Invariant($"{l.P50:F1} / {l.P95:F1} ms") : "–";
    }

    private sealed record LoadSettings(
        Uri Server, string? Token, string? Email, string? Password, int? ServerPid, IReadOnlySet<string> Parts,
        double RideMb, int[] QueueRides, double QueueMb, int[] Workers, int Catalog, int[] Clients, int Requests,
        double BigMb, int BigUploads, string WorkDir, int TimeoutSeconds)
    {
        public const string Usage =
            "load --server URL (--token T | --email E --password P) [--server-pid PID] [--parts upload,queue,api,memory] " +
            "[--ride-mb 50] [--queue-rides 1,10,50,250] [--queue-mb 50] [--workers 1,2] [--catalog 100000] [--clients 1,10,50,250] " +
            "[--requests 1000] [--big-mb 250] [--big-uploads 10] [--work-dir DIR] [--timeout-s 3600]";

        private static readonly string[] AllParts = ["upload", "queue", "api", "memory"];

        public static LoadSettings Parse(CommandArguments parsed)
        {
            var server = Uri.TryCreate(parsed.RequiredText("server"), UriKind.Absolute, out var uri) && uri.IsLoopback
                ? uri
                : throw new ArgumentException("--server must be an absolute loopback URL (the load command never leaves this machine).");
            var token = parsed.Text("token");
            var email = parsed.Text("email");
            var password = parsed.Text("password");
            if (token is null && (email is null || password is null))
            {
                throw new ArgumentException("Give --token, or --email and --password.");
            }

            var parts = (parsed.Text("parts") ?? string.Join(",", AllParts)).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet();
            if (parts.FirstOrDefault(p => !AllParts.Contains(p)) is { } unknown)
            {
                throw new ArgumentException($"--parts '{unknown}' is not one of {string.Join(", ", AllParts)}.");
            }

            return new LoadSettings(
                server, token, email, password,
                parsed.Has("server-pid") ? parsed.Integer("server-pid", 0, 1, int.MaxValue) : null,
                parts,
                parsed.Number("ride-mb", 50, 0.1, 1000),
                Counts(parsed, "queue-rides", "1,10,50,250", 10_000),
                parsed.Number("queue-mb", 50, 0.1, 1000),
                Counts(parsed, "workers", "1,2", 16),
                parsed.Integer("catalog", 100_000, 100, 10_000_000),
                Counts(parsed, "clients", "1,10,50,250", 1000),
                parsed.Integer("requests", 1000, 1, 1_000_000),
                parsed.Number("big-mb", 250, 0.1, 2000),
                parsed.Integer("big-uploads", 10, 1, 100),
                parsed.Text("work-dir") ?? Path.Combine(Path.GetTempPath(), "portal-load"),
                parsed.Integer("timeout-s", 3600, 10, 86_400));
        }

        private static int[] Counts(CommandArguments parsed, string name, string fallback, int max) =>
            [.. (parsed.Text(name) ?? fallback).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(text => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1 && n <= max
                    ? n
                    : throw new ArgumentException($"--{name} takes whole numbers 1–{max} separated by commas, not '{text}'."))
                .Distinct()];
    }
}
