using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Portal.Jobs.Hosting;

public enum HangfireStorageKind
{
    Sqlite,
    PostgreSql,

    /// <summary>Tests only: nothing survives a restart.</summary>
    InMemory,
}

/// <summary>Hangfire:Storage with ConnectionStrings:Hangfire, and Hangfire:Server:* for the processing server.</summary>
public sealed class HangfireOptions
{
    public const string Section = "Hangfire";
    public const string ConnectionStringName = "Hangfire";

    public HangfireStorageKind Storage { get; set; } = HangfireStorageKind.Sqlite;

    /// <summary>
    /// ConnectionStrings:Hangfire, else ConnectionStrings:Portal for PostgreSQL; for SQLite a file path or
    /// "Data Source=..." defaulting to <c>{Embedded:DataDir}/hangfire.db</c>.
    /// </summary>
    public string? ConnectionString { get; set; }

    public HangfireServerOptions Server { get; set; } = new();

    /// <summary>
    /// PostgreSQL: how long a job fetched by a worker that died (SIGKILL, lost machine) stays invisible before
    /// another worker takes it. Live workers keep extending it (sliding, every fifth of it), so long jobs are safe;
    /// short, so that a dead worker's job is finished elsewhere within about half a minute.
    /// </summary>
    public int InvisibilityTimeoutSeconds { get; set; } = 15;

    /// <summary>
    /// PostgreSQL storage: most connections this process's Hangfire client and server open (a pool of its own, beside
    /// Database:MaxPoolSize). A server needs about its worker count plus a few; a portal that only enqueues, a few.
    /// </summary>
    public int MaxPoolSize { get; set; } = 10;
}

public sealed class HangfireServerOptions
{
    /// <summary>The queues in priority order: crash handling first, housekeeping last.</summary>
    public static readonly IReadOnlyList<string> DefaultQueues = ["crash", "analytics", "default", "maintenance"];

    public bool Enabled { get; set; } = true;

    /// <summary>Ride analysis is CPU-bound: one worker per processor unless configured.</summary>
    public int? Workers { get; set; }

    public string[]? Queues { get; set; }

    /// <summary>Analyse a small simulated ride at start so the first real ride runs on optimised code (AnalyzerWarmUp).</summary>
    public bool WarmUp { get; set; } = true;

    public int EffectiveWorkers => Workers ?? Environment.ProcessorCount;

    public string[] EffectiveQueues => Queues is { Length: > 0 } queues ? queues : [.. DefaultQueues];
}

internal sealed partial class HangfireOptionsValidator : IValidateOptions<HangfireOptions>
{
    public const int MaxWorkers = 256;

    /// <summary>Below this the keep-alive (a fifth of it) would hit the database every second per running job.</summary>
    public const int MinInvisibilityTimeoutSeconds = 5;
    public const int MaxInvisibilityTimeoutSeconds = 86_400;

    public ValidateOptionsResult Validate(string? name, HangfireOptions options)
    {
        var failures = new List<string>();
        if (!Enum.IsDefined(options.Storage))
        {
            failures.Add($"Hangfire:Storage must be Sqlite, PostgreSql or InMemory (was '{options.Storage}').");
        }
        else if (options.Storage == HangfireStorageKind.PostgreSql && string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            failures.Add("ConnectionStrings:Hangfire (or ConnectionStrings:Portal) is required when Hangfire:Storage is PostgreSql.");
        }

        if (options.InvisibilityTimeoutSeconds is < MinInvisibilityTimeoutSeconds or > MaxInvisibilityTimeoutSeconds)
        {
            failures.Add($"Hangfire:InvisibilityTimeoutSeconds must be between {MinInvisibilityTimeoutSeconds} and {MaxInvisibilityTimeoutSeconds} (was {options.InvisibilityTimeoutSeconds}).");
        }

        if (options.MaxPoolSize is < 1 or > 1000)
        {
            failures.Add($"Hangfire:MaxPoolSize must be between 1 and 1000 (was {options.MaxPoolSize}).");
        }

        if (options.Server.Workers is < 1 or > MaxWorkers)
        {
            failures.Add($"Hangfire:Server:Workers must be between 1 and {MaxWorkers} (was {options.Server.Workers}).");
        }

        var queues = options.Server.Queues ?? [];
        for (var i = 0; i < queues.Length; i++)
        {
            if (!QueueName().IsMatch(queues[i] ?? ""))
            {
                failures.Add($"Hangfire:Server:Queues:{i} '{queues[i]}' is not a queue name (lowercase letters, digits, '_' and '-').");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    [GeneratedRegex("^[a-z0-9_-]+$")]
    private static partial Regex QueueName();
}
