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
public sealed partial class ServiceUnavailableExceptionHandler(IProblemDetailsService problems, ILogger<ServiceUnavailableExceptionHandler> logger) : IExceptionHandler
{
    public const string StorageUnavailable = "storage_unavailable";
    public const string DatabaseUnavailable = "database_unavailable";

    /// <summary>Long enough for a database restart or a storage fail-over; short enough not to lose the client.</summary>
    public const int RetryAfterSeconds = 30;

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
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
