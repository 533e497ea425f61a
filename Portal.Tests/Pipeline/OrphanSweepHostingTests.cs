using Hangfire;
using Hangfire.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Portal.Jobs.Pipeline;

namespace Portal.Tests.Pipeline;

/// <summary>How the hosts register the orphan sweep: a recurring Hangfire job, and a checked grace period.</summary>
[Trait("Category", "Pipeline")]
public sealed class OrphanSweepHostingTests
{
    private static IHost BuildJobsHost(params (string Key, string Value)[] settings) => JobsTestHost.Build(configure: null, settings);

    [Fact]
    public async Task JobsHost_RegistersTheOrphanSweep_AsAnHourlyRecurringJobOnTheMaintenanceQueue()
    {
        using var host = BuildJobsHost();

        await host.StartAsync();
        try
        {
            using var connection = host.Services.GetRequiredService<JobStorage>().GetConnection();
            var sweep = Assert.Single(connection.GetRecurringJobs([PipelineHostingExtensions.OrphanSweepJobId]), j => !j.Removed);
            Assert.Equal(typeof(OrphanRawSweepJob), sweep.Job.Type);
            Assert.Equal(nameof(OrphanRawSweepJob.RunAsync), sweep.Job.Method.Name);
            Assert.Equal(PipelineQueues.Maintenance, sweep.Job.Queue);
            Assert.Equal(Cron.Hourly(41), sweep.Cron);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task JobsHost_WithAnOrphanGraceBelowTenMinutes_DoesNotStart_AndNamesTheKey()
    {
        using var host = BuildJobsHost(("Uploads:OrphanGraceMinutes", "5"));

        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("Uploads:OrphanGraceMinutes", failure.Message, StringComparison.Ordinal);
    }
}
