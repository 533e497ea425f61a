using Microsoft.Extensions.Options;

namespace Portal.Core.Hosting;

public enum DatabaseProvider
{
    Sqlite,
    PostgreSql,
}

/// <summary>Database:Provider with ConnectionStrings:Portal: one database holds the catalog and the portal's accounts.</summary>
public sealed class DatabaseOptions
{
    public const string Section = "Database";
    public const string ConnectionStringName = "Portal";

    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>ConnectionStrings:Portal; for SQLite it defaults to <c>{Embedded:DataDir}/portal.db</c>.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// PostgreSQL: most connections this process opens for the catalog and accounts (Npgsql's Maximum Pool Size,
    /// overriding the connection string's). All processes' pools together must stay under the server's
    /// max_connections (docs/scale-out.md, "Connection budgets"); requests beyond it wait for a free connection.
    /// </summary>
    public int MaxPoolSize { get; set; } = 30;

    /// <summary>PostgreSQL: how long a request waits for a free pooled connection before it is answered 503.</summary>
    public int PoolTimeoutSeconds { get; set; } = 15;
}

internal sealed class DatabaseOptionsValidator : IValidateOptions<DatabaseOptions>
{
    public ValidateOptionsResult Validate(string? name, DatabaseOptions options)
    {
        var failures = new List<string>();
        if (!Enum.IsDefined(options.Provider))
        {
            failures.Add($"Database:Provider must be Sqlite or PostgreSql (was '{options.Provider}').");
        }
        else if (options.Provider == DatabaseProvider.PostgreSql && string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            failures.Add("ConnectionStrings:Portal is required when Database:Provider is PostgreSql.");
        }
        else if (!string.IsNullOrWhiteSpace(options.ConnectionString) && !LooksLikeConnectionString(options.ConnectionString))
        {
            failures.Add("ConnectionStrings:Portal is not a connection string (expected key=value pairs such as 'Host=...;Database=...').");
        }

        if (options.MaxPoolSize is < 1 or > 1000)
        {
            failures.Add($"Database:MaxPoolSize must be between 1 and 1000 (was {options.MaxPoolSize}).");
        }

        if (options.PoolTimeoutSeconds is < 1 or > 300)
        {
            failures.Add($"Database:PoolTimeoutSeconds must be between 1 and 300 (was {options.PoolTimeoutSeconds}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool LooksLikeConnectionString(string value)
    {
        try
        {
            var builder = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = value };
            return builder.Count > 0;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
