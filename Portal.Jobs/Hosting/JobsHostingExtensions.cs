using Hangfire;
using Hangfire.InMemory;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Hangfire.Storage.SQLite;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Core.Hosting;

namespace Portal.Jobs.Hosting;

public static class JobsHostingExtensions
{
    /// <summary>How soon an idle worker sees a newly queued job (Hangfire.PostgreSql polls every 15 s by default).</summary>
    public static readonly TimeSpan QueuePollInterval = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// How often a server moves due scheduled jobs (retries after a storage or database outage) to their queue;
    /// Hangfire's 15 s default would add up to 15 s to the first retry's 10 s delay.
    /// </summary>
    public static readonly TimeSpan SchedulePollingInterval = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Hangfire storage (SQLite | PostgreSql | InMemory) and, when Hangfire:Server:Enabled, a server with its queues;
    /// jobs are resolved from DI. Also registers the "hangfire" health check and <see cref="TimeProvider.System"/>.
    /// </summary>
    public static IHostApplicationBuilder AddPortalJobs(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddEmbeddedOptions();
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<HangfireOptions>()
            .BindConfiguration(HangfireOptions.Section)
            .Configure<IConfiguration>((options, configuration) =>
                options.ConnectionString = configuration.GetConnectionString(HangfireOptions.ConnectionStringName)
                    ?? (options.Storage == HangfireStorageKind.PostgreSql ? configuration.GetConnectionString(DatabaseOptions.ConnectionStringName) : null))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<HangfireOptions>, HangfireOptionsValidator>());
        services.AddHostedService<ConnectionBudgetCheck>();

        services.AddHangfire((provider, configuration) => configuration
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UseLogProvider(new HostBoundHangfireLogProvider(provider.GetRequiredService<ILoggerFactory>()))
            .UseStorage(provider.GetRequiredService<JobStorage>()));

        // Our own singleton rather than Hangfire's JobStorage.Current: several hosts in one process
        // (the tests) each keep their own storage.
        services.Replace(ServiceDescriptor.Singleton<JobStorage>(provider => CreateStorage(
            provider.GetRequiredService<IOptions<HangfireOptions>>().Value,
            provider.GetRequiredService<IOptions<EmbeddedOptions>>().Value)));

        // Whether this process processes jobs at all is decided when the host is composed.
        if (builder.ProcessesJobs())
        {
            services.AddHangfireServer((provider, server) =>
            {
                var options = provider.GetRequiredService<IOptions<HangfireOptions>>().Value.Server;
                server.WorkerCount = options.EffectiveWorkers;
                server.Queues = options.EffectiveQueues;
                server.ShutdownTimeout = TimeSpan.FromSeconds(10);
                server.SchedulePollingInterval = SchedulePollingInterval;
            });
        }

        services.AddHealthChecks().AddCheck<HangfireStorageHealthCheck>("hangfire", tags: ["ready"]);
        return builder;
    }

    /// <summary>Whether this process runs a Hangfire server (decided when the host is composed).</summary>
    internal static bool ProcessesJobs(this IHostApplicationBuilder builder) => builder.ServerSetting(nameof(HangfireServerOptions.Enabled));

    /// <summary>Whether this process warms its analyzer up at start (only where it runs jobs).</summary>
    internal static bool WarmsUpAnalyzer(this IHostApplicationBuilder builder) =>
        builder.ProcessesJobs() && builder.ServerSetting(nameof(HangfireServerOptions.WarmUp));

    private static bool ServerSetting(this IHostApplicationBuilder builder, string name) =>
        builder.Configuration.GetValue($"{HangfireOptions.Section}:Server:{name}", defaultValue: true);

    internal static JobStorage CreateStorage(HangfireOptions options, EmbeddedOptions embedded) => options.Storage switch
    {
        HangfireStorageKind.Sqlite => new SQLiteStorage(SqliteDatabasePath(options, embedded), new SQLiteStorageOptions
        {
            QueuePollInterval = QueuePollInterval,
        }),
        HangfireStorageKind.PostgreSql => CreatePostgreSqlStorage(
            PortalDatabase.WithPoolBudget(options.ConnectionString!, options.MaxPoolSize, timeoutSeconds: 30),
            TimeSpan.FromSeconds(options.InvisibilityTimeoutSeconds)),
        HangfireStorageKind.InMemory => new InMemoryStorage(new InMemoryStorageOptions()),
        _ => throw new InvalidOperationException($"Hangfire:Storage '{options.Storage}' is not supported."),
    };

    private static PostgreSqlStorage CreatePostgreSqlStorage(string connectionString, TimeSpan invisibilityTimeout)
    {
        var storageOptions = new PostgreSqlStorageOptions
        {
            QueuePollInterval = QueuePollInterval,
            // A crashed worker's job is taken by another worker after this long; a live worker keeps extending it.
            InvisibilityTimeout = invisibilityTimeout,
            UseSlidingInvisibilityTimeout = true,
            PrepareSchemaIfNecessary = true,
        };
        return new PostgreSqlStorage(new NpgsqlConnectionFactory(connectionString, storageOptions), storageOptions);
    }

    private static string SqliteDatabasePath(HangfireOptions options, EmbeddedOptions embedded)
    {
        var path = options.ConnectionString switch
        {
            null or "" => Path.Combine(embedded.EnsureDataDir(), "hangfire.db"),
            var value when value.Contains('=', StringComparison.Ordinal) => new SqliteConnectionStringBuilder(value).DataSource,
            var value => value,
        };
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        return full;
    }
}

/// <summary>Asks the storage's monitoring API for its statistics: proves the storage answers queries.</summary>
internal sealed class HangfireStorageHealthCheck(JobStorage storage) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var statistics = await Task.Run(() => storage.GetMonitoringApi().GetStatistics(), cancellationToken);
            return HealthCheckResult.Healthy(
                $"{storage.GetType().Name}: {statistics.Servers} server(s), {statistics.Enqueued} enqueued, {statistics.Processing} processing.",
                new Dictionary<string, object>
                {
                    ["servers"] = statistics.Servers,
                    ["enqueued"] = statistics.Enqueued,
                    ["processing"] = statistics.Processing,
                    ["failed"] = statistics.Failed,
                });
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("The Hangfire storage cannot be queried.", exception);
        }
    }
}
