using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Portal.Core.Catalog;

namespace Portal.Core.Hosting;

public static class CatalogHostingExtensions
{
    /// <summary>The catalog's own migrations history, apart from the accounts' in the same database.</summary>
    public const string MigrationsHistoryTable = "__CatalogMigrations";

    /// <summary>
    /// Registers the catalog DbContext on SQLite (embedded) or PostgreSQL (Database:Provider):
    /// <see cref="CatalogDbContext"/> per scope and <see cref="IDbContextFactory{CatalogDbContext}"/> for jobs,
    /// plus the "database" health check.
    /// </summary>
    public static IHostApplicationBuilder AddCatalog(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddPortalDatabase();

        var migrationsAssembly = typeof(CatalogDbContext).Assembly.GetName().Name!;
        services.AddDbContextFactory<SqliteCatalogDbContext>((provider, options) => ConfigureCatalog(provider, options, migrationsAssembly));
        services.AddDbContextFactory<PostgresCatalogDbContext>((provider, options) => ConfigureCatalog(provider, options, migrationsAssembly));
        services.AddSingleton<IDbContextFactory<CatalogDbContext>, CatalogDbContextFactory>();
        services.AddScoped(provider => provider.GetRequiredService<IDbContextFactory<CatalogDbContext>>().CreateDbContext());

        services.AddHealthChecks().AddCheck<CatalogHealthCheck>("database", tags: ["ready"]);

        services.TryAddSingleton<CatalogWrites>();
        services.TryAddSingleton<CatalogWatermark>();
        services.AddOptions<ReadCacheOptions>().BindConfiguration(ReadCacheOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ReadCacheOptions>, ReadCacheOptionsValidator>());
        return builder;
    }

    private static void ConfigureCatalog(IServiceProvider provider, DbContextOptionsBuilder options, string migrationsAssembly)
    {
        provider.GetRequiredService<PortalDatabase>().Configure(options, migrationsAssembly, MigrationsHistoryTable);
        var writes = provider.GetRequiredService<CatalogWrites>();
        options.AddInterceptors(new CatalogWriteInterceptor(writes), new CatalogCommitInterceptor(writes));
    }

    /// <summary>Creates the embedded data folder if needed and applies the catalog's pending migrations.</summary>
    public static async Task MigrateCatalogAsync(this IServiceProvider services, CancellationToken cancellationToken)
    {
        await services.GetRequiredService<PortalDatabase>().PrepareAsync(cancellationToken);
        await using var catalog = await services.GetRequiredService<IDbContextFactory<CatalogDbContext>>().CreateDbContextAsync(cancellationToken);
        await catalog.Database.MigrateAsync(cancellationToken);
    }
}

/// <summary>Hands out the provider-specific context as the shared <see cref="CatalogDbContext"/>.</summary>
internal sealed class CatalogDbContextFactory(
    PortalDatabase database,
    IDbContextFactory<SqliteCatalogDbContext> sqlite,
    IDbContextFactory<PostgresCatalogDbContext> postgres) : IDbContextFactory<CatalogDbContext>
{
    public CatalogDbContext CreateDbContext() => database.Provider switch
    {
        DatabaseProvider.Sqlite => sqlite.CreateDbContext(),
        DatabaseProvider.PostgreSql => postgres.CreateDbContext(),
        _ => throw new InvalidOperationException($"Database:Provider '{database.Provider}' is not supported."),
    };
}

internal sealed class CatalogHealthCheck(IDbContextFactory<CatalogDbContext> factory) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var catalog = await factory.CreateDbContextAsync(cancellationToken);
            var pending = (await catalog.Database.GetPendingMigrationsAsync(cancellationToken)).Count();
            return pending == 0
                ? HealthCheckResult.Healthy($"Catalog on {catalog.Database.ProviderName}.")
                : HealthCheckResult.Unhealthy($"{pending} catalog migration(s) not applied.");
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("The catalog database cannot be reached.", exception);
        }
    }
}
