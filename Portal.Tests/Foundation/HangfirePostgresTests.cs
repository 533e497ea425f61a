using System.Collections.Concurrent;
using Hangfire;
using Hangfire.States;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Portal.Jobs.Hosting;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Foundation;

/// <summary>Hangfire on the real PostgreSQL, composed by AddPortalJobs exactly as the portal and workers are.</summary>
[Trait("Category", "Foundation")]
public sealed class HangfirePostgresTests
{
    /// <summary>Guards against a hang only; a healthy run takes well under a second per job.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private static IHost JobsHost(string connectionString, bool serverEnabled)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Embedded:DataDir"] = Path.Combine(Path.GetTempPath(), "portal-tests", Guid.NewGuid().ToString("N")),
            ["Hangfire:Storage"] = "PostgreSql",
            ["ConnectionStrings:Hangfire"] = connectionString,
            ["Hangfire:Server:Enabled"] = serverEnabled ? "true" : "false",
            ["Hangfire:Server:Workers"] = "2",
        });
        builder.AddPortalJobs();
        builder.Services.AddTransient<ProbeJob>();
        return builder.Build();
    }

    [Fact]
    public async Task EnqueuedJob_IsExecutedByTheServer()
    {
        var connectionString = await TestServices.CreatePostgresDatabaseAsync("hangfire_run");
        using var host = JobsHost(connectionString, serverEnabled: true);
        await host.StartAsync();

        var probe = Guid.NewGuid();
        var jobId = host.Services.GetRequiredService<IBackgroundJobClient>().Enqueue<ProbeJob>(job => job.Run(probe, "hello"));

        Assert.Equal("hello", await ProbeJob.Completion(probe).WaitAsync(Patience));
        await WaitForStateAsync(host.Services.GetRequiredService<JobStorage>(), jobId, SucceededState.StateName);
        await host.StopAsync();
    }

    [Fact]
    public async Task JobEnqueuedWithoutServer_SurvivesRestart_AndRunsWhenAServerStarts()
    {
        var connectionString = await TestServices.CreatePostgresDatabaseAsync("hangfire_restart");
        var probe = Guid.NewGuid();
        string jobId;
        using (var portalWithoutServer = JobsHost(connectionString, serverEnabled: false))
        {
            await portalWithoutServer.StartAsync();
            jobId = portalWithoutServer.Services.GetRequiredService<IBackgroundJobClient>().Enqueue<ProbeJob>(job => job.Run(probe, "after restart"));
            var state = portalWithoutServer.Services.GetRequiredService<JobStorage>().GetConnection().GetStateData(jobId);
            Assert.Equal(EnqueuedState.StateName, state.Name);
            await portalWithoutServer.StopAsync();
        }

        Assert.False(ProbeJob.Completion(probe).IsCompleted);

        using var worker = JobsHost(connectionString, serverEnabled: true);
        await worker.StartAsync();
        Assert.Equal("after restart", await ProbeJob.Completion(probe).WaitAsync(Patience));
        await WaitForStateAsync(worker.Services.GetRequiredService<JobStorage>(), jobId, SucceededState.StateName);
        await worker.StopAsync();
    }

    /// <summary>The job's state is written just after it returns; wait for that write, not a fixed time.</summary>
    private static async Task WaitForStateAsync(JobStorage storage, string jobId, string expected)
    {
        using var timeout = new CancellationTokenSource(Patience);
        string? state = null;
        while (!timeout.IsCancellationRequested)
        {
            using var connection = storage.GetConnection();
            state = connection.GetStateData(jobId)?.Name;
            if (state == expected)
            {
                return;
            }

            await Task.Delay(50);
        }

        Assert.Fail($"Job {jobId} stayed in state {state}, expected {expected}.");
    }

    /// <summary>A DI job: completes the probe it names, so the test sees it ran (and with which argument).</summary>
    public sealed class ProbeJob
    {
        private static readonly ConcurrentDictionary<Guid, TaskCompletionSource<string>> Probes = new();

        public static Task<string> Completion(Guid probe) =>
            Probes.GetOrAdd(probe, _ => new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

        public void Run(Guid probe, string message) =>
            Probes.GetOrAdd(probe, _ => new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult(message);
    }
}
