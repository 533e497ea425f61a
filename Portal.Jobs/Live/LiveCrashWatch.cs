using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Analytics;
using Portal.Core.Analytics.Metrics;
using Portal.Core.Catalog;
using Portal.Core.Rides;

namespace Portal.Jobs.Live;

/// <summary>
/// Runs the ride analysis (GPS speed filter, lean, crash detector: the same code as for an uploaded file) over one live
/// session's samples as they are spooled, so a crash is known while the session is still open, not after it ended and
/// was analysed. Reports the first crash of the session once.
/// </summary>
public sealed class LiveCrashWatch
{
    private static readonly int SpeedIndex = Array.IndexOf(LiveSample.ValueColumns, "speed");
    private static readonly int LatitudeIndex = Array.IndexOf(LiveSample.ValueColumns, "lat");
    private static readonly int LongitudeIndex = Array.IndexOf(LiveSample.ValueColumns, "lon");

    private RideMetricsSink? _analysis;
    private long _originTicks;
    private long _lastTicks;
    private bool _reported;

    /// <summary>Feeds samples in time order (older or repeated ones are skipped); returns the crash the first time one is confirmed.</summary>
    public LiveCrashAlert? Add(IReadOnlyList<LiveSample> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (_reported)
        {
            return null;
        }

        foreach (var live in samples)
        {
            var v = live.Values;
            if (v[0] is not { } ax || v[1] is not { } ay || v[2] is not { } az || v[3] is not { } gx || v[4] is not { } gy || v[5] is not { } gz
                || (_analysis is not null && live.TimestampTicks <= _lastTicks))
            {
                continue;
            }

            var speed = v[SpeedIndex] ?? double.NaN;
            var lat = v[LatitudeIndex] ?? double.NaN;
            var lon = v[LongitudeIndex] ?? double.NaN;
            if (_analysis is null)
            {
                _analysis = new RideMetricsSink();
                _originTicks = live.TimestampTicks;
                _analysis.Begin(new RideChannels(false, !double.IsNaN(speed), !double.IsNaN(lat) && !double.IsNaN(lon), false));
            }

            _lastTicks = live.TimestampTicks;
            var sample = new RideSample
            {
                T = (live.TimestampTicks - _originTicks) / (double)TimeSpan.TicksPerSecond,
                Ax = ax, Ay = ay, Az = az, Gx = gx, Gy = gy, Gz = gz,
                Mx = double.NaN, My = double.NaN, Mz = double.NaN,
                Speed = speed, Lat = lat, Lon = lon, Alt = double.NaN,
            };
            _analysis.Add(in sample);
            if (_analysis.CrashSoFar is { } finding)
            {
                _reported = true;
                _analysis = null;
                return new LiveCrashAlert(
                    new DateTimeOffset(_originTicks + (long)(finding.TimeS * TimeSpan.TicksPerSecond), TimeSpan.Zero),
                    finding.Kind, finding.PeakG, finding.SpeedBeforeKmh, finding.Latitude, finding.Longitude);
            }
        }

        return null;
    }
}

/// <summary>A crash seen on a live stream: device time, kind, peak, speed before, place (null without GPS).</summary>
public sealed record LiveCrashAlert(DateTimeOffset At, string Kind, double PeakG, double SpeedBeforeKmh, double? Latitude, double? Longitude);

/// <summary>Tells R&amp;D and the rider's technician (an approved team membership) about a crash seen on a live stream.</summary>
public sealed class LiveCrashNotifier(CatalogDbContext db, INotificationSink notifications)
{
    public async Task NotifyAsync(string deviceId, Guid riderId, LiveCrashAlert crash, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(crash);
        var rider = await db.Riders.AsNoTracking().FirstOrDefaultAsync(p => p.UserId == riderId, cancellationToken);
        var who = rider is null ? riderId.ToString() : rider.DisplayName is { Length: > 0 } name ? name : rider.Email;
        var place = crash.Latitude is { } lat && crash.Longitude is { } lon && double.IsFinite(lat) && double.IsFinite(lon)
            ? string.Create(CultureInfo.InvariantCulture, $"at {lat:0.00000}, {lon:0.00000}")
            : "position unknown";
        var body = string.Create(CultureInfo.InvariantCulture,
            $"{who} — live on device {deviceId}: {crash.Kind} at {crash.At:HH:mm:ss} UTC, {place}, {crash.SpeedBeforeKmh:0} km/h before, peak {crash.PeakG:0.0} g. Watch: /live?device={Uri.EscapeDataString(deviceId)}");
        var message = new NotificationMessage(NotificationKind.CrashDetected, "Crash detected live", body, null);
        await notifications.NotifyRoleAsync(PortalRoleNames.RnD, message, cancellationToken);
        if (rider is { TechnicianId: { } technician, TeamMembershipApproved: true })
        {
            await notifications.NotifyUserAsync(technician, message, cancellationToken);
        }
    }
}
