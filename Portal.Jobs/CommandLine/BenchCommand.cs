using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using nietras.SeparatedValues;
using Portal.Core.Analytics;
using Portal.Core.Analytics.Reading;
using Portal.Core.Simulation;

namespace Portal.Jobs.CommandLine;

/// <summary>
/// <c>bench-analytics [--size-mb 250] [--files 10] [--rounds 3] [--dir DIR]</c>: on one generated canonical CSV, in one run,
/// (a) the baseline — Sep reading the file and parsing every float column, nothing else; (b) the reader alone
/// into a no-op sink; (c) the full analysis through <see cref="IRideAnalyzer"/>, with the peak working set
/// sampled while it runs; (d) <c>--files</c> analyses of the file on all cores. A benchmark, not a test.
/// <para>
/// Fair on a shared machine: each single-thread measurement runs once to warm up (JIT, page cache) and then
/// <c>--rounds</c> times, interleaved, and the best round is reported. CPU time is that of the measuring
/// thread alone (the working-set sampler, the JIT's and the GC's background threads are not charged to the
/// parser), so "MB per CPU-second" compares the work itself even when other processes take the cores.
/// </para>
/// </summary>
public static class BenchCommand
{
    public const string Usage = "bench-analytics [--size-mb 250] [--files 10] [--rounds 3] [--dir DIRECTORY]";

