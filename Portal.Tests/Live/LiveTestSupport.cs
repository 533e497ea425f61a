using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Portal.Core.Catalog;
using Portal.Core.Devices;
using Portal.Jobs.Live;

namespace Portal.Tests.Live;

/// <summary>What <see cref="RecordingLiveRideSink"/> received: the CSV text and who it belongs to.</summary>
public sealed record LiveSubmission(string DeviceId, Guid RiderId, string FileName, string Csv)
{
    public string[] Lines => Csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>The seq column of every data row, in file order.</summary>
    public long[] SeqNumbers
    {
        get
        {
            var lines = Lines;
            var seqIndex = Array.IndexOf(lines[0].Split(','), "seq");
            return [.. lines.Skip(1).Select(l => long.Parse(l.Split(',')[seqIndex], System.Globalization.CultureInfo.InvariantCulture))];
        }
    }
}

/// <summary>Stands in for the pipeline's sink until it lands: records each submitted live ride.</summary>
public sealed class RecordingLiveRideSink : ILiveRideSink
{
    private readonly ConcurrentQueue<LiveSubmission> _submissions = new();

    public IReadOnlyList<LiveSubmission> Submissions => [.. _submissions];

    /// <summary>Set to make the next submissions fail (the spool must survive).</summary>
    public bool Fail { get; set; }

    public async Task<Guid> SubmitLiveRideAsync(string deviceId, Guid riderId, Stream canonicalCsv, string fileName, CancellationToken cancellationToken)
    {
        if (Fail)
        {
            throw new IOException("The test sink refuses submissions.");
        }

        using var reader = new StreamReader(canonicalCsv);
        _submissions.Enqueue(new LiveSubmission(deviceId, riderId, fileName, await reader.ReadToEndAsync(cancellationToken)));
        return Guid.NewGuid();
    }

    public async Task<LiveSubmission> WaitForAsync(string deviceId, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            if (_submissions.FirstOrDefault(s => s.DeviceId == deviceId) is { } submission)
            {
                return submission;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"No live ride of device {deviceId} was submitted within {timeout}.");
    }
}

public static class LiveTestPorts
{
    public static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"Timed out after {timeout} waiting for: {what}");
            }

            await Task.Delay(50);
        }
    }
}

/// <summary>
/// A host with the live-device services on a SQLite catalog in a temp directory and a recording sink.
/// Several hosts can share one directory (catalog + spool) to play the subscriber restarting.
/// </summary>
public sealed class LiveTestHost : IAsyncDisposable
{
    private readonly IHost _host;

    private LiveTestHost(IHost host, string directory, RecordingLiveRideSink sink)
    {
        _host = host;
        Directory = directory;
        Sink = sink;
    }

    public string Directory { get; }
    public RecordingLiveRideSink Sink { get; }
    public IServiceProvider Services => _host.Services;
    public LiveIngestMetrics Metrics => Services.GetRequiredService<LiveIngestMetrics>();

    public static string NewDirectory()
    {
        var directory = Path.Combine(Path.GetTempPath(), "portal-live-tests", Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(directory);
        return directory;
    }

    /// <param name="settings">Mqtt:* keys (without the prefix "Mqtt:" they are used as given).</param>
    /// <param name="pipeline">Registers the real ride pipeline (its <see cref="ILiveRideSink"/>) instead of the recording sink.</param>
    public static async Task<LiveTestHost> StartAsync(IDictionary<string, string?> settings, string? directory = null, RecordingLiveRideSink? sink = null,
        Action<IHostApplicationBuilder>? pipeline = null)
    {
        directory ??= NewDirectory();
        sink ??= new RecordingLiveRideSink();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = "Development" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Embedded:DataDir"] = directory,
            ["Mqtt:Subscriber:IdleTimeoutSeconds"] = "60",
        });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
        var catalogPath = Path.Combine(directory, "catalog.db");
        builder.Services.AddDbContext<CatalogDbContext>(o => o.UseSqlite($"Data Source={catalogPath};Default Timeout=30"));
        if (pipeline is null)
        {
            builder.Services.AddSingleton<ILiveRideSink>(sink);
        }
        else
        {
            pipeline(builder);
        }

        builder.AddLiveDevices();
        var host = builder.Build();
        await using (var scope = host.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<CatalogDbContext>().Database.EnsureCreatedAsync();
        }

        await host.StartAsync();
        return new LiveTestHost(host, directory, sink);
    }

    public async Task<DeviceWithSecret> RegisterDeviceAsync(Guid? riderId = null, string name = "Test suit")
    {
        await using var scope = Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<DeviceRegistry>()
            .RegisterAsync(new DeviceRegistration(name, riderId ?? Guid.NewGuid(), "Suit X"), CancellationToken.None);
    }

    public async Task WithRegistryAsync(Func<DeviceRegistry, Task> action)
    {
        await using var scope = Services.CreateAsyncScope();
        await action(scope.ServiceProvider.GetRequiredService<DeviceRegistry>());
    }

    public T Hosted<T>() where T : IHostedService => Services.GetServices<IHostedService>().OfType<T>().Single();

    public Task WaitForSubscriberAsync() =>
        LiveTestPorts.WaitUntilAsync(() => Metrics.SubscriberConnected, TimeSpan.FromSeconds(20), "the subscriber to connect");

    public async Task StopAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await _host.StopAsync(timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _host.Dispose();
    }
}

