using Portal.Core.Live;
using Portal.Core.Simulation;
using Portal.Jobs.Live;

namespace Portal.Tests.Live;

/// <summary>
/// A crash is seen while the live session is still open: the live view's buffer and the ingest's crash watch run the ride
/// analysis' crash detector on the stream as it arrives.
/// </summary>
[Trait("Category", "Live")]
public sealed class LiveCrashDetectionTests
{
    private static readonly DateTimeOffset Received = new(2026, 11, 28, 10, 0, 0, TimeSpan.Zero);

    private static (List<SimulatedSample> Samples, RideGroundTruth Truth, DateTimeOffset Start) Simulate(RideScenario scenario, double seconds)
    {
        var simulator = new RideSimulator(new SimulationOptions { Scenario = scenario, DurationSeconds = seconds, RateHz = 50, Seed = 7 });
        var samples = new List<SimulatedSample>();
        while (simulator.TryNext(out var sample))
        {
            samples.Add(sample);
        }

        return (samples, simulator.GroundTruth(), simulator.StartTime);
    }

    private static LiveReading ToReading(in SimulatedSample sample, DateTimeOffset start)
    {
        var m = sample.Measured;
        return new LiveReading(start.UtcTicks + (long)Math.Round(m.T * TimeSpan.TicksPerSecond), m.Ax, m.Ay, m.Az, m.Gx, m.Gy, m.Gz, m.Speed, m.Lat, m.Lon);
    }

    private static LiveSample ToLiveSample(in SimulatedSample sample, DateTimeOffset start)
    {
        var m = sample.Measured;
        var live = new LiveSample { TimestampTicks = start.UtcTicks + (long)Math.Round(m.T * TimeSpan.TicksPerSecond) };
        double[] values = [m.Ax, m.Ay, m.Az, m.Gx, m.Gy, m.Gz, m.Mx, m.My, m.Mz, m.Speed, m.Lat, m.Lon, m.Alt];
        for (var i = 0; i < values.Length; i++)
        {
            live.Values[i] = double.IsNaN(values[i]) ? null : values[i];
        }

        return live;
    }

    [Theory]
    [InlineData(RideScenario.CrashLowside)]
    [InlineData(RideScenario.CrashHighside)]
    public void LiveBuffer_ShowsTheCrash_WithTimeAndPlace_SecondsAfterItHappened_WhileTheSessionIsOpen(RideScenario scenario)
    {
        var (samples, truth, start) = Simulate(scenario, 150);
        var buffer = new LiveDeviceBuffer(TimeSpan.FromSeconds(60), 30_000, TimeSpan.FromSeconds(60));
        double? seenAtS = null;

        // Batches of 10 samples (0.2 s), as the device simulator publishes them.
        foreach (var batch in samples.Chunk(10))
        {
            buffer.Add([.. batch.Select(s => ToReading(s, start))], Received);
            if (buffer.Snapshot().Crash is not null)
            {
                seenAtS = batch[^1].Measured.T;
                break;
            }
        }

        var crash = buffer.Snapshot().Crash;
        Assert.NotNull(crash);
        Assert.NotNull(truth.CrashTimeS);
        var crashS = (crash.At - start).TotalSeconds;
        Assert.InRange(crashS, truth.CrashTimeS.Value - 1, truth.CrashTimeS.Value + 1);
        // Confirmation needs the rider to lie still for 2 s after the violent event; nothing more may be waited for.
        Assert.InRange(seenAtS!.Value - crashS, 0, 6);
        Assert.NotNull(crash.Latitude);
        Assert.NotNull(crash.Longitude);
        Assert.InRange(crash.Latitude.Value, 44.2, 44.4);
        Assert.False(buffer.Snapshot().SessionEnded);
    }

    [Fact]
    public void LiveBuffer_ReportsNoCrash_ForATrackSessionWithHardBrakingAndDeepLean()
    {
        var (samples, _, start) = Simulate(RideScenario.Track, 120);
        var buffer = new LiveDeviceBuffer(TimeSpan.FromSeconds(60), 30_000, TimeSpan.FromSeconds(60));

        foreach (var batch in samples.Chunk(10))
        {
            buffer.Add([.. batch.Select(s => ToReading(s, start))], Received);
        }

        Assert.True(buffer.Snapshot().HasSamples);
        Assert.Null(buffer.Snapshot().Crash);
    }

    [Fact]
    public void LiveBuffer_ClearsTheCrash_WhenTheNextSessionStarts()
    {
        var (samples, _, start) = Simulate(RideScenario.CrashLowside, 150);
        var buffer = new LiveDeviceBuffer(TimeSpan.FromSeconds(60), 30_000, TimeSpan.FromSeconds(60));
        buffer.Add([.. samples.Select(s => ToReading(s, start))], Received);
        Assert.NotNull(buffer.Snapshot().Crash);

        buffer.OnSessionEvent(LiveSessionEvent.Start, Received);

        Assert.Null(buffer.Snapshot().Crash);
    }

    [Fact]
    public void IngestCrashWatch_ReportsTheCrashOnce_AtTheBatchThatConfirmsIt()
    {
        var (samples, truth, start) = Simulate(RideScenario.CrashHighside, 150);
        var watch = new LiveCrashWatch();
        var alerts = new List<(LiveCrashAlert Alert, double BatchEndS)>();

        foreach (var batch in samples.Chunk(10))
        {
            if (watch.Add([.. batch.Select(s => ToLiveSample(s, start))]) is { } alert)
            {
                alerts.Add((alert, batch[^1].Measured.T));
            }
        }

        var (first, batchEndS) = Assert.Single(alerts);
        var crashS = (first.At - start).TotalSeconds;
        Assert.InRange(crashS, truth.CrashTimeS!.Value - 1, truth.CrashTimeS.Value + 1);
        Assert.InRange(batchEndS - crashS, 0, 6);
        Assert.Equal("highside", first.Kind, ignoreCase: true);
    }
}
