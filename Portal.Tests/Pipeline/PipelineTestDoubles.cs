using System.Collections.Concurrent;
using Portal.Core.Analytics;
using Portal.Core.Rides;

namespace Portal.Tests.Pipeline;

/// <summary>Records what would have been put on the Hangfire queues.</summary>
public sealed class RecordingJobScheduler : IRideJobScheduler
{
    public ConcurrentQueue<Guid> Analyses { get; } = new();
    public ConcurrentQueue<Guid> CrashHandlings { get; } = new();

    public string EnqueueAnalysis(Guid rideId)
    {
        Analyses.Enqueue(rideId);
        return $"analysis-{Analyses.Count}";
    }

    public string EnqueueCrashHandling(Guid rideId)
    {
        CrashHandlings.Enqueue(rideId);
        return $"crash-{CrashHandlings.Count}";
    }
}

/// <summary>Stands in for the analytics engine (another branch): reads the file to its end and answers what the test set.</summary>
public sealed class StubRideAnalyzer : IRideAnalyzer
{
    public Func<RideAnalysis> Answer { get; set; } = () => Analyses.Plain();
    public Exception? Throw { get; set; }
    public int Calls { get; private set; }
    public long LastBytesRead { get; private set; }
    public DeviceProfile? LastProfile { get; private set; }

    public async Task<RideAnalysis> AnalyzeAsync(Stream rideFile, DeviceProfile? profile, IProgress<int>? progress, CancellationToken cancellationToken)
    {
        Calls++;
        LastProfile = profile;
        var buffer = new byte[4096];
        long total = 0;
        int read;
        while ((read = await rideFile.ReadAsync(buffer, cancellationToken)) > 0)
        {
            total += read;
        }

        LastBytesRead = total;
        progress?.Report(100);
        if (Throw is { } failure)
        {
            throw failure;
        }

        return Answer();
    }
}

/// <summary>Analysis results shaped like the engine's, with numbers picked by the tests.</summary>
public static class Analyses
{
    public static RideAnalysis Plain(double distanceKm = 12.5, double maxSpeed = 87.0) => new()
    {
        Metrics = new RideMetrics
        {
            DurationS = 1200,
            Samples = 120_000,
            SampleRateHz = 100,
            DistanceKm = distanceKm,
            MaxSpeedKmh = maxSpeed,
            AvgSpeedKmh = 41.2,
            MovingTimeS = 1100,
            MaxAccelMs2 = 3.1,
            MaxDecelMs2 = 7.9,
            MaxLeanLeftDeg = 31,
            MaxLeanRightDeg = 35,
            LeftTurns = 7,
            RightTurns = 9,
            CrashDetected = false,
            CrashTimeS = null,
            RowsSkipped = 3,
        },
        Traces = new RideTraces([new Trace("speed", "km/h", [0, 1, 2], [0, 10, 20])], [new TurnMark(10, 14, "left", 80)]),
    };

    public static RideAnalysis Crash(double crashTimeS = 312.4) => Plain() with
    {
        Metrics = Plain().Metrics! with { CrashDetected = true, CrashTimeS = crashTimeS },
        Crash = new CrashFinding(crashTimeS, "highside", 11.7, 640, 72, 45.41, 11.88, "Rider at 72 km/h; 11.7 g impact; lying on the side after."),
        CrashWindowCsv = "timestamp,ax,ay,az,gx,gy,gz\n0,0,0,9.81,0,0,0\n",
    };

    public static RideAnalysis Rejected(string code = "no_time_column", string message = "The file has no time column.") =>
        new() { Rejection = new RideRejection(code, message) };
}

/// <summary>A body that delivers some bytes and then fails as a dropped connection does.</summary>
public sealed class CutConnectionStream(byte[] content, int cutAfter) : Stream
{
    private int position;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => position; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count)
    {
        if (position >= cutAfter)
        {
            throw new IOException("The connection was reset by the peer.");
        }

        var n = Math.Min(count, Math.Min(cutAfter, content.Length) - position);
        Array.Copy(content, position, buffer, offset, n);
        position += n;
        return n;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