    public static async Task<int> RunAsync(ReadOnlyMemory<string> args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        double sizeMb;
        int files;
        int rounds;
        string directory;
        try
        {
            var parsed = CommandArguments.Parse(args.Span, flags: []);
            sizeMb = parsed.GetDouble("size-mb") ?? 250;
            files = (int)(parsed.GetDouble("files") ?? 10);
            rounds = Math.Max(1, (int)(parsed.GetDouble("rounds") ?? 3));
            directory = parsed.Get("dir") ?? Path.GetTempPath();
        }
        catch (ArgumentException e)
        {
            await stderr.WriteLineAsync($"{e.Message}\nUsage: {Usage}");
            return 2;
        }

        var path = Path.Combine(directory, string.Create(CultureInfo.InvariantCulture, $"ride-bench-{sizeMb:F0}mb.csv"));
        if (!File.Exists(path) || Math.Abs(new FileInfo(path).Length - sizeMb * 1e6) > 1e6)
        {
            await stderr.WriteLineAsync($"Generating {path} …");
            var generation = Stopwatch.StartNew();
            await using var file = File.Create(path);
            var options = new SimulationOptions { Scenario = RideScenario.Country, RateHz = 100, Seed = 42, DurationSeconds = sizeMb * 1e6 / 80 / 100 };
            await SimulatedRideCsvWriter.WriteAsync(file, options, gzip: false, maxContentBytes: (long)(sizeMb * 1e6), cancellationToken);
            await stderr.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"Generated in {generation.Elapsed.TotalSeconds:F1} s."));
        }

        var bytes = new FileInfo(path).Length;
        var megabytes = bytes / 1e6;
        var analyzer = new RideAnalyzer();

        // One warm-up round (JIT, page cache), then `rounds` interleaved rounds; the best of each is reported.
        Timing baseline = Timing.Worst, readerOnly = Timing.Worst, analysis = Timing.Worst;
        long peakWorkingSet = 0;
        RideAnalysis? result = null;
        for (var round = 0; round <= rounds; round++)
        {
            var warm = round > 0;
            var baselineRound = Measure(() => ParseEveryFloatColumn(path));
            var readerRound = Measure(() => ReadIntoNothing(path, cancellationToken));
            GC.Collect();
            using var sampler = new WorkingSetSampler();
            var analysisRound = Measure(() => result = AnalyzeFile(analyzer, path, cancellationToken));
            var roundPeak = sampler.Stop();
            if (warm)
            {
                baseline = baseline.Best(baselineRound);
                readerOnly = readerOnly.Best(readerRound);
                analysis = analysis.Best(analysisRound);
                peakWorkingSet = Math.Max(peakWorkingSet, roundPeak);
            }
        }

        var parallelism = Environment.ProcessorCount;
        var parallel = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, files), new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken },
            async (_, token) =>
            {
                await using var stream = OpenSequential(path);
                await analyzer.AnalyzeAsync(stream, null, null, token);
            });
        parallel.Stop();

        var invariant = CultureInfo.InvariantCulture;
        await stdout.WriteLineAsync(string.Create(invariant, $"File: {path} ({megabytes:F1} MB, {result?.Metrics?.Samples:N0} samples); {Environment.ProcessorCount} cores; .NET {Environment.Version}"));
        await stdout.WriteLineAsync(string.Create(invariant, $"Best of {rounds} rounds after a warm-up; CPU = this thread's CPU time ({(ThreadCpuClock.IsAvailable ? "clock_gettime(CLOCK_THREAD_CPUTIME_ID)" : "process CPU time: no per-thread clock on this OS")})."));
        await stdout.WriteLineAsync("| measurement | wall s | MB/s (wall) | CPU s | MB per CPU-second |");
        await stdout.WriteLineAsync("|---|---:|---:|---:|---:|");
        await stdout.WriteLineAsync(Line("(a) baseline: Sep read + parse every float column", baseline));
        await stdout.WriteLineAsync(Line("reader only (validation, units, no-op sink)", readerOnly));
        await stdout.WriteLineAsync(Line("(b) full analysis (IRideAnalyzer), one thread", analysis));
        await stdout.WriteLineAsync(string.Create(invariant, $"| {files} files ({files * megabytes / 1000:F2} GB), {parallelism} in parallel | {parallel.Elapsed.TotalSeconds:F2} | {files * megabytes / parallel.Elapsed.TotalSeconds:F0} | | |"));
        await stdout.WriteLineAsync(string.Create(invariant, $"Full analysis = {baseline.WallSeconds / analysis.WallSeconds * 100:F0} % of the baseline's throughput (wall), {baseline.CpuSeconds / analysis.CpuSeconds * 100:F0} % (CPU time). Load average now: {LoadAverage()}."));
        await stdout.WriteLineAsync(string.Create(invariant, $"Peak working set while analysing (sampled every 5 ms): {peakWorkingSet / 1e6:F0} MB; process peak so far: {Process.GetCurrentProcess().PeakWorkingSet64 / 1e6:F0} MB."));
        string Line(string name, Timing timing) => string.Create(invariant,
            $"| {name} | {timing.WallSeconds:F2} | {megabytes / timing.WallSeconds:F0} | {timing.CpuSeconds:F2} | {megabytes / timing.CpuSeconds:F0} |");

        if (result?.Rejection is { } rejection)
        {
            await stdout.WriteLineAsync($"Warning: the analysis rejected the file: {rejection.Code}: {rejection.Message}");
        }

        return 0;
    }

    /// <summary>Wall-clock and CPU seconds of the calling thread: on a shared, busy machine the CPU time is the fairer throughput figure.</summary>
    private static Timing Measure(Action action)
    {
        var cpuBefore = ThreadCpuClock.Seconds();
        var stopwatch = Stopwatch.StartNew();
        action();
        stopwatch.Stop();
        return new Timing(stopwatch.Elapsed.TotalSeconds, ThreadCpuClock.Seconds() - cpuBefore);
    }

    private readonly record struct Timing(double WallSeconds, double CpuSeconds)
    {
        public static Timing Worst => new(double.PositiveInfinity, double.PositiveInfinity);

        /// <summary>Best wall and best CPU time of two rounds: interference from other processes only ever adds time.</summary>
        public Timing Best(Timing other) => new(Math.Min(WallSeconds, other.WallSeconds), Math.Min(CpuSeconds, other.CpuSeconds));
    }

    /// <summary>
    /// CPU time of the calling thread. The analysis runs synchronously on the caller, so this charges it with
    /// its own work only; process CPU time would add the working-set sampler and the runtime's background threads.
    /// </summary>
    private static class ThreadCpuClock
    {
        private const int ClockThreadCpuTimeId = 3; // Linux CLOCK_THREAD_CPUTIME_ID

        public static bool IsAvailable { get; } = OperatingSystem.IsLinux() && TryRead(out _);

        public static double Seconds()
        {
            if (IsAvailable && TryRead(out var seconds))
            {
                return seconds;
            }

            using var process = Process.GetCurrentProcess();
            return process.TotalProcessorTime.TotalSeconds;
        }

        private static bool TryRead(out double seconds)
        {
            seconds = 0;
            try
            {
                if (ClockGetTime(ClockThreadCpuTimeId, out var time) != 0)
                {
                    return false;
                }

                seconds = time.Seconds + (time.Nanoseconds * 1e-9);
                return true;
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                return false;
            }
        }

        [StructLayout(LayoutKind.Sequential)]
        private struct TimeSpec
        {
            public long Seconds;
            public long Nanoseconds;
        }

        [DllImport("libc.so.6", EntryPoint = "clock_gettime")]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        private static extern int ClockGetTime(int clockId, out TimeSpec time);
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "unknown";

    private static FileStream OpenSequential(string path) =>
        new(path, new FileStreamOptions { Mode = FileMode.Open, Access = FileAccess.Read, Options = FileOptions.SequentialScan, BufferSize = 0 });

    /// <summary>The baseline: what reading and parsing the numbers costs with nothing else done.</summary>
    private static double ParseEveryFloatColumn(string path)
    {
        using var stream = OpenSequential(path);
        using var reader = Sep.Reader(o => o with { HasHeader = true }).From(stream);
        var floatColumns = reader.Header.ColNames.Where(name => name != "timestamp").Select(reader.Header.IndexOf).ToArray();
        var sum = 0.0;
        foreach (var row in reader)
        {
            foreach (var column in floatColumns)
            {
                if (row[column].TryParse<double>(out var value))
                {
                    sum += value;
                }
            }
        }

        return sum;
    }

    private static RideReadSummary ReadIntoNothing(string path, CancellationToken cancellationToken)
    {
        using var stream = OpenSequential(path);
        return new RideFileReader().Read(stream, null, new NoOpSink(), null, cancellationToken);
    }

    private static RideAnalysis AnalyzeFile(IRideAnalyzer analyzer, string path, CancellationToken cancellationToken)
    {
        using var stream = OpenSequential(path);
        return analyzer.AnalyzeAsync(stream, null, null, cancellationToken).GetAwaiter().GetResult();
    }

    private sealed class NoOpSink : IRideSampleSink
    {
        public void Begin(RideChannels channels) { }

        public void Add(in RideSample sample) { }
    }

    /// <summary>Samples the process working set on a background thread (PeakWorkingSet64 is process-wide and never resets).</summary>
    private sealed class WorkingSetSampler : IDisposable
    {
        private readonly Thread _thread;
        private volatile bool _stopped;
        private long _peak;

        public WorkingSetSampler()
        {
            _thread = new Thread(() =>
            {
                using var process = Process.GetCurrentProcess();
                while (!_stopped)
                {
                    process.Refresh();
                    _peak = Math.Max(_peak, process.WorkingSet64);
                    Thread.Sleep(5);
                }
            }) { IsBackground = true };
            _thread.Start();
        }

        public long Stop()
        {
            _stopped = true;
            _thread.Join();
            return _peak;
        }

        public void Dispose()
        {
            if (!_stopped)
            {
                Stop();
            }
        }
    }
}
