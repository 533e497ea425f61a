using System.Diagnostics;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Portal.Core.Analytics;
using Portal.Core.Simulation;

namespace Portal.Jobs.Pipeline;

/// <summary>
/// Analyses a small simulated ride a few times when a process that runs analysis jobs starts, so the engine's hot
/// loops are compiled at the JIT's optimising tier before the first real ride arrives. Without it the first ride a
/// fresh portal or worker analyses runs largely on unoptimised code: a 50 MB ride took 1.7–2.1 s from upload to
/// metrics there, against 0.4–0.5 s for the next one (docs/pipeline.md, "First ride after a start"). Never fails
/// the host: a failed warm-up only costs that speed.
/// </summary>
internal sealed class AnalyzerWarmUp(IRideAnalyzer analyzer, ILogger<AnalyzerWarmUp> logger) : BackgroundService
{
    /// <summary>Enough samples per run for the loops to be counted hot; a 5 MB ride is about 0.03 s of analysis.</summary>
    internal const int RideBytes = 5_000_000;

    /// <summary>Runs, with a pause between them: tier-up compiles in the background after calls are counted.</summary>
    internal const int Runs = 4;

    private static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(150);

    /// <summary>Whether the warm-up has finished or given up: it never throws, so its task completing says so.</summary>
    public bool IsDone => ExecuteTask is { IsCompleted: true };

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            var clock = Stopwatch.StartNew();
            var ride = await SimulatedRideAsync(stoppingToken);
            for (var run = 0; run < Runs; run++)
            {
                using var stream = new MemoryStream(ride, writable: false);
                var analysis = await analyzer.AnalyzeAsync(stream, profile: null, progress: null, stoppingToken);
                if (analysis.Rejection is { } rejection)
                {
                    logger.LogWarning("Analyzer warm-up stopped: the simulated ride was rejected ({Code}: {Message})", rejection.Code, rejection.Message);
                    return;
                }

                await Task.Delay(Pause, stoppingToken);
            }

            logger.LogInformation("Analyzer warmed up: {Runs} runs of a {Megabytes:F0} MB simulated ride in {Seconds:F2} s",
                Runs, ride.Length / 1e6, clock.Elapsed.TotalSeconds);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception failure)
        {
            logger.LogWarning(failure, "Analyzer warm-up failed; the first ride will be analysed more slowly");
        }
    }

    private static async Task<byte[]> SimulatedRideAsync(CancellationToken cancellationToken)
    {
        const double Rate = 100;
        using var buffer = new MemoryStream(RideBytes + (64 * 1024));
        await SimulatedRideCsvWriter.WriteAsync(buffer,
            new SimulationOptions { Scenario = RideScenario.Country, DurationSeconds = RideBytes / 80.0 / Rate, RateHz = Rate, Seed = 1 },
            gzip: false, maxContentBytes: RideBytes, cancellationToken);
        return buffer.ToArray();
    }
}

/// <summary>Ready once the warm-up has run: an orchestrator (or the load command) sends work to a process whose analyzer is optimised.</summary>
internal sealed class AnalyzerWarmUpHealthCheck(AnalyzerWarmUp warmUp) : IHealthCheck
{
    public const string Name = "analyzer-warm-up";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(warmUp.IsDone
            ? HealthCheckResult.Healthy("The analyzer has been warmed up.")
            : HealthCheckResult.Unhealthy("Warming up the analyzer (a few seconds after start)."));
}
