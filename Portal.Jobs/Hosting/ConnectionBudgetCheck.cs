using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Portal.Core.Hosting;

namespace Portal.Jobs.Hosting;

/// <summary>
/// At start, asks PostgreSQL how many connections it takes (max_connections − superuser_reserved_connections) and
/// refuses to start when this one process's pools (Database:MaxPoolSize + Hangfire:MaxPoolSize) could take more:
/// such a process would meet "53300 too many clients" under load. The sum over all processes cannot be seen from
/// one of them (docs/scale-out.md, "Connection budgets"). A database that cannot be reached is left to the
/// health checks.
/// </summary>
internal sealed partial class ConnectionBudgetCheck(
    IServiceProvider services,
    IOptions<HangfireOptions> hangfireOptions,
    ILogger<ConnectionBudgetCheck> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // A jobs-only host (Hangfire without the catalog) has no PortalDatabase: only Hangfire's pool counts then.
        var database = services.GetService<PortalDatabase>();
        var databaseOptions = services.GetService<IOptions<DatabaseOptions>>();
        var hangfire = hangfireOptions.Value;
        var usesPostgres = database?.Provider == DatabaseProvider.PostgreSql && databaseOptions is not null;
        var hangfireOnPostgres = hangfire.Storage == HangfireStorageKind.PostgreSql;
        if (!usesPostgres && !hangfireOnPostgres)
        {
            return;
        }

        var budget = (usesPostgres ? databaseOptions!.Value.MaxPoolSize : 0) + (hangfireOnPostgres ? hangfire.MaxPoolSize : 0);
        int available;
        try
        {
            var connectionString = usesPostgres ? database!.ConnectionString : hangfire.ConnectionString!;
            await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, Timeout = 5 }.ToString());
            await connection.OpenAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT current_setting('max_connections')::int - current_setting('superuser_reserved_connections')::int";
            available = Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception exception) when (exception is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            LogNotChecked(logger, exception.Message);
            return;
        }

        if (budget > available)
        {
            throw new InvalidOperationException(
                $"Database:MaxPoolSize ({(usesPostgres ? databaseOptions!.Value.MaxPoolSize : 0)}) + Hangfire:MaxPoolSize ({(hangfireOnPostgres ? hangfire.MaxPoolSize : 0)}) = {budget} "
                + $"connections for this process alone, but the PostgreSQL server takes only {available} (max_connections − superuser_reserved_connections). "
                + "Lower the pool sizes or raise max_connections (docs/scale-out.md, \"Connection budgets\").");
        }

        LogBudget(logger, budget, available);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "PostgreSQL connection budget of this process: {Budget} of the server's {Available}; all processes together must stay below it")]
    private static partial void LogBudget(ILogger logger, int budget, int available);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The PostgreSQL connection budget was not checked at start: {Reason}")]
    private static partial void LogNotChecked(ILogger logger, string reason);
}
