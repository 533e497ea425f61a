using System.Data.Common;
using System.Globalization;
using Microsoft.AspNetCore.Diagnostics;
using Npgsql;
using Portal.Core.Storage;

namespace Portal.Api;

/// <summary>
/// An outage of the object storage or the database is the client's cue to come back later, not a bug: it
/// becomes <c>503</c> with <c>Retry-After</c> and a ProblemDetails whose code says which service is down.
/// Whatever the request had stored before the failure was cleaned up by the intake, so a retry is safe.
/// </summary>
public sealed partial class ServiceUnavailableExceptionHandler(
    IProblemDetailsService problems, StorageFullMonitor fullMonitor, ILogger<ServiceUnavailableExceptionHandler> logger) : IExceptionHandler
{
    public const string StorageUnavailable = "storage_unavailable";
    public const string StorageFull = "storage_full";

    /// <summary>A full store needs an operator: ask clients to come back much later than after an outage.</summary>
    public const int StorageFullRetryAfterSeconds = 300;
    public const string DatabaseUnavailable = "database_unavailable";

    /// <summary>Long enough for a database restart or a storage fail-over; short enough not to lose the client.</summary>
    public const int RetryAfterSeconds = 30;

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (FindStorageFull(exception) is { } full)
        {
            return await WriteStorageFullAsync(httpContext, full, cancellationToken);
        }

        if (CodeFor(exception) is not { } code)
        {
            return false;
        }

        LogUnavailable(logger, httpContext.Request.Method, httpContext.Request.Path.Value ?? "", code, exception.Message);
        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        httpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        httpContext.Response.Headers.CacheControl = "no-store";
        var what = code == StorageUnavailable ? "The object storage" : "The database";
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails =
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = $"{what} is unavailable.",
                Detail = $"{what} cannot be reached right now; nothing of the unfinished file was kept. Try again in {RetryAfterSeconds} seconds "
                    + "(a file that was already accepted is then recognised as a duplicate).",
                Extensions = { [ApiErrors.CodeKey] = code, ["retryAfterSeconds"] = RetryAfterSeconds },
            },
        });
    }

    /// <summary>The <see cref="StorageFullException"/> in the chain of causes, if any.</summary>
    public static StorageFullException? FindStorageFull(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is StorageFullException full)
            {
                return full;
            }
        }

        return null;
    }

    /// <summary>507 Insufficient Storage: the server's store is full, not the client's file wrong; the admins are told.</summary>
    private async ValueTask<bool> WriteStorageFullAsync(HttpContext httpContext, StorageFullException full, CancellationToken cancellationToken)
    {
        await fullMonitor.ReportAsync(full, cancellationToken);
        LogUnavailable(logger, httpContext.Request.Method, httpContext.Request.Path.Value ?? "", StorageFull, full.Message);
        httpContext.Response.StatusCode = StatusCodes.Status507InsufficientStorage;
        httpContext.Response.Headers.RetryAfter = StorageFullRetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        httpContext.Response.Headers.CacheControl = "no-store";
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = full,
            ProblemDetails =
            {
                Status = StatusCodes.Status507InsufficientStorage,
                Title = "The portal's storage is full.",
                Detail = "The portal's object storage has no room left, so this file was not kept (nothing of it was stored). "
                    + "This is not a problem with your file; the administrators have been told. Try again later.",
                Extensions = { [ApiErrors.CodeKey] = StorageFull, ["retryAfterSeconds"] = StorageFullRetryAfterSeconds },
            },
        });
    }

    /// <summary><see cref="StorageUnavailable"/>, <see cref="DatabaseUnavailable"/>, or null for any other failure.</summary>
    public static string? CodeFor(Exception exception)
    {
        // Hangfire's client, EF Core's SaveChanges and the storage adapters wrap the cause: look through them.
        for (var current = exception; current is not null; current = current.InnerException)
        {
            switch (current)
            {
                case StorageUnavailableException:
                    return StorageUnavailable;
                case PostgresException postgres when IsConnectionLoss(postgres.SqlState):
                case DbException { IsTransient: true }:
                    return DatabaseUnavailable;
            }
        }

        return null;
    }

    /// <summary>Connection exceptions (08…), the server shutting down or restarting (57P01–57P03), too many connections.</summary>
    private static bool IsConnectionLoss(string sqlState) =>
        sqlState.StartsWith("08", StringComparison.Ordinal)
        || sqlState is PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown or PostgresErrorCodes.CannotConnectNow
            or PostgresErrorCodes.TooManyConnections;

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Method} {Path} answered 503 {Code}: {Reason}")]
    private static partial void LogUnavailable(ILogger logger, string method, string path, string code, string reason);
}
