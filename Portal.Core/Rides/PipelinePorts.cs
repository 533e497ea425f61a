using Portal.Core.Analytics;
using Portal.Core.Catalog;

namespace Portal.Core.Rides;

/// <summary>Puts pipeline work on the job queues (Hangfire in Portal.Jobs); returns the job id.</summary>
public interface IRideJobScheduler
{
    /// <summary>Analysis of the ride in the <c>analytics</c> queue.</summary>
    string EnqueueAnalysis(Guid rideId);

    /// <summary>Crash handling (crash folder, crash record, R&amp;D notification) in the <c>crash</c> queue.</summary>
    string EnqueueCrashHandling(Guid rideId);
}

/// <summary>Finds the device profile a ride names (or its device is bound to); null lets the analyzer guess.</summary>
public interface IDeviceProfileResolver
{
    Task<DeviceProfile?> FindAsync(string? profileName, string? deviceId, CancellationToken cancellationToken);
}

public sealed record NotificationMessage(NotificationKind Kind, string Title, string Body, Guid? RideId);

/// <summary>Tells people something happened; the message is stored, so any process may send and the portal shows it.</summary>
public interface INotificationSink
{
    /// <returns>False when the same notification (kind, ride, recipient) was already sent.</returns>
    Task<bool> NotifyUserAsync(Guid userId, NotificationMessage message, CancellationToken cancellationToken);

    /// <returns>False when the same notification (kind, ride, recipient) was already sent.</returns>
    Task<bool> NotifyRoleAsync(string role, NotificationMessage message, CancellationToken cancellationToken);
}

/// <summary>Role names as Identity issues them in role claims.</summary>
public static class PortalRoleNames
{
    public const string Rider = "Rider";
    public const string Technician = "Technician";
    public const string RnD = "RnD";
    public const string Admin = "Admin";
}
