using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Portal.Core.Analytics;
using Portal.Jobs.Pipeline;

namespace Portal.Tests.Pipeline;

/// <summary>
/// A process that runs analysis jobs analyses a simulated ride at start (so its first real ride runs on optimised
/// code) and reports ready only after that; a process that runs no jobs does neither.
/// </summary>
[Trait("Category", "Pipeline")]
public sealed class AnalyzerWarmUpTests
{
    [Fact]
    public async Task JobsHost_AnalysesASimulatedRide_AtStart_AndIsReadyOnlyAfterwards()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var analyzer = new RecordingAnalyzer(new RideAnalyzer(), gate.Task);
        using var host = BuildJobsHost(analyzer, ("Hangfire:Server:Enabled", "true"));

        await host.StartAsync();
        try
        {
            var health = host.Services.GetRequiredService<HealthCheckService>();
            Assert.Equal(HealthStatus.Unhealthy, (await health.CheckHealthAsync(c => c.Name == AnalyzerWarmUpHealthCheck.Name)).Status);

            gate.SetResult();
            await host.Services.GetRequiredService<AnalyzerWarmUp>().ExecuteTask!.WaitAsync(TimeSpan.FromSeconds(60));

            Assert.Equal(AnalyzerWarmUp.Runs, analyzer.Analyses.Count);
            Assert.All(analyzer.Analyses, analysis =>
            {
                Assert.Null(analysis.Rejection);
                Assert.True(analysis.Metrics!.DurationS > 30, $"the warm-up ride lasted only {analysis.Metrics.DurationS} s");
            });
            Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync(c => c.Name == AnalyzerWarmUpHealthCheck.Name)).Status);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task JobsHost_BecomesReady_EvenWhenTheWarmUpFails()
    {
        using var host = BuildJobsHost(new FailingAnalyzer(), ("Hangfire:Server:Enabled", "true"));

        await host.StartAsync();
        try
        {
            await host.Services.GetRequiredService<AnalyzerWarmUp>().ExecuteTask!.WaitAsync(TimeSpan.FromSeconds(60));

            var health = host.Services.GetRequiredService<HealthCheckService>();
            Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync(c => c.Name == AnalyzerWarmUpHealthCheck.Name)).Status);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Theory]
    [InlineData("Hangfire:Server:Enabled")]
    [InlineData("Hangfire:Server:WarmUp")]
    public void Host_HasNoWarmUp_WhenTurnedOff(string key)
    {
        using var host = BuildJobsHost(new FailingAnalyzer(), (key, "false"));

        Assert.Null(host.Services.GetService<AnalyzerWarmUp>());
        Assert.DoesNotContain(host.Services.GetServices<IHostedService>(), service => service is AnalyzerWarmUp);
    }

    private static IHost BuildJobsHost(IRideAnalyzer analyzer, params (string Key, string Value)[] settings) =>
        JobsTestHost.Build(
            services => services.AddSingleton(analyzer),
            // One worker on a queue nothing is ever put on: this host's server takes no job.
            [("Hangfire:Server:Workers", "1"), ("Hangfire:Server:Queues:0", "warm-up-test-idle"), .. settings]);

    private sealed class RecordingAnalyzer(IRideAnalyzer inner, Task gate) : IRideAnalyzer
    {
        public List<RideAnalysis> Analyses { get; } = [];

        public async Task<RideAnalysis> AnalyzeAsync(Stream rideFile, DeviceProfile? profile, IProgress<int>? progress, CancellationToken cancellationToken)
        {
            await gate;
            var analysis = await inner.AnalyzeAsync(rideFile, profile, progress, cancellationToken);
            lock (Analyses)
            {
                Analyses.Add(analysis);
            }

            return analysis;
        }
    }

    private sealed class FailingAnalyzer : IRideAnalyzer
    {
        public Task<RideAnalysis> AnalyzeAsync(Stream rideFile, DeviceProfile? profile, IProgress<int>? progress, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("The analyzer is broken.");
    }
}
