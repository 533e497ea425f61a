namespace Portal.Core.Analytics;

public enum AccelerationUnit { Auto, MetersPerSecondSquared, G }
public enum AngularRateUnit { DegreesPerSecond, RadiansPerSecond }
public enum SpeedUnit { KilometersPerHour, MetersPerSecond }
public enum TimeBase { Auto, Iso8601, EpochMilliseconds, RelativeSeconds, RelativeMilliseconds }

/// <summary>
/// What an admin tells the portal about a device whose file layout cannot be guessed:
/// which source column feeds each canonical channel, and the units. Stored as data.
/// </summary>
public sealed record DeviceProfile
{
    public required string Name { get; init; }

    /// <summary>Canonical channel (timestamp, ax … gz, mx … mz, speed, lat, lon, alt) → the file's column name.</summary>
    public IReadOnlyDictionary<string, string> Columns { get; init; } = new Dictionary<string, string>();
    public AccelerationUnit Acceleration { get; init; } = AccelerationUnit.Auto;
    public AngularRateUnit AngularRate { get; init; } = AngularRateUnit.DegreesPerSecond;
    public SpeedUnit Speed { get; init; } = SpeedUnit.KilometersPerHour;
    public TimeBase Time { get; init; } = TimeBase.Auto;

    /// <summary>How the device's IMU sits against the rider's body frame; when set it wins over the estimate from the data.</summary>
    public SensorMount? Mount { get; init; }
}

/// <summary>The sensor frame is the body frame rotated by <paramref name="Roll"/> about x, then <paramref name="Pitch"/> about y, then <paramref name="Yaw"/> about z (degrees).</summary>
public sealed record SensorMount(double Roll, double Pitch, double Yaw);
