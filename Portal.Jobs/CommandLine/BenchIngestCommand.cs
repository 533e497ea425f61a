using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MQTTnet.Protocol;
using Portal.Core.Catalog;
using Portal.Core.Devices;
using Portal.Core.Simulation;
using Portal.Jobs.Live;

namespace Portal.Jobs.CommandLine;

/// <summary>
/// <c>bench-ingest --devices 50 --rate 100 --batch 20 --seconds 60 [--broker embedded|mosquitto|HOST:PORT] [--qos 1]</c>:
/// N simulated devices (track rides of the analytics simulator) publish in real time through the embedded broker
/// (in-process, devices authenticated), a private Mosquitto started from PATH with the production queue settings, or an
/// anonymous broker at HOST:PORT, into a subscriber with a temporary catalog and spool; reports samples/s, messages/s,
/// publish-to-spool latency, CPU seconds and the samples lost (by sequence number). Everything stays on loopback.
/// </summary>
public static class BenchIngestCommand
{
    private static readonly string[] Options = ["devices", "rate", "batch", "seconds", "broker", "qos"];

    public static async Task<int> RunAsync(ReadOnlyMemory<string> args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        int devices, batch, qos;
        double rate, seconds;
        string broker;
        try
        {
            var parsed = CommandArguments.Parse(args.Span, flags: [], known: Options);
            devices = parsed.Integer("devices", 50, 1, 5000);
            rate = parsed.Number("rate", 100, 1, 2000);
            batch = parsed.Integer("batch", 20, 1, 10_000);
            seconds = parsed.Number("seconds", 60, 1, 3600);
            qos = parsed.Integer("qos", 1, 0, 2);
            broker = parsed.Text("broker") ?? "embedded";
            if (broker is not ("embedded" or "mosquitto"))
            {
                CommandArguments.HostAndPort(broker, "broker");
            }
        }
        catch (ArgumentException exception)
        {
            await stderr.WriteLineAsync(exception.Message);
            return 2;
        }

        var directory = Path.Combine(Path.GetTempPath(), "portal-bench-ingest-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(directory);
        var sink = new CountingSink();
        var prefix = "bench-" + Guid.NewGuid().ToString("N")[..8] + "/rides";
        var embeddedPort = FreePort();
        using var mosquitto = broker == "mosquitto" ? await PrivateMosquitto.StartAsync(directory, cancellationToken) : null;
        var (host, port) = broker switch
        {
            "embedded" => ("127.0.0.1", embeddedPort),
            "mosquitto" => ("127.0.0.1", mosquitto!.Port),
            _ => CommandArguments.HostAndPort(broker, "broker"),
        };
        var settings = new Dictionary<string, string?>
        {
            ["Embedded:DataDir"] = directory,
            ["Mqtt:TopicPrefix"] = prefix,
            ["Mqtt:Subscriber:ClientId"] = "bench-subscriber-" + Guid.NewGuid().ToString("N")[..8],
        };
        if (broker == "embedded")
        {
            settings["Mqtt:Broker"] = "Embedded";
            settings["Mqtt:Embedded:Port"] = embeddedPort.ToString(CultureInfo.InvariantCulture);
        }
        else
        {
            settings["Mqtt:Broker"] = "External";
            settings["Mqtt:External:Host"] = host;
            settings["Mqtt:External:Port"] = port.ToString(CultureInfo.InvariantCulture);
        }

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddDbContext<CatalogDbContext>(o => o.UseSqlite($"Data Source={Path.Combine(directory, "catalog.db")};Default Timeout=30"));
        builder.Services.AddSingleton<ILiveRideSink>(sink);
        builder.AddLiveDevices();
        using var app = builder.Build();
        try
        {
            var simulated = new List<SimulatedDevice>();
            await using (var scope = app.Services.CreateAsyncScope())
            {
                await scope.ServiceProvider.GetRequiredService<CatalogDbContext>().Database.EnsureCreatedAsync(cancellationToken);
                var registry = scope.ServiceProvider.GetRequiredService<DeviceRegistry>();
                for (var i = 0; i < devices; i++)
                {
                    var device = await registry.RegisterAsync(new DeviceRegistration($"bench {i}", Guid.NewGuid()), cancellationToken);
                    simulated.Add(new SimulatedDevice(device.Device.Id, broker == "embedded" ? device.Secret : null));
                }
            }

            await app.StartAsync(cancellationToken);
            var metrics = app.Services.GetRequiredService<LiveIngestMetrics>();
            await WaitAsync(() => metrics.SubscriberConnected, TimeSpan.FromSeconds(30), cancellationToken);

            await stdout.WriteLineAsync($"bench-ingest: {devices} devices × {rate} Hz, {batch} samples/message, {seconds} s, QoS {qos}, broker {broker}");
            var options = new DeviceSimulationOptions
            {
                Host = host,
                Port = port,
                TopicPrefix = prefix,
                RateHz = rate,
                Batch = batch,
                Duration = TimeSpan.FromSeconds(seconds),
                Qos = (MqttQualityOfServiceLevel)qos,
                Scenario = RideScenario.Track,
            };
            using var self = Process.GetCurrentProcess();
            var cpuBefore = self.TotalProcessorTime;
            var brokerCpuBefore = mosquitto?.CpuTime ?? TimeSpan.Zero;
            var clock = Stopwatch.StartNew();
            var publishSeconds = 0.0;
            async Task<DeviceSimulationResult[]> PublishAllAsync()
            {
                var all = await Task.WhenAll(simulated.Select(d => DeviceSimulator.RunAsync(d, options, TimeProvider.System, cancellationToken)));
                publishSeconds = clock.Elapsed.TotalSeconds;
                return all;
            }

            var publishing = PublishAllAsync();
            var expected = (long)Math.Floor(seconds * rate + 1e-9) + 1; // the simulator's samples per ride
            var lastSpooled = await WaitUntilSpooledAsync(metrics, publishing, expected * devices, clock, cancellationToken);
            var results = await publishing;
            var sent = results.Sum(r => r.Samples);
            await WaitAsync(() => sink.Rides.Count >= devices, TimeSpan.FromSeconds(120), cancellationToken);
            var spoolSeconds = lastSpooled.TotalSeconds;
            self.Refresh();
            var cpuSeconds = (self.TotalProcessorTime - cpuBefore).TotalSeconds;
            var brokerCpuSeconds = ((mosquitto?.CpuTime ?? TimeSpan.Zero) - brokerCpuBefore).TotalSeconds;
            var payloadMegabytes = results.Sum(r => r.PayloadBytes) / 1e6;

            var received = sink.Rides.Values.Sum(r => r.DistinctSeq);
            var latencies = results.SelectMany(r => r.PublishMilliseconds).Order().ToArray();
            var brokerCpu = mosquitto is null ? "" : string.Create(CultureInfo.InvariantCulture, $"\nmosquitto CPU          {brokerCpuSeconds:0.0} s");
            await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"""
                samples sent           {sent}
                samples in rides       {received}
                lost samples           {sent - received}
                messages spooled       {metrics.MessagesSpooled}
                messages rejected      {metrics.MessagesRejectedTotal}
                messages per fsync     {(double)metrics.MessagesSpooled / Math.Max(1, metrics.SpoolFlushes):0.0}
                publish phase          {publishSeconds:0.0} s (last sample spooled after {spoolSeconds:0.0} s)
                samples/s              {metrics.SamplesSpooled / spoolSeconds:0} (offered {sent / publishSeconds:0})
                messages/s             {metrics.MessagesSpooled / spoolSeconds:0}
                payload                {payloadMegabytes:0.0} MB, {payloadMegabytes / spoolSeconds:0.00} MB/s
                p50 publish-to-spool   {metrics.IngestLagPercentileMs(50):0.0} ms
                p99 publish-to-spool   {metrics.IngestLagPercentileMs(99):0.0} ms
                p99 publish ack (QoS)  {Percentile(latencies, 99):0.0} ms
                CPU of this process    {cpuSeconds:0.0} s (devices + {(broker == "embedded" ? "broker + " : "")}subscriber), {payloadMegabytes / cpuSeconds:0.00} MB and {sent / cpuSeconds:0} samples per CPU-second{brokerCpu}
                machine                {Environment.ProcessorCount} cores, load average {LoadAverage()}
                """));
            return sent == received ? 0 : 1;
        }
        catch (TimeoutException exception)
        {
            await stderr.WriteLineAsync(exception.Message);
            return 1;
        }
        finally
        {
            await app.StopAsync(CancellationToken.None);
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>Waits until every expected sample was spooled (or publishing ended and nothing more arrives for 10 s).</summary>
    private static async Task<TimeSpan> WaitUntilSpooledAsync(LiveIngestMetrics metrics, Task publishing, long expected, Stopwatch clock, CancellationToken cancellationToken)
    {
        var lastCount = -1L;
        var lastChange = clock.Elapsed;
        var lastSpooled = clock.Elapsed;
        while (true)
        {
            var count = metrics.SamplesSpooled;
            if (count != lastCount)
            {
                lastCount = count;
                lastChange = lastSpooled = clock.Elapsed;
            }

            if (count >= expected || (publishing.IsCompleted && clock.Elapsed - lastChange > TimeSpan.FromSeconds(10)))
            {
                return lastSpooled;
            }

            await Task.Delay(20, cancellationToken);
        }
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    private static double Percentile(double[] sorted, double percentile) =>
        sorted.Length == 0 ? double.NaN : sorted[(int)Math.Clamp(Math.Ceiling(percentile / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task WaitAsync(Func<bool> condition, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"bench-ingest: gave up waiting after {timeout}.");
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    private sealed record RideCount(long Rows, long DistinctSeq);

    /// <summary>Counts each submitted ride's rows and distinct sequence numbers instead of storing it.</summary>
    private sealed class CountingSink : ILiveRideSink
    {
        public ConcurrentDictionary<string, RideCount> Rides { get; } = new();

        public async Task<Guid> SubmitLiveRideAsync(string deviceId, Guid riderId, Stream canonicalCsv, string fileName, CancellationToken cancellationToken)
        {
            using var reader = new StreamReader(canonicalCsv);
            var seqIndex = Array.IndexOf((await reader.ReadLineAsync(cancellationToken))!.Split(','), "seq");
            var seqs = new HashSet<long>();
            long rows = 0;
            while (await reader.ReadLineAsync(cancellationToken) is { } line)
            {
                rows++;
                seqs.Add(long.Parse(line.Split(',')[seqIndex], CultureInfo.InvariantCulture));
            }

            Rides[deviceId] = new RideCount(rows, seqs.Count);
            return Guid.NewGuid();
        }
    }

    /// <summary>A Mosquitto of the benchmark's own (anonymous, loopback, the production queue and in-flight settings).</summary>
    private sealed class PrivateMosquitto : IDisposable
    {
        private readonly Process _process;

        private PrivateMosquitto(Process process, int port)
        {
            _process = process;
            Port = port;
        }

        public int Port { get; }

        public TimeSpan CpuTime
        {
            get
            {
                _process.Refresh();
                return _process.HasExited ? TimeSpan.Zero : _process.TotalProcessorTime;
            }
        }

        public static async Task<PrivateMosquitto> StartAsync(string directory, CancellationToken cancellationToken)
        {
            var port = FreePort();
            var config = Path.Combine(directory, "mosquitto.conf");
            await File.WriteAllTextAsync(config, $"""
                listener {port} 127.0.0.1
                allow_anonymous true
                persistence false
                max_queued_messages 200000
                max_queued_bytes 0
                max_inflight_messages 100
                max_packet_size 263168
                log_dest none
                """, cancellationToken);
            var process = Process.Start(new ProcessStartInfo("mosquitto", ["-c", config]) { RedirectStandardError = true, RedirectStandardOutput = true })
                ?? throw new InvalidOperationException("mosquitto did not start (is it installed and on PATH?).");
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < TimeSpan.FromSeconds(10))
            {
                if (process.HasExited)
                {
                    throw new InvalidOperationException($"mosquitto exited: {await process.StandardError.ReadToEndAsync(cancellationToken)}");
                }

                try
                {
                    using var probe = new TcpClient();
                    await probe.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
                    return new PrivateMosquitto(process, port);
                }
                catch (SocketException)
                {
                    await Task.Delay(50, cancellationToken);
                }
            }

            process.Kill();
            throw new TimeoutException("mosquitto did not listen within 10 s.");
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                _process.WaitForExit(5000);
            }

            _process.Dispose();
        }
    }
}
