namespace Portal.Core.Live;

/// <summary>
/// One live telemetry sample as the live view needs it, in canonical units (ride-format.md): UTC ticks, m/s², deg/s,
/// km/h, degrees. A channel the sample lacks is NaN.
/// </summary>
public readonly record struct LiveReading(
    long TimestampTicks, double Ax, double Ay, double Az, double Gx, double Gy, double Gz, double SpeedKmh,
    double Latitude = double.NaN, double Longitude = double.NaN);

/// <summary>A crash the crash detector confirmed on the live stream: device time, place (null without GPS), kind and peak.</summary>
public sealed record LiveCrash(DateTimeOffset At, double? Latitude, double? Longitude, string Kind, double PeakG, DateTimeOffset DetectedAt);

/// <summary>What a device said on its session topic.</summary>
public enum LiveSessionEvent
{
    Start,
    End,
}
