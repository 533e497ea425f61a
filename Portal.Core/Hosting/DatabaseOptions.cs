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