/// <summary>A Mosquitto of our own on a free loopback port, with a password file and the production ACL pattern.</summary>
public sealed class MosquittoBroker : IAsyncDisposable
{
    public const string SubscriberUser = "ride-portal-subscriber";
    private readonly string _config;
    private Process? _process;

    private MosquittoBroker(string directory, int port, string subscriberPassword)
    {
        Directory = directory;
        Port = port;
        SubscriberPassword = subscriberPassword;
        _config = Path.Combine(directory, "mosquitto.conf");
    }

    public string Directory { get; }
    public int Port { get; }
    public string SubscriberPassword { get; }

    /// <param name="logPackets">Logs every packet (<c>log_type all</c>), e.g. to count redeliveries ("d1") in <see cref="ReadLog"/>.</param>
    public static async Task<MosquittoBroker> StartAsync(string topicPrefix, bool logPackets = false)
    {
        var directory = LiveTestHost.NewDirectory();
        var broker = new MosquittoBroker(directory, LiveTestPorts.FreeLoopbackPort(), Guid.NewGuid().ToString("N"));
        var passwords = Path.Combine(directory, "passwords");
        await File.WriteAllTextAsync(Path.Combine(directory, "acl"),
            $"""
            # the subscriber reads every device's topics
            user {SubscriberUser}
            topic read {topicPrefix}/#

            # a device (username = device id) may only write under its own id
            pattern write {topicPrefix}/%u/#
            """);
        await File.WriteAllTextAsync(broker._config,
            $"""
            listener {broker.Port} 127.0.0.1
            allow_anonymous false
            password_file {passwords}
            acl_file {Path.Combine(directory, "acl")}
            persistence false
            max_queued_messages 100000
            log_dest file {Path.Combine(directory, "mosquitto.log")}
            {(logPackets ? "log_type all" : "")}
            """);
        await broker.AddUserAsync(SubscriberUser, broker.SubscriberPassword, create: true);
        await broker.StartProcessAsync();
        return broker;
    }

    /// <summary>Adds a device's credentials (mosquitto_passwd -b) and makes the running broker reload them.</summary>
    public async Task AddUserAsync(string user, string password, bool create = false)
    {
        var passwords = Path.Combine(Directory, "passwords");
        var arguments = create ? new[] { "-c", "-b", passwords, user, password } : ["-b", passwords, user, password];
        await RunAsync("mosquitto_passwd", arguments);
        // mosquitto drops root to the "mosquitto" user: it must be able to read its files.
        SetMode(Directory, 0b111_101_101);
        foreach (var file in System.IO.Directory.GetFiles(Directory).Where(f => !f.EndsWith("mosquitto.log", StringComparison.Ordinal)))
        {
            SetMode(file, 0b110_100_100);
        }

        if (_process is { HasExited: false } process)
        {
            await RunAsync("kill", ["-HUP", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            await Task.Delay(300);
        }
    }

    public async Task StartProcessAsync()
    {
        SetMode(Directory, 0b111_101_101);
        // mosquitto runs as its own user, which may not create files here: give it a log file it may write.
        var log = Path.Combine(Directory, "mosquitto.log");
        if (!File.Exists(log))
        {
            await File.WriteAllTextAsync(log, "");
        }

        SetMode(log, 0b110_110_110);
        _process = Process.Start(new ProcessStartInfo("mosquitto", ["-c", _config]) { RedirectStandardError = true, RedirectStandardOutput = true })
            ?? throw new InvalidOperationException("mosquitto did not start.");
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"mosquitto exited: {await _process.StandardError.ReadToEndAsync()} {ReadLog()}");
            }

            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }

        throw new TimeoutException("mosquitto did not listen within 10 s. " + ReadLog());
    }

    public async Task StopProcessAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }

        _process?.Dispose();
        _process = null;
    }

    private static void SetMode(string path, int mode)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, (UnixFileMode)mode);
        }
    }

    public string ReadLog()
    {
        var log = Path.Combine(Directory, "mosquitto.log");
        return File.Exists(log) ? File.ReadAllText(log) : "";
    }

    public async ValueTask DisposeAsync() => await StopProcessAsync();

    public static async Task<(int ExitCode, string Output)> RunAsync(string fileName, IEnumerable<string> arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(fileName, arguments) { RedirectStandardError = true, RedirectStandardOutput = true })
            ?? throw new InvalidOperationException($"{fileName} did not start.");
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (fileName == "mosquitto_passwd" && process.ExitCode != 0)
        {
            throw new InvalidOperationException($"mosquitto_passwd failed: {error}");
        }

        return (process.ExitCode, output + error);
    }
}
