namespace Portal.Core.Live;

/// <summary>
/// One live telemetry sample as the live view needs it, in canonical units (ride-format.md): UTC ticks, m/s², deg/s,
/// km/h. A channel the sample lacks is NaN.
/// </summary>
public readonly record struct LiveReading(long TimestampTicks, double Ax, double Ay, double Az, double Gx, double Gy, double Gz, double SpeedKmh);

/// <summary>What a device said on its session topic.</summary>
public enum LiveSessionEvent
{
    Start,
    End,
}
