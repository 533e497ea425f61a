using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Portal.Core.Hosting;

/// <summary>
/// The one database the portal and its workers share (catalog and accounts): which provider and which
/// connection string, with the embedded default resolved. Each DbContext keeps its own migrations history table.
/// </summary>
public sealed class PortalDatabase(IOptions<DatabaseOptions> database, IOptions<EmbeddedOptions> embedded)
{
    public DatabaseProvider Provider => database.Value.Provider;

    public string ConnectionString =>
        database.Value.ConnectionString is { Length: > 0 } configured
            ? Provider == DatabaseProvider.PostgreSql ? WithPoolBudget(configured, database.Value.MaxPoolSize, database.Value.PoolTimeoutSeconds) : configured
            : DefaultSqliteConnectionString(embedded.Value);

    /// <summary>The PostgreSQL connection string with this process's pool budget: at most <paramref name="maxPoolSize"/> connections, waiting up to <paramref name="timeoutSeconds"/> for one.</summary>
    public static string WithPoolBudget(string connectionString, int maxPoolSize, int timeoutSeconds) =>
        new Npgsql.NpgsqlConnectionStringBuilder(connectionString)
        {
            MaxPoolSize = maxPoolSize,
            MinPoolSize = 0,
            Timeout = timeoutSeconds,
        }.ToString();

    /// <summary>Points <paramref name="options"/> at this database, with migrations from <paramref name="migrationsAssembly"/>.</summary>
    public void Configure(DbContextOptionsBuilder options, string migrationsAssembly, string historyTable)
    {
        switch (Provider)
        {
            case DatabaseProvider.Sqlite:
                options.UseSqlite(ConnectionString, sqlite => sqlite.MigrationsAssembly(migrationsAssembly).MigrationsHistoryTable(historyTable));
                break;
            case DatabaseProvider.PostgreSql:
                options.UseNpgsql(ConnectionString, npgsql => npgsql.MigrationsAssembly(migrationsAssembly).MigrationsHistoryTable(historyTable));
                break;
            default:
                throw new InvalidOperationException($"Database:Provider '{Provider}' is not supported.");
        }
    }

    /// <summary>Run once before migrating: the SQLite file's folder must exist, and WAL lets the portal and a worker share it.</summary>
    public async Task PrepareAsync(CancellationToken cancellationToken)
    {
        if (Provider != DatabaseProvider.Sqlite)
        {
            return;
        }

        var builder = new SqliteConnectionStringBuilder(ConnectionString);
        if (!string.IsNullOrEmpty(builder.DataSource) && builder.DataSource != ":memory:")
        {
            var folder = Path.GetDirectoryName(Path.GetFullPath(builder.DataSource));
            if (folder is not null)
            {
                Directory.CreateDirectory(folder);
            }
        }

        await using var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode=WAL;";
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public static string DefaultSqliteConnectionString(EmbeddedOptions embedded) =>
        new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(Path.GetFullPath(embedded.DataDir), "portal.db"),
            // Waits (rather than failing) while another connection holds the write lock.
            DefaultTimeout = 30,
        }.ToString();
}

public static class PortalDatabaseExtensions
{
    /// <summary>Database:Provider and ConnectionStrings:Portal, bound and validated once.</summary>
    public static IServiceCollection AddPortalDatabase(this IServiceCollection services)
    {
        if (services.Any(d => d.ServiceType == typeof(PortalDatabase)))
        {
            return services;
        }

        services.AddEmbeddedOptions();
        services.AddOptions<DatabaseOptions>()
            .BindConfiguration(DatabaseOptions.Section)
            .Configure<IConfiguration>((options, configuration) =>
                options.ConnectionString = configuration.GetConnectionString(DatabaseOptions.ConnectionStringName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DatabaseOptions>, DatabaseOptionsValidator>());
        services.AddSingleton<PortalDatabase>();
        return services;
    }
}
