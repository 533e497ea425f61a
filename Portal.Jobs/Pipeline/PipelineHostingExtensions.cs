using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Portal.Core.Rides;
using Portal.Jobs.Hosting;

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
        if (builder.WarmsUpAnalyzer())
        {
            services.TryAddSingleton<AnalyzerWarmUp>();
            services.AddHostedService(provider => provider.GetRequiredService<AnalyzerWarmUp>());
            services.AddHealthChecks().AddCheck<AnalyzerWarmUpHealthCheck>(AnalyzerWarmUpHealthCheck.Name, tags: ["ready"]);
        }

        return builder;
    }
}

/// <summary>
/// Registers the recurring retention, upload clean-up and orphan sweep jobs at start-up, only where Hangfire is
/// configured (its storage is needed to store them); every process may do it, it is idempotent. A registration that
/// fails (a process killed while it held a recurring job's lock leaves that lock for Hangfire's lock timeout, up to
/// 10 minutes on PostgreSQL) does not stop the host: it is tried again every <see cref="RetryInterval"/> until it
/// succeeds or the host stops.
/// </summary>
internal sealed class PipelineRecurringJobs(
    IServiceProvider services, IHostApplicationLifetime lifetime, TimeProvider time, ILogger<PipelineRecurringJobs> logger) : IHostedService
{
    private Task retries = Task.CompletedTask;

    internal static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(30);

    /// <summary>Completes when the jobs are registered (or the host stops first); for tests.</summary>
    internal Task Registered => retries;

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

        if (!TryRegister(manager))
        {
            retries = RetryAsync(manager, lifetime.ApplicationStopping);
        }

        return Task.CompletedTask;
    }

    private async Task RetryAsync(IRecurringJobManager manager, CancellationToken cancellationToken)
    {
        try
        {
            do
            {
                await Task.Delay(RetryInterval, time, cancellationToken);
            }
            while (!TryRegister(manager));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private bool TryRegister(IRecurringJobManager manager)
    {
        try
        {
            var utc = new RecurringJobOptions { TimeZone = TimeZoneInfo.Utc };
            manager.AddOrUpdate<RetentionJob>(PipelineHostingExtensions.RetentionJobId, PipelineQueues.Maintenance, job => job.RunAsync(CancellationToken.None), Cron.Daily(3), utc);
            manager.AddOrUpdate<UploadSessionCleanupJob>(PipelineHostingExtensions.UploadCleanupJobId, PipelineQueues.Maintenance, job => job.RunAsync(CancellationToken.None), Cron.Hourly(17), utc);
            manager.AddOrUpdate<OrphanRawSweepJob>(PipelineHostingExtensions.OrphanSweepJobId, PipelineQueues.Maintenance, job => job.RunAsync(CancellationToken.None), Cron.Hourly(41), utc);
            logger.LogInformation("Recurring pipeline jobs registered: {Retention} daily, {Cleanup} and {Sweep} hourly",
                PipelineHostingExtensions.RetentionJobId, PipelineHostingExtensions.UploadCleanupJobId, PipelineHostingExtensions.OrphanSweepJobId);
            return true;
        }
        catch (Exception failure) when (failure is not OperationCanceledException)
        {
            // Typically a distributed lock still held by a killed process, or the database away for a moment.
            logger.LogWarning(failure, "Recurring pipeline jobs not registered yet; trying again in {Interval}", RetryInterval);
            return false;
        }
    }

    /// <summary>The retries end when the host starts stopping (ApplicationStopping fires before this is called).</summary>
    public Task StopAsync(CancellationToken cancellationToken) => retries.WaitAsync(cancellationToken);
}
