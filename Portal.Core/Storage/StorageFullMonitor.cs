using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Portal.Core.Catalog;
using Portal.Core.Rides;

namespace Portal.Core.Storage;

/// <summary>
/// Remembers that the object store answered "full" so that <c>/health/ready</c> reports it for a while, and tells
/// the admins once an hour (a role notification) while it keeps happening. One per process.
/// </summary>
public sealed partial class StorageFullMonitor(TimeProvider time, IServiceScopeFactory scopes, ILogger<StorageFullMonitor> logger)
{
    /// <summary>How long after the last "full" answer the readiness check stays unhealthy.</summary>
    public static readonly TimeSpan ReportWindow = TimeSpan.FromMinutes(5);

    /// <summary>At most one admin notification per this interval and process.</summary>
    public static readonly TimeSpan NotifyInterval = TimeSpan.FromHours(1);

    private readonly Lock _lock = new();
    private DateTimeOffset? _lastFullAt;
    private string? _lastReason;
    private DateTimeOffset? _lastNotifiedAt;

    /// <summary>When the store last answered "full" and why, if within <see cref="ReportWindow"/>.</summary>
    public (DateTimeOffset At, string Reason)? RecentFull
    {
        get
        {
            lock (_lock)
            {
                return _lastFullAt is { } at && time.GetUtcNow() - at < ReportWindow ? (at, _lastReason ?? "") : null;
            }
        }
    }

    public async Task ReportAsync(StorageFullException full, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(full);
        var now = time.GetUtcNow();
        bool notify;
        lock (_lock)
        {
            _lastFullAt = now;
            _lastReason = full.Message;
            notify = _lastNotifiedAt is not { } last || now - last >= NotifyInterval;
            if (notify)
            {
                _lastNotifiedAt = now;
            }
        }

        LogStorageFull(logger, full.Message);
        if (!notify)
        {
            return;
        }

        try
        {
            await using var scope = scopes.CreateAsyncScope();
            if (scope.ServiceProvider.GetService<INotificationSink>() is { } sink)
            {
                await sink.NotifyRoleAsync(PortalRoleNames.Admin, new NotificationMessage(
                    NotificationKind.StorageFull,
                    "Object storage is full",
                    $"Uploads and live rides are refused until the object storage has room again: {full.Message}",
                    null), cancellationToken);
            }
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // The notification is a courtesy: the refusal itself must still reach the client.
            LogNotifyFailed(logger, exception);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Object storage is full: {Reason}")]
    private static partial void LogStorageFull(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Telling the admins that the object storage is full failed")]
    private static partial void LogNotifyFailed(ILogger logger, Exception exception);
}
