using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;
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
/// <c>load (--server URL | --start-portal Portal.dll) (--token T | --email E --password P) [--server-pid PID] [--parts upload,queue,api,memory] ...</c>:
/// issue #4's benchmarks beside the thesis's Table 4.3 (documented in docs/scale-out.md). Reads the installation's
/// configuration (database, object storage, Hangfire) from the same environment variables as the portal, to seed
/// the catalog and to queue rides for its own worker processes; with <c>--start-portal</c> it runs that portal itself
/// with the same variables. Loopback only; every loop is bounded.
/// </summary>
public static class LoadCommand
{
    /// <summary>The queue the benchmark's own workers serve, so the portal's Hangfire server never takes these jobs.</summary>
    public const string BenchQueue = "load-bench";

    private const string SeedPrefix = "load-seed-";

    private static readonly string[] Options =
    [
        "server", "start-portal", "token", "email", "password", "server-pid", "parts", "ride-mb", "queue-rides", "queue-mb", "workers",
        "catalog", "clients", "api-seconds", "warmup-seconds", "big-mb", "big-uploads", "work-dir", "timeout-s", "list-windows", "http-client",
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
        await using var portal = settings.PortalDll is { } dll ? await StartedPortal.StartAsync(dll, settings, stderr, cancellationToken) : null;
        if (portal is not null)
        {
            settings = settings with { Server = portal.Address, ServerPid = portal.ProcessId };
        }

        using var http = new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = 1024,
            PooledConnectionLifetime = TimeSpan.FromMinutes(10),
            // Lean clients (they share the server's cores): no proxy lookup, no cookie jar, no trace headers.
            UseProxy = false,
            UseCookies = false,
            ActivityHeadersPropagator = null,
            AutomaticDecompression = DecompressionMethods.GZip,
        })
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
            await stdout.WriteLineAsync($"load: server {settings.Server}{(portal is null ? "" : $" (started here, pid {portal.ProcessId})")}, parts {string.Join(",", settings.Parts)}, work dir {settings.WorkDir}, {Environment.ProcessorCount} cores, this command built {BuildConfiguration}");
            if (BuildConfiguration != "Release" || settings.PortalDll?.Contains("/Debug/", StringComparison.Ordinal) == true)
            {
                await stdout.WriteLineAsync("load: WARNING: not a Release build; figures are not comparable with the targets.");
            }

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
        // A server runs for weeks: one small ride first, so the figure is not the portal's first-ever analysis (JIT).
        var warmUp = await UploadAndWaitForMetricsAsync(http, settings, megabytes: 1, cancellationToken);
        await stdout.WriteLineAsync(Invariant($"(a) warm-up: 1 MB ride, upload complete → metrics visible {warmUp.ToMetrics.TotalSeconds:F2} s (not counted)"));
        var timed = await UploadAndWaitForMetricsAsync(http, settings, settings.RideMb, cancellationToken);
        report.UploadSeconds = timed.Upload.TotalSeconds;
        report.UploadToMetricsSeconds = timed.ToMetrics.TotalSeconds;
        await stdout.WriteLineAsync(Invariant($"(a) {settings.RideMb} MB ride: upload {report.UploadSeconds:F2} s ({settings.RideMb / report.UploadSeconds:F0} MB/s), upload complete → metrics visible {report.UploadToMetricsSeconds:F2} s"));
    }

    private static async Task<(TimeSpan Upload, TimeSpan ToMetrics)> UploadAndWaitForMetricsAsync(HttpClient http, LoadSettings settings, double megabytes, CancellationToken cancellationToken)
    {
        // A fresh seed every time: the same bytes again would be recognised as a duplicate and not analysed.
        var seed = RandomNumberGenerator.GetInt32(1, int.MaxValue);
        var file = Path.Combine(settings.WorkDir, $"upload-{megabytes}mb-{seed}.csv");
        await WriteSimulatedRideAsync(file, megabytes, seed, cancellationToken);
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
                    return (uploaded, clock.Elapsed - uploaded);
                }

                if (string.Equals(status, nameof(RideStatus.Failed), StringComparison.OrdinalIgnoreCase) || clock.Elapsed > deadline)
                {
                    throw new LoadFailedException($"Ride {rideId} is {status} after {clock.Elapsed.TotalSeconds:F1} s.");
                }

                await Task.Delay(20, cancellationToken);
            }
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
        UseProductionRuntimeSettings(start);
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
        // The warm-up asks for every one of those rides once, then at random: a server in its steady state has served them.
        var everyRide = ids.Select(id => $"/api/rides/{id}/analytics").ToList();
        string RetrieveUrl(Random random) => $"/api/rides/{ids[random.Next(ids.Count)]}/analytics";
        string ListUrl(Random random)
        {
            // List by metadata: analysed rides of a random week, a random one of its first pages. The portal's date
            // pickers send whole days; "seconds" makes every request a query never asked before (no cached answer).
            var from = settings.ListWindows == "days"
                ? new DateTimeOffset(seedFrom.UtcDateTime.Date.AddDays(1 + random.Next(Math.Max(1, (int)span.TotalDays - 8))), TimeSpan.Zero)
                : seedFrom + (span - TimeSpan.FromDays(7)) * random.NextDouble();
            return Invariant($"/api/rides?status=Analyzed&from={Uri.EscapeDataString(from.ToString("O", CultureInfo.InvariantCulture))}&to={Uri.EscapeDataString(from.AddDays(7).ToString("O", CultureInfo.InvariantCulture))}&page={random.Next(1, 4)}&pageSize=50");
        }

        // Closed loop: each client sends its next request as soon as the previous answer is read (no think time),
        // for a fixed time after a warm-up; the latency of every request of that time is counted.
        await stdout.WriteLineAsync(Invariant($"(c) clients: closed loop, no think time, {settings.WarmupSeconds} s warm-up then {settings.ApiSeconds} s per client count, one HTTP/1.1 keep-alive connection per client ({(settings.HttpClient == "raw" ? "minimal socket client" : ".NET HttpClient")})"));
        foreach (var clients in settings.Clients)
        {
            await RunClientsAsync(http, settings.HttpClient, clients, TimeSpan.FromSeconds(settings.WarmupSeconds), RetrieveUrl, settings.ServerPid, cancellationToken, everyRide);
            report.Retrieve[clients] = await RunClientsAsync(http, settings.HttpClient, clients, TimeSpan.FromSeconds(settings.ApiSeconds), RetrieveUrl, settings.ServerPid, cancellationToken);
            await RunClientsAsync(http, settings.HttpClient, clients, TimeSpan.FromSeconds(settings.WarmupSeconds), ListUrl, settings.ServerPid, cancellationToken);
            report.List[clients] = await RunClientsAsync(http, settings.HttpClient, clients, TimeSpan.FromSeconds(settings.ApiSeconds), ListUrl, settings.ServerPid, cancellationToken);
            await stdout.WriteLineAsync(Invariant(
                $"(c) {clients} client(s): retrieve p50 {report.Retrieve[clients].P50:F1} ms p95 {report.Retrieve[clients].P95:F1} ms ({report.Retrieve[clients].RequestsPerSecond:F0}/s, CPU µs/request: portal {report.Retrieve[clients].ServerCpuMicroseconds:F0}, clients {report.Retrieve[clients].ClientCpuMicroseconds:F0}); list p50 {report.List[clients].P50:F1} ms p95 {report.List[clients].P95:F1} ms ({report.List[clients].RequestsPerSecond:F0}/s, CPU µs/request: portal {report.List[clients].ServerCpuMicroseconds:F0}, clients {report.List[clients].ClientCpuMicroseconds:F0})"));
        }

        if (settings.HttpClient == "raw")
        {
            // The same largest load once more through .NET's HttpClient, to show what the clients' own cost does.
            var most = settings.Clients.Max();
            await RunClientsAsync(http, "dotnet", most, TimeSpan.FromSeconds(settings.WarmupSeconds), RetrieveUrl, settings.ServerPid, cancellationToken, everyRide);
            var retrieve = await RunClientsAsync(http, "dotnet", most, TimeSpan.FromSeconds(settings.ApiSeconds), RetrieveUrl, settings.ServerPid, cancellationToken);
            await RunClientsAsync(http, "dotnet", most, TimeSpan.FromSeconds(settings.WarmupSeconds), ListUrl, settings.ServerPid, cancellationToken);
            var list = await RunClientsAsync(http, "dotnet", most, TimeSpan.FromSeconds(settings.ApiSeconds), ListUrl, settings.ServerPid, cancellationToken);
            await stdout.WriteLineAsync(Invariant(
                $"(c) {most} client(s) through .NET HttpClient instead: retrieve p50 {retrieve.P50:F1} ms p95 {retrieve.P95:F1} ms ({retrieve.RequestsPerSecond:F0}/s, CPU µs/request: portal {retrieve.ServerCpuMicroseconds:F0}, clients {retrieve.ClientCpuMicroseconds:F0}); list p50 {list.P50:F1} ms p95 {list.P95:F1} ms ({list.RequestsPerSecond:F0}/s, CPU µs/request: portal {list.ServerCpuMicroseconds:F0}, clients {list.ClientCpuMicroseconds:F0})"));
        }
    }

    /// <param name="sweep">Asked first, each once, split over the clients (a warm-up that has seen every ride), before <paramref name="url"/>.</param>
    private static async Task<Latencies> RunClientsAsync(
        HttpClient http, string clientKind, int clients, TimeSpan duration, Func<Random, string> url, int? serverPid, CancellationToken cancellationToken,
        IReadOnlyList<string>? sweep = null)
    {
        var samples = new List<double>[clients];
        var token = http.DefaultRequestHeaders.Authorization?.Parameter ?? throw new InvalidOperationException("The clients need the bearer token.");
        var connections = clientKind == "raw"
            ? await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => KeepAliveHttpConnection.OpenAsync(http.BaseAddress!, token, cancellationToken)))
            : null;
        var serverCpuBefore = serverPid is { } pid ? CpuSeconds(pid) : 0;
        var clientCpuBefore = CpuSeconds(Environment.ProcessId);
        var clock = Stopwatch.StartNew();
        try
        {
            await Task.WhenAll(Enumerable.Range(0, clients).Select(client => Task.Run(async () =>
            {
                var random = new Random(client);
                var mine = samples[client] = new List<double>(4096);
                // Every answer is read to its last byte into one buffer per client: the clients share the server's two
                // cores, so they must spend as little of them as they can.
                var sink = new byte[64 * 1024];
                var next = client;
                while (clock.Elapsed < duration || (sweep is not null && next < sweep.Count))
                {
                    var started = Stopwatch.GetTimestamp();
                    string path;
                    if (sweep is not null && next < sweep.Count)
                    {
                        path = sweep[next];
                        next += clients;
                    }
                    else
                    {
                        path = url(random);
                    }

                    var status = connections is not null
                        ? await connections[client].GetAsync(path, cancellationToken)
                        : await GetWithHttpClientAsync(http, path, sink, cancellationToken);
                    if (status is < 200 or > 299)
                    {
                        throw new LoadFailedException($"GET {path} answered {status}.");
                    }

                    mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
            }, cancellationToken)));
        }
        finally
        {
            foreach (var connection in connections ?? [])
            {
                connection.Dispose();
            }
        }

        var all = samples.SelectMany(s => s).ToArray();
        Array.Sort(all);
        var perRequest = 1e6 / Math.Max(1, all.Length);
        var serverCpuMicroseconds = serverPid is { } measured ? (CpuSeconds(measured) - serverCpuBefore) * perRequest : double.NaN;
        var clientCpuMicroseconds = (CpuSeconds(Environment.ProcessId) - clientCpuBefore) * perRequest;
        return new Latencies(Percentile(all, 0.50), Percentile(all, 0.95), all.Length / clock.Elapsed.TotalSeconds, serverCpuMicroseconds, clientCpuMicroseconds);
    }

    private static async Task<int> GetWithHttpClientAsync(HttpClient http, string path, byte[] sink, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        while (await body.ReadAsync(sink, cancellationToken) > 0)
        {
        }

        return (int)response.StatusCode;
    }

    /// <summary>User + system CPU time of a process (/proc/PID/stat, clock ticks of 10 ms).</summary>
    private static double CpuSeconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // After the command name: state is field 3, utime field 14, stime field 15.
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
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
        const int Batch = 20_000;
        for (var start = existing; start < target; start += Batch)
        {
            var rows = new List<Ride>(Batch);
            for (var i = start; i < Math.Min(target, start + Batch); i++)
            {
                var uploadedAt = newest.AddMinutes(-i * 5.0);
                var id = Guid.CreateVersion7(uploadedAt);
                rows.Add(new Ride
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
                    StartedAt = uploadedAt,
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

            await using var scope = services.CreateAsyncScope();
            await BulkInsertRidesAsync(scope.ServiceProvider.GetRequiredService<CatalogDbContext>(), rows, cancellationToken);
        }

        // Fresh statistics, so the planner knows the catalog is large before the first request.
        await using (var scope = services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<CatalogDbContext>();
            if (db.Database.IsNpgsql())
            {
                var analyze = "ANALYZE \"" + db.Model.FindEntityType(typeof(Ride))!.GetTableName() + "\"";
                await db.Database.ExecuteSqlRawAsync(analyze, cancellationToken);
            }
        }

        await stdout.WriteLineAsync(Invariant($"(c) seeded {target - existing} catalog rows in {clock.Elapsed.TotalSeconds:F1} s"));
        return (oldest, newest);
    }

    /// <summary>
    /// Writes catalog rows as fast as the provider allows: PostgreSQL's binary COPY of every column the
    /// EF model maps (so new columns are carried along), otherwise batched inserts.
    /// </summary>
    private static async Task BulkInsertRidesAsync(CatalogDbContext db, IReadOnlyList<Ride> rides, CancellationToken cancellationToken)
    {
        if (db.Database.GetDbConnection() is not NpgsqlConnection connection)
        {
            db.ChangeTracker.AutoDetectChangesEnabled = false;
            db.Rides.AddRange(rides);
            await db.SaveChangesAsync(cancellationToken);
            db.ChangeTracker.Clear();
            return;
        }

        var entity = db.Model.FindEntityType(typeof(Ride)) ?? throw new LoadFailedException("The catalog model has no Ride.");
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        var properties = entity.GetProperties().Select(p => (Property: p, Column: p.GetColumnName(table)!, Converter: p.GetTypeMapping().Converter)).ToList();
        var qualified = entity.GetSchema() is { } schema ? $"\"{schema}\".\"{table.Name}\"" : $"\"{table.Name}\"";
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var writer = await connection.BeginBinaryImportAsync(
                $"COPY {qualified} ({string.Join(", ", properties.Select(p => $"\"{p.Column}\""))}) FROM STDIN (FORMAT BINARY)", cancellationToken);
            foreach (var ride in rides)
            {
                await writer.StartRowAsync(cancellationToken);
                foreach (var (property, _, converter) in properties)
                {
                    var value = property.GetGetter().GetClrValueUsingContainingEntity(ride);
                    if (value is not null && converter is not null)
                    {
                        value = converter.ConvertToProvider(value);
                    }

                    await (value switch
                    {
                        null => writer.WriteNullAsync(cancellationToken),
                        Guid g => writer.WriteAsync(g, NpgsqlDbType.Uuid, cancellationToken),
                        string s => writer.WriteAsync(s, NpgsqlDbType.Text, cancellationToken),
                        long l => writer.WriteAsync(l, NpgsqlDbType.Bigint, cancellationToken),
                        int i => writer.WriteAsync(i, NpgsqlDbType.Integer, cancellationToken),
                        bool b => writer.WriteAsync(b, NpgsqlDbType.Boolean, cancellationToken),
                        double d => writer.WriteAsync(d, NpgsqlDbType.Double, cancellationToken),
                        DateTimeOffset t => writer.WriteAsync(t.ToUniversalTime(), NpgsqlDbType.TimestampTz, cancellationToken),
                        DateTime t => writer.WriteAsync(t.Kind == DateTimeKind.Local ? t.ToUniversalTime() : DateTime.SpecifyKind(t, DateTimeKind.Utc), NpgsqlDbType.TimestampTz, cancellationToken),
                        _ => throw new LoadFailedException($"Ride.{property.Name}: no COPY mapping for {value.GetType().Name}."),
                    });
                }
            }

            await writer.CompleteAsync(cancellationToken);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
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

    /// <summary>
    /// The runtime settings the Dockerfile gives both roles: tier-up of hot methods without the JIT's 100 ms quiet
    /// period, which a starting server rarely has (docs/pipeline.md, "First ride after a start").
    /// </summary>
    private static void UseProductionRuntimeSettings(ProcessStartInfo start) =>
        start.Environment["DOTNET_TC_CallCountingDelayMs"] = "0";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static string BuildConfiguration =>
        typeof(LoadCommand).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "unknown";

    /// <summary>
    /// A portal run by the benchmark itself: <c>dotnet Portal.dll</c> on a free loopback port with this process's
    /// environment (the same database, storage and Hangfire settings) plus the demo accounts, stopped at the end.
    /// </summary>
    private sealed class StartedPortal : IAsyncDisposable
    {
        public const string DemoRiderEmail = "rider@demo.local";

        private readonly Process process;

        private StartedPortal(Process process, Uri address)
        {
            this.process = process;
            Address = address;
        }

        public Uri Address { get; }

        public int ProcessId => process.Id;

        public static async Task<StartedPortal> StartAsync(string portalDll, LoadSettings settings, TextWriter stderr, CancellationToken cancellationToken)
        {
            var port = FreePort();
            var address = new Uri(Invariant($"http://127.0.0.1:{port}/"));
            var start = new ProcessStartInfo("dotnet", [Path.GetFullPath(portalDll), "--urls", address.ToString().TrimEnd('/')])
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = Path.GetDirectoryName(Path.GetFullPath(portalDll))!,
            };
            start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
            start.Environment["Demo__Seed"] = "true";
            if (settings.Password is { } password)
            {
                start.Environment["Demo__Password"] = password;
            }

            start.Environment["Logging__LogLevel__Default"] = "Warning";
            UseProductionRuntimeSettings(start);
            var process = Process.Start(start) ?? throw new LoadFailedException("The portal did not start.");
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, line) =>
            {
                if (line.Data is { Length: > 0 } text)
                {
                    stderr.WriteLine($"[portal {process.Id}] {text}");
                }
            };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var portal = new StartedPortal(process, address);
            using var probe = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(5) };
            var clock = Stopwatch.StartNew();
            while (true)
            {
                try
                {
                    // Ready, not just live: the database, storage and Hangfire answer and the analyzer is warmed up.
                    using var ready = await probe.GetAsync("/health/ready", cancellationToken);
                    if (ready.IsSuccessStatusCode)
                    {
                        return portal;
                    }
                }
                catch (HttpRequestException)
                {
                    // Not listening yet.
                }
                catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    // Busy starting.
                }

                if (process.HasExited || clock.Elapsed > TimeSpan.FromMinutes(3))
                {
                    // Read before disposing: a disposed Process answers nothing.
                    var reason = process.HasExited ? $"exit code {process.ExitCode}" : "3 min";
                    await portal.DisposeAsync();
                    throw new LoadFailedException($"The portal at {address} did not become ready ({reason}).");
                }

                await Task.Delay(250, cancellationToken);
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (!process.HasExited)
            {
                using var term = Process.Start(new ProcessStartInfo("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false });
                await term!.WaitForExitAsync();
                using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                try
                {
                    await process.WaitForExitAsync(patience.Token);
                }
                catch (OperationCanceledException)
                {
                    process.Kill(entireProcessTree: true);
                }
            }

            process.Dispose();
        }

        private static int FreePort()
        {
            using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
    }

    private sealed class DeferredScheduler : IRideJobScheduler
    {
        public string EnqueueAnalysis(Guid rideId) => "";

        public string EnqueueCrashHandling(Guid rideId) => "";
    }

    /// <param name="ServerCpuMicroseconds">The portal process's CPU time per request (not PostgreSQL's), when its pid is known.</param>
    /// <param name="ClientCpuMicroseconds">This command's own CPU time per request (the simulated clients).</param>
    private sealed record Latencies(double P50, double P95, double RequestsPerSecond, double ServerCpuMicroseconds, double ClientCpuMicroseconds);

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
            text.AppendLine(Invariant($"Thesis Table 4.3 (one server) vs this machine ({Environment.ProcessorCount} cores, command built {BuildConfiguration}). calculate: N rides of {settings.QueueMb} MB queued at once until all analysed;"));
            text.AppendLine(Invariant($"retrieve/list: N concurrent clients (closed loop, no think time), p50 / p95, catalog of {CatalogRows?.ToString("N0", CultureInfo.InvariantCulture) ?? "?"} rides."));
            text.AppendLine();
            var workerColumns = settings.Workers.Order().ToList();
            text.AppendLine($"| users | calculate: thesis | {string.Join(" | ", workerColumns.Select(w => $"here, {w} worker{(w == 1 ? "" : "s")}"))} | retrieve: thesis | here p50 / p95 | list: thesis | here p50 / p95 |");
            text.AppendLine($"|---:|---:|{string.Concat(workerColumns.Select(_ => "---:|"))}---:|---:|---:|---:|");
            var users = ThesisUsers.Union(settings.QueueRides).Union(settings.Clients).Order().ToList();
            foreach (var n in users)
            {
                var thesis = Array.IndexOf(ThesisUsers, n);
                text.AppendLine(Invariant(
                    $"| {n} | {(thesis >= 0 ? $"{ThesisCalculateS[thesis]:N0} s" : "–")} | {string.Join(" | ", workerColumns.Select(w => Seconds(w, n)))} | {(thesis >= 0 ? $"{ThesisRetrieveMs[thesis]} ms" : "–")} | {Millis(Retrieve, n)} | {(thesis >= 0 ? $"{ThesisListMs[thesis]} ms" : "–")} | {Millis(List, n)} |"));
            }

            // Issue #4's four figures against their targets (full-size defaults: 50 MB, 250 × 50 MB, 100 000 rides at 250 clients, 10 × 250 MB).
            text.AppendLine();
            text.AppendLine("| issue #4 | target | here |");
            text.AppendLine("|---|---:|---:|");
            text.AppendLine(Invariant($"| one {settings.RideMb} MB ride: upload complete → metrics visible | ≤ 1.5 s | {(UploadToMetricsSeconds is { } m ? $"{m:F2} s (upload {UploadSeconds:F2} s)" : "–")} |"));
            var largest = settings.QueueRides.Max();
            text.AppendLine(Invariant($"| {largest} × {settings.QueueMb} MB queued at once → all analysed | ≤ 150 s | {string.Join(", ", workerColumns.Select(w => $"{Seconds(w, largest)} ({w} worker{(w == 1 ? "" : "s")})"))} |"));
            var clients = settings.Clients.Max();
            text.AppendLine(Invariant($"| retrieve analytics, {clients} clients, p95 | ≤ 20 ms | {Percentile95(Retrieve, clients)} |"));
            text.AppendLine(Invariant($"| list by metadata, {clients} clients, p95 | ≤ 30 ms | {Percentile95(List, clients)} |"));
            text.AppendLine(Invariant($"| portal memory, {settings.BigUploads} × {settings.BigMb} MB uploads at once | + ≤ 100 MB | {(MemoryPeakMb is { } peak ? $"+{peak - MemoryBaselineMb:F0} MB ({MemoryBaselineMb:F0} → {peak:F0} MB, {MemorySeconds:F1} s)" : "–")} |"));
            await output.WriteAsync(text.ToString());
        }

        private string Seconds(int workers, int rides) =>
            Calculate.TryGetValue((workers, rides), out var seconds) ? Invariant($"{seconds:F1} s") : "–";

        private static string Percentile95(Dictionary<int, Latencies> latencies, int clients) =>
            latencies.TryGetValue(clients, out var l) ? Invariant($"{l.P95:F1} ms (p50 {l.P50:F1} ms, {l.RequestsPerSecond:F0} requests/s)") : "–";

        private static string Millis(Dictionary<int, Latencies> latencies, int clients) =>
            latencies.TryGetValue(clients, out var l) ? Invariant($"{l.P50:F1} / {l.P95:F1} ms") : "–";
    }

    private sealed record LoadSettings(
        Uri Server, string? PortalDll, string? Token, string? Email, string? Password, int? ServerPid, IReadOnlySet<string> Parts,
        double RideMb, int[] QueueRides, double QueueMb, int[] Workers, int Catalog, int[] Clients, int ApiSeconds, int WarmupSeconds,
        double BigMb, int BigUploads, string WorkDir, int TimeoutSeconds, string ListWindows, string HttpClient)
    {
        public const string Usage =
            "load (--server URL [--server-pid PID] | --start-portal PATH/Portal.dll) (--token T | --email E --password P) [--parts upload,queue,api,memory] " +
            "[--ride-mb 50] [--queue-rides 1,10,50,250] [--queue-mb 50] [--workers 1] [--catalog 100000] [--clients 1,10,50,250] " +
            "[--api-seconds 30] [--warmup-seconds 5] [--big-mb 250] [--big-uploads 10] [--work-dir DIR] [--timeout-s 3600] [--list-windows days|seconds] [--http-client raw|dotnet]";

        private static readonly string[] AllParts = ["upload", "queue", "api", "memory"];

        public static LoadSettings Parse(CommandArguments parsed)
        {
            var portalDll = parsed.Text("start-portal");
            if (portalDll is not null && (parsed.Has("server") || !File.Exists(portalDll)))
            {
                throw new ArgumentException(parsed.Has("server")
                    ? "Give --server or --start-portal, not both."
                    : $"--start-portal: {portalDll} does not exist (build it: dotnet build -c Release Portal).");
            }

            var server = portalDll is not null
                ? new Uri("http://127.0.0.1/")
                : Uri.TryCreate(parsed.RequiredText("server"), UriKind.Absolute, out var uri) && uri.IsLoopback
                    ? uri
                    : throw new ArgumentException("--server must be an absolute loopback URL (the load command never leaves this machine).");
            var token = parsed.Text("token");
            var email = parsed.Text("email") ?? (portalDll is null ? null : StartedPortal.DemoRiderEmail);
            var password = parsed.Text("password");
            if (token is null && (email is null || password is null))
            {
                throw new ArgumentException("Give --token, or --email and --password (with --start-portal: --password, the demo accounts' password).");
            }

            var parts = (parsed.Text("parts") ?? string.Join(",", AllParts)).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet();
            if (parts.FirstOrDefault(p => !AllParts.Contains(p)) is { } unknown)
            {
                throw new ArgumentException($"--parts '{unknown}' is not one of {string.Join(", ", AllParts)}.");
            }

            return new LoadSettings(
                server, portalDll, token, email, password,
                parsed.Has("server-pid") ? parsed.Integer("server-pid", 0, 1, int.MaxValue) : null,
                parts,
                parsed.Number("ride-mb", 50, 0.1, 1000),
                Counts(parsed, "queue-rides", "1,10,50,250", 10_000),
                parsed.Number("queue-mb", 50, 0.1, 1000),
                Counts(parsed, "workers", "1", 16),
                parsed.Integer("catalog", 100_000, 100, 10_000_000),
                Counts(parsed, "clients", "1,10,50,250", 1000),
                parsed.Integer("api-seconds", 30, 1, 3600),
                parsed.Integer("warmup-seconds", 5, 0, 600),
                parsed.Number("big-mb", 250, 0.1, 2000),
                parsed.Integer("big-uploads", 10, 1, 100),
                parsed.Text("work-dir") ?? Path.Combine(Path.GetTempPath(), "portal-load"),
                parsed.Integer("timeout-s", 3600, 10, 86_400),
                parsed.Text("list-windows") is null or "days" ? "days"
                    : parsed.Text("list-windows") == "seconds" ? "seconds"
                    : throw new ArgumentException($"--list-windows is days or seconds, not '{parsed.Text("list-windows")}'."),
                parsed.Text("http-client") is null or "raw" ? "raw"
                    : parsed.Text("http-client") == "dotnet" ? "dotnet"
                    : throw new ArgumentException($"--http-client is raw or dotnet, not '{parsed.Text("http-client")}'."));
        }

        private static int[] Counts(CommandArguments parsed, string name, string fallback, int max) =>
            [.. (parsed.Text(name) ?? fallback).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(text => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1 && n <= max
                    ? n
                    : throw new ArgumentException($"--{name} takes whole numbers 1–{max} separated by commas, not '{text}'."))
                .Distinct()];
    }
}
