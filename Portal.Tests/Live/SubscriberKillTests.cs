using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Catalog;
using Portal.Core.Devices;
using Portal.Core.Storage;
using Portal.Jobs.Live;
using Portal.Tests.Scale;
using Xunit.Abstractions;

namespace Portal.Tests.Live;

/// <summary>
/// Issue 7 item 2 under a real crash: two partitioned ingest subscribers run as <c>Portal.Jobs.dll</c> processes against
/// the test's own Mosquitto, sharing one PostgreSQL catalog, each with its own spool. Simulated devices publish QoS 1
/// and the test records which samples the broker acknowledged. One subscriber gets SIGKILL mid-session and is started
/// again with the same client id and spool, as an orchestrator would. The rides the subscribers submit through the
/// normal intake are read back from PostgreSQL and the object store.
/// </summary>
[Trait("Category", "Faults")]
public sealed class SubscriberKillTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int DevicesPerPartition = 3;
    private const string ConnectedLine = "Live subscriber connected as ";

    /// <summary>Guards against a hang only; a healthy run takes about half a minute on 2 cores.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly string spoolRoot = Path.Combine(Path.GetTempPath(), "portal-tests", $"live-kill-{Guid.NewGuid():N}");
    private ScaleCluster cluster = null!;
    private MosquittoBroker broker = null!;

    public async Task InitializeAsync()
    {
        cluster = await ScaleCluster.StartAsync("live_kill", invisibilityTimeoutSeconds: 30);
        broker = await MosquittoBroker.StartAsync("rides", logPackets: true);
    }

    public async Task DisposeAsync()
    {
        await cluster.DisposeAsync();
        await broker.DisposeAsync();
        try
        {
            Directory.Delete(spoolRoot, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>When the victim gets SIGKILL.</summary>
    public enum KillMoment
    {
        /// <summary>≈ 2 s into the rides, the instant its spool grows: a message written but not yet acknowledged.</summary>
        MidSession,

        /// <summary>The instant one of its devices' sessions ended (spool renamed .ended), before the end and the last telemetry were acknowledged.</summary>
        AtSessionEnd,
    }

    [Fact]
    public Task KilledSubscriberProcess_RestartedWithItsSpool_LosesAndDuplicatesNoAcknowledgedSample_AndTheOtherPartitionIsUndisturbed() =>
        KillAndRestartAsync(KillMoment.MidSession);

    [Fact]
    public Task SubscriberProcessKilledAsASessionEnds_RestartedWithItsSpool_SubmitsOneRidePerSession_WithEveryAcknowledgedSampleOnce() =>
        KillAndRestartAsync(KillMoment.AtSessionEnd);

    private async Task KillAndRestartAsync(KillMoment moment)
    {
        var devices = await RegisterDevicesAsync();
        var victimPartition = new SubscriberOptions { PartitionCount = 2, PartitionIndex = 0 };
        var victimDevices = devices.Where(d => victimPartition.OwnsDevice(d.DeviceId)).Select(d => d.DeviceId).ToHashSet();
        var survivorDevices = devices.Select(d => d.DeviceId).Where(id => !victimDevices.Contains(id)).ToHashSet();

        var victim = cluster.StartWorker("ingest-0", SubscriberSettings(0));
        var survivor = cluster.StartWorker("ingest-1", SubscriberSettings(1));
        await WaitForLineAsync(victim, ConnectedLine);
        await WaitForLineAsync(survivor, ConnectedLine);

        var acknowledged = new ConcurrentDictionary<string, ConcurrentBag<long>>();
        var simulation = new DeviceSimulationOptions
        {
            Port = broker.Port,
            RateHz = 50,
            Batch = 10,
            Duration = TimeSpan.FromSeconds(moment == KillMoment.MidSession ? 12 : 6),
            Scenario = Portal.Core.Simulation.RideScenario.City,
            TelemetryAcknowledged = (deviceId, first, last) =>
            {
                var seqs = acknowledged.GetOrAdd(deviceId, _ => []);
                for (var seq = first; seq <= last; seq++)
                {
                    seqs.Add(seq);
                }
            },
        };
        var publishing = Task.WhenAll(devices.Select(d => DeviceSimulator.RunAsync(d, simulation, TimeProvider.System, CancellationToken.None)));

        // Mid-session (the victim has spooled ≈ 2 s of each of its devices' rides), the instant its spool grows again:
        // the message just written is most likely not yet fsync'd and acknowledged, so the broker sends it again.
        // At a session's end, the instant its spool is renamed: the end and the last telemetry are most likely not acknowledged.
        var almost = moment == KillMoment.MidSession ? 100 : 250;
        await WaitUntilAsync(() => victimDevices.All(id => SpooledLines(0, id) >= almost), $"the victim to spool {almost} samples of each of its devices", victim);
        var acknowledgedAtKill = await Task.Run(() =>
        {
            var before = victimDevices.Sum(id => SpooledLines(0, id));
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < Patience && (moment == KillMoment.MidSession
                ? victimDevices.Sum(id => SpooledLines(0, id)) == before
                : !victimDevices.Any(id => SpoolFiles(0, id).Any(f => f.EndsWith(".ended", StringComparison.Ordinal)))))
            {
                Thread.SpinWait(100);
            }

            victim.KillHardNow();
            return acknowledged.Values.Sum(s => s.Count);
        });
        await WaitUntilAsync(() => victim.HasExited, "the killed subscriber to exit");
        var spooledAtKill = victimDevices.ToDictionary(id => id, id => SpooledLines(0, id));

        // SIGKILL cannot tear one positional write, a power cut can: leave the first half of a record behind.
        var torn = moment == KillMoment.MidSession ? TearLastRecord(victimDevices.First()) : "none";

        await Task.Delay(TimeSpan.FromSeconds(3)); // the orchestrator's restart delay; the broker queues meanwhile
        var restartClock = Stopwatch.StartNew();
        var restarted = cluster.StartWorker("ingest-0-restarted", SubscriberSettings(0));
        var resumed = new ConcurrentDictionary<string, TimeSpan>();
        var mostSpooled = new ConcurrentDictionary<string, int>(spooledAtKill);
        using var stopWatching = new CancellationTokenSource();
        var watchResume = Task.Run(async () =>
        {
            while (!stopWatching.IsCancellationRequested && restartClock.Elapsed < Patience)
            {
                foreach (var id in victimDevices)
                {
                    var lines = SpooledLines(0, id);
                    mostSpooled.AddOrUpdate(id, lines, (_, seen) => Math.Max(seen, lines));
                    if (lines > spooledAtKill[id])
                    {
                        resumed.TryAdd(id, restartClock.Elapsed);
                    }
                }

                await Task.Delay(20);
            }
        });
        await WaitForLineAsync(restarted, ConnectedLine);
        var connectedAfter = restartClock.Elapsed;

        var results = await publishing.WaitAsync(Patience);
        await WaitUntilAsync(() => AllSubmittedAsync(devices.Count), "every device's session to become a ride and the spools to empty", restarted, survivor);
        await stopWatching.CancelAsync();
        await watchResume;

        // The premise: every sample got its PUBACK (the broker never went away), so "no loss" covers the whole ride.
        foreach (var result in results)
        {
            Assert.Equal(0, result.FailedPublishes);
            Assert.Equal(result.Samples, acknowledged[result.DeviceId].Count);
        }

        var rides = await cluster.WithCatalogAsync(db => db.Rides.AsNoTracking().Where(r => r.Source == RideSource.Live).ToListAsync());
        var storage = cluster.Services.GetRequiredService<IObjectStorage>();
        foreach (var device in devices)
        {
            var ride = Assert.Single(rides, r => r.DeviceId == device.DeviceId);
            var seqs = await ReadSeqColumnAsync(storage, ride);
            Assert.True(seqs.Count == seqs.Distinct().Count(), $"Device {device.DeviceId}'s ride holds {seqs.Count - seqs.Distinct().Count()} duplicated samples.");
            var missing = acknowledged[device.DeviceId].Except(seqs).Order().ToList();
            Assert.True(missing.Count == 0, $"Device {device.DeviceId} lost {missing.Count} acknowledged samples, first {string.Join(',', missing.Take(10))}.");
            Assert.Equal(acknowledged[device.DeviceId].Order(), seqs.Order());
        }

        // Undisturbed: the survivor kept its one connection and submitted exactly its own devices' rides; the
        // restarted instance found its broker session and spool and submitted the victim's devices'.
        Assert.Single(survivor.Output, line => line.Contains(ConnectedLine, StringComparison.Ordinal));
        Assert.DoesNotContain(survivor.Output, line => line.Contains("Live subscriber disconnected", StringComparison.Ordinal));
        Assert.Equal(survivorDevices.Order(), SubmittedDevices(survivor).Order());
        Assert.Equal(victimDevices.Order(), SubmittedDevices(restarted).Order());
        Assert.Contains(restarted.Output, line => line.Contains(ConnectedLine, StringComparison.Ordinal) && line.Contains("session present: True", StringComparison.Ordinal));
        if (moment == KillMoment.MidSession)
        {
            Assert.Equal(victimDevices.Count, restarted.Output.Count(line => line.Contains("left from a previous run: resuming", StringComparison.Ordinal)));
        }
        else
        {
            Assert.Contains(restarted.Output, line => line.Contains("left from a previous run: submitting", StringComparison.Ordinal));
        }

        output.WriteLine($"Acknowledged samples at the kill: {acknowledgedAtKill}; the victim's spool then held {string.Join(", ", spooledAtKill.Select(s => $"{s.Key}: {s.Value}"))} (torn record left in {torn}).");
        output.WriteLine($"Restart → subscriber connected: {connectedAfter.TotalSeconds:F2} s; → each of its devices spooling again: "
            + string.Join(", ", victimDevices.Select(id => resumed.TryGetValue(id, out var after) ? $"{after.TotalSeconds:F2} s" : "not observed (its session had ended)")));
        output.WriteLine($"Rides: {rides.Count}, samples per device: {string.Join(", ", results.Select(r => r.Samples))}.");
        var redelivered = broker.ReadLog().Split('\n').Count(line => line.Contains("Sending PUBLISH to ingest-0 (d1", StringComparison.Ordinal));
        output.WriteLine($"Messages the broker resent (DUP) to the restarted instance: {redelivered}; most records seen in its devices' spools: "
            + string.Join(", ", victimDevices.Select(id => $"{mostSpooled.GetValueOrDefault(id)}")) + " (above the ride's samples = redelivered duplicates, dropped at submission).");
    }

    private Dictionary<string, string> SubscriberSettings(int index) => new()
    {
        ["Mqtt__Broker"] = "External",
        ["Mqtt__External__Host"] = "127.0.0.1",
        ["Mqtt__External__Port"] = broker.Port.ToString(CultureInfo.InvariantCulture),
        ["Mqtt__External__Username"] = MosquittoBroker.SubscriberUser,
        ["Mqtt__External__Password"] = broker.SubscriberPassword,
        ["Mqtt__External__ClientId"] = $"ingest-{index}",
        ["Mqtt__Subscriber__Enabled"] = "true",
        ["Mqtt__Subscriber__PartitionCount"] = "2",
        ["Mqtt__Subscriber__PartitionIndex"] = index.ToString(CultureInfo.InvariantCulture),
        ["Mqtt__Subscriber__SpoolDir"] = Path.Combine(spoolRoot, $"spool-{index}"),
        // An ingest subscriber as docs/scale-out.md deploys it: no Hangfire server (the analyses are not under test).
        ["Hangfire__Server__Enabled"] = "false",
        ["Logging__LogLevel__Portal.Jobs.Live"] = "Information",
    };

    /// <summary>Registers devices until each partition has <see cref="DevicesPerPartition"/>, and gives each a broker login.</summary>
    private async Task<List<SimulatedDevice>> RegisterDevicesAsync()
    {
        var partition = new SubscriberOptions { PartitionCount = 2, PartitionIndex = 0 };
        var devices = new List<SimulatedDevice>();
        for (var attempt = 0; attempt < 100 && (devices.Count(d => partition.OwnsDevice(d.DeviceId)) < DevicesPerPartition
            || devices.Count(d => !partition.OwnsDevice(d.DeviceId)) < DevicesPerPartition); attempt++)
        {
            var registered = await cluster.WithCatalogAsync(db =>
                new DeviceRegistry(db, TimeProvider.System).RegisterAsync(new DeviceRegistration("Kill test suit", Guid.NewGuid(), "Suit X"), CancellationToken.None));
            var owned = devices.Count(d => partition.OwnsDevice(d.DeviceId) == partition.OwnsDevice(registered.Device.Id));
            if (owned < DevicesPerPartition)
            {
                await broker.AddUserAsync(registered.Device.Id, registered.Secret);
                devices.Add(new SimulatedDevice(registered.Device.Id, registered.Secret));
            }
        }

        Assert.Equal(2 * DevicesPerPartition, devices.Count);
        return devices;
    }

    private IEnumerable<string> SpoolFiles(int index, string deviceId)
    {
        var directory = Path.Combine(spoolRoot, $"spool-{index}", "sessions", deviceId);
        return Directory.Exists(directory)
            ? Directory.EnumerateFiles(directory).Where(f => f.EndsWith(".active", StringComparison.Ordinal) || f.EndsWith(".ended", StringComparison.Ordinal))
            : [];
    }

    /// <summary>Complete records (newline-terminated lines after each spool's header line) of a device's spools.</summary>
    private int SpooledLines(int index, string deviceId)
    {
        try
        {
            return SpoolFiles(index, deviceId).Sum(f =>
            {
                using var stream = new FileStream(f, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                var buffer = new byte[64 * 1024];
                var newlines = 0;
                int read;
                while ((read = stream.Read(buffer)) > 0)
                {
                    newlines += buffer.AsSpan(0, read).Count((byte)'\n');
                }

                return Math.Max(0, newlines - 1);
            });
        }
        catch (IOException)
        {
            return 0; // renamed or deleted under us: ask again
        }
    }

    /// <summary>Appends the first half of the spool's last record again, as a write cut short would leave it.</summary>
    private string TearLastRecord(string deviceId)
    {
        var file = Assert.Single(SpoolFiles(0, deviceId), f => f.EndsWith(".active", StringComparison.Ordinal));
        var last = File.ReadLines(file).Last(l => l.Length > 0 && l[0] != '#');
        File.AppendAllText(file, last[..(last.Length / 2)]);
        return deviceId;
    }

    private async Task<bool> AllSubmittedAsync(int deviceCount)
    {
        var spoolsEmpty = !Directory.Exists(spoolRoot)
            || !Directory.EnumerateFiles(spoolRoot, "*", SearchOption.AllDirectories).Any(f => f.EndsWith(".active", StringComparison.Ordinal) || f.EndsWith(".ended", StringComparison.Ordinal));
        if (!spoolsEmpty)
        {
            return false;
        }

        var withRide = await cluster.WithCatalogAsync(db => db.Rides.Where(r => r.Source == RideSource.Live).Select(r => r.DeviceId).Distinct().CountAsync());
        return withRide == deviceCount;
    }

    /// <summary>The device ids of the "Live session … of device … submitted as ride" lines of a subscriber's log.</summary>
    private static List<string> SubmittedDevices(WorkerProcess worker) =>
        [.. worker.Output
            .Where(line => line.Contains(" submitted as ride ", StringComparison.Ordinal))
            .Select(line => line[(line.IndexOf(" of device ", StringComparison.Ordinal) + 11)..])
            .Select(rest => rest[..rest.IndexOf(' ', StringComparison.Ordinal)])];

    private static async Task<List<long>> ReadSeqColumnAsync(IObjectStorage storage, Ride ride)
    {
        await using var stream = await storage.OpenReadAsync(BucketKind.Raw, ride.RawKey, CancellationToken.None);
        using var reader = new StreamReader(stream);
        var header = (await reader.ReadLineAsync())!.Split(',');
        var seqColumn = Array.IndexOf(header, "seq");
        Assert.True(seqColumn >= 0, $"Ride {ride.Id}'s file has no seq column: {string.Join(',', header)}");
        var seqs = new List<long>();
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.Length > 0)
            {
                // A record joined to a torn one would have more cells than the header.
                var cells = line.Split(',');
                Assert.True(cells.Length == header.Length, $"Ride {ride.Id} has a row of {cells.Length} cells under a header of {header.Length}: {line}");
                seqs.Add(long.Parse(cells[seqColumn], CultureInfo.InvariantCulture));
            }
        }

        return seqs;
    }

    private static Task WaitForLineAsync(WorkerProcess worker, string text) =>
        WaitUntilAsync(() => worker.Output.Any(line => line.Contains(text, StringComparison.Ordinal)), $"\"{text}\" in the log", worker);

    private static Task WaitUntilAsync(Func<bool> condition, string what, params WorkerProcess[] watched) =>
        WaitUntilAsync(() => Task.FromResult(condition()), what, watched);

    /// <summary>Polls until the condition holds; fails at once when a watched process exits, and after <see cref="Patience"/>.</summary>
    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what, params WorkerProcess[] watched)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (watched.Any(w => w.HasExited) || clock.Elapsed > Patience)
            {
                Assert.Fail($"Gave up waiting for {what} after {clock.Elapsed.TotalSeconds:F0} s.\n{string.Join("\n---\n", watched.Select(w => w.Describe()))}");
            }

            await Task.Delay(50);
        }
    }
}
