using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Options;

namespace Portal.Core.Catalog;

/// <summary>ReadCache: answers of the rides API kept in memory while the catalog has not changed.</summary>
public sealed class ReadCacheOptions
{
    public const string Section = "ReadCache";

    public bool Enabled { get; set; } = true;

    /// <summary>
    /// How old the catalog watermark may be before a request reads it again. A write made by this process is seen
    /// at once; one made by another process (a worker) within this time.
    /// </summary>
    public int MaxStalenessMilliseconds { get; set; } = 100;

    /// <summary>Memory for kept answers; when full, new answers are not kept until old ones expire.</summary>
    public int SizeLimitMegabytes { get; set; } = 128;
}

internal sealed class ReadCacheOptionsValidator : IValidateOptions<ReadCacheOptions>
{
    public ValidateOptionsResult Validate(string? name, ReadCacheOptions options)
    {
        var failures = new List<string>();
        if (options.MaxStalenessMilliseconds is < 0 or > 60_000)
        {
            failures.Add($"ReadCache:MaxStalenessMilliseconds must be between 0 and 60000 (was {options.MaxStalenessMilliseconds}).");
        }

        if (options.SizeLimitMegabytes is < 1 or > 16_384)
        {
            failures.Add($"ReadCache:SizeLimitMegabytes must be between 1 and 16384 (was {options.SizeLimitMegabytes}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>Counts writes this process made to the catalog (commands that are not queries, and commits).</summary>
public sealed class CatalogWrites
{
    private long count;

    public long Count => Interlocked.Read(ref count);

    public void Record() => Interlocked.Increment(ref count);
}

/// <summary>
/// A number the database raises, once per committing transaction, whenever rides or team memberships change
/// (triggers of the CatalogWatermark migrations, so writes of every process count). Anything computed after
/// reading value W is at least as new as W, which makes W a safe cache key: a change gives a new key.
/// Read at most every <see cref="ReadCacheOptions.MaxStalenessMilliseconds"/> (while one request reads it again,
/// the others use the last value), and again right after this process wrote to the catalog (then all wait for it).
/// </summary>
public sealed class CatalogWatermark(
    IDbContextFactory<CatalogDbContext> catalogs,
    CatalogWrites writes,
    TimeProvider time,
    IOptions<ReadCacheOptions> options) : IDisposable
{
    private readonly SemaphoreSlim refresh = new(1, 1);
    private Reading? last;

    public async ValueTask<long> CurrentAsync(CancellationToken cancellationToken)
    {
        var reading = Volatile.Read(ref last);
        if (Fresh(reading) is { } value)
        {
            return value;
        }

        if (reading is not null && reading.WritesBefore == writes.Count)
        {
            if (!refresh.Wait(0, CancellationToken.None))
            {
                // Only old, and another request is reading it again right now: the others go on with the last value
                // rather than all waiting for that one query (the bound stretches by one query at most).
                return reading.Value;
            }
        }
        else
        {
            // This process wrote: every request waits for a reading taken after that write.
            await refresh.WaitAsync(cancellationToken);
        }

        try
        {
            if (Fresh(last) is { } refreshedMeanwhile)
            {
                return refreshedMeanwhile;
            }

            // Taken before the query: a write that lands while it runs makes the next caller read again.
            var writesBefore = writes.Count;
            var startedAt = time.GetTimestamp();
            await using var catalog = await catalogs.CreateDbContextAsync(cancellationToken);
            var current = await catalog.Database
                .SqlQueryRaw<long>("""SELECT "Value" AS "Value" FROM "CatalogWatermark" WHERE "Id" = 1""")
                .SingleAsync(cancellationToken);
            Volatile.Write(ref last, new Reading(current, startedAt, writesBefore));
            return current;
        }
        finally
        {
            refresh.Release();
        }
    }

    public void Dispose() => refresh.Dispose();

    private long? Fresh(Reading? reading) =>
        reading is not null
        && reading.WritesBefore == writes.Count
        && time.GetElapsedTime(reading.StartedAt).TotalMilliseconds < options.Value.MaxStalenessMilliseconds
            ? reading.Value
            : null;

    private sealed record Reading(long Value, long StartedAt, long WritesBefore);
}

/// <summary>Tells <see cref="CatalogWrites"/> about every catalog command that is not a query.</summary>
internal sealed class CatalogWriteInterceptor(CatalogWrites writes) : DbCommandInterceptor
{
    public override int NonQueryExecuted(DbCommand command, CommandExecutedEventData eventData, int result)
    {
        writes.Record();
        return result;
    }

    public override ValueTask<int> NonQueryExecutedAsync(DbCommand command, CommandExecutedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        writes.Record();
        return ValueTask.FromResult(result);
    }

    public override DbDataReader ReaderExecuted(DbCommand command, CommandExecutedEventData eventData, DbDataReader result)
    {
        RecordUnlessQuery(command);
        return result;
    }

    public override ValueTask<DbDataReader> ReaderExecutedAsync(DbCommand command, CommandExecutedEventData eventData, DbDataReader result, CancellationToken cancellationToken = default)
    {
        RecordUnlessQuery(command);
        return ValueTask.FromResult(result);
    }

    private void RecordUnlessQuery(DbCommand command)
    {
        // SaveChanges reads back generated values (INSERT ... RETURNING): a reader is not always a query.
        if (!command.CommandText.AsSpan().TrimStart().StartsWith("SELECT", StringComparison.OrdinalIgnoreCase))
        {
            writes.Record();
        }
    }
}

/// <summary>A commit is when the database raises the watermark: the next read must look again.</summary>
internal sealed class CatalogCommitInterceptor(CatalogWrites writes) : DbTransactionInterceptor
{
    public override void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => writes.Record();

    public override Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        writes.Record();
        return Task.CompletedTask;
    }
}
