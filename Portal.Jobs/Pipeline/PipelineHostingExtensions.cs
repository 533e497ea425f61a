using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Portal.Core.Rides;

namespace Portal.Jobs.Pipeline;

public static class PipelineHostingExtensions
{
    public const string RetentionJobId = "ride-raw-retention";
    public const string UploadCleanupJobId = "upload-session-cleanup";
    public const string OrphanSweepJobId = "raw-orphan-sweep";

    /// <summary>The ride pipeline's jobs (analysis, crash handling, retention, upload clean-up, orphan sweep) and the services they use.</summary>
    public static IHostApplicationBuilder AddRidePipeline(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<UploadOptions>().BindConfiguration(UploadOptions.Section).ValidateOnStart();
        services.AddOptions<RetentionOptions>().BindConfiguration(RetentionOptions.Section).ValidateOnStart();
        services.AddRideIntake();
        services.TryAddScoped<IRideJobScheduler, HangfireRideJobScheduler>();
        services.TryAddScoped<AnalyzeRideJob>();
        services.TryAddScoped<HandleCrashJob>();
        services.TryAddScoped<RetentionJob>();
        services.TryAddScoped<UploadSessionCleanupJob>();
        services.TryAddScoped<OrphanRawSweepJob>();
        services.AddHostedService<PipelineRecurringJobs>();
        return builder;
    }
}

/// <summary>
/// Registers the recurring retention, upload clean-up and orphan sweep jobs at start-up, only where Hangfire is
/// configured (its storage is needed to store them); every process may do it, it is idempotent.
/// </summary>
internal sealed class PipelineRecurringJobs(IServiceProvider services, ILogger<PipelineRecurringJobs> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        IRecurringJobManager? manager;
        try
        {
            manager = services.GetService<JobStorage>() is null ? null : services.GetService<IRecurringJobManager>();
        }
        catch (InvalidOperationException notConfigured)
        {
            // AddHangfire without a storage: JobStorage.Current throws.
            logger.LogDebug(notConfigured, "Hangfire storage is not configured");
            manager = null;
        }

        if (manager is null)
        {
            logger.LogInformation("Hangfire is not configured here: the recurring pipeline jobs are not registered by this process");
            return Task.CompletedTask;
        }

        var utc = new RecurringJobOptions { TimeZone = TimeZoneInfo.Utc };
        manager.AddOrUpdate<RetentionJob>(PipelineHostingExtensions.RetentionJobId, PipelineQueues.Maintenance, job => job.RunAsync(CancellationToken.None), Cron.Daily(3), utc);
        manager.AddOrUpdate<UploadSessionCleanupJob>(PipelineHostingExtensions.UploadCleanupJobId, PipelineQueues.Maintenance, job => job.RunAsync(CancellationToken.None), Cron.Hourly(17), utc);
        manager.AddOrUpdate<OrphanRawSweepJob>(PipelineHostingExtensions.OrphanSweepJobId, PipelineQueues.Maintenance, job => job.RunAsync(CancellationToken.None), Cron.Hourly(41), utc);
        logger.LogInformation("Recurring pipeline jobs registered: {Retention} daily, {Cleanup} and {Sweep} hourly",
            PipelineHostingExtensions.RetentionJobId, PipelineHostingExtensions.UploadCleanupJobId, PipelineHostingExtensions.OrphanSweepJobId);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
