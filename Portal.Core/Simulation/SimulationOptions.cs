namespace Portal.Core.Simulation;

public enum RideScenario { City, Country, Track, CrashLowside, CrashHighside, Drop }

public enum SimulatedTimeFormat { Iso, EpochMilliseconds, RelativeSeconds }

public enum SimulatedAccelerationUnit { MetersPerSecondSquared, G }

/// <summary>How the header names channels: canonical (<c>ax</c>) or a third-party layout (<c>acc_x</c>, <c>gyro_x_dps</c>, <c>Velocity (m/s)</c>, <c>LAT</c>…).</summary>
public enum SimulatedColumnNames { Canonical, Aliases }

/// <summary>What a GPS cell holds between two fixes (both are normal in real files).</summary>
public enum GpsGapStyle { Repeated, Empty }

/// <summary>The unit of the values in a canonical <c>speed</c> column, whose name promises km/h (a RaceBox export's is mph).</summary>
public enum SimulatedSpeedUnit { KilometersPerHour, MilesPerHour, MetersPerSecond }

/// <summary>Everything that shapes one simulated ride; the same options and seed give the same bytes.</summary>
public sealed record SimulationOptions
{
    public RideScenario Scenario { get; init; } = RideScenario.City;
    public double DurationSeconds { get; init; } = 600;
    public double RateHz { get; init; } = 100;
    public int Seed { get; init; } = 1;
    public double GpsRateHz { get; init; } = 5;
    public GpsGapStyle GpsGaps { get; init; } = GpsGapStyle.Repeated;
    public SimulatedTimeFormat TimeFormat { get; init; } = SimulatedTimeFormat.Iso;
    public SimulatedAccelerationUnit AccelerationUnit { get; init; } = SimulatedAccelerationUnit.MetersPerSecondSquared;
    public SimulatedColumnNames ColumnNames { get; init; } = SimulatedColumnNames.Canonical;
    public bool ShuffleColumns { get; init; }
    public bool ExtraColumns { get; init; }
    public bool IncludeMagnetometer { get; init; } = true;
    public bool IncludeSpeed { get; init; } = true;
    public bool IncludePosition { get; init; } = true;

    /// <summary>Absolute time of the first sample; null derives one from the seed (so files stay reproducible).</summary>
    public DateTimeOffset? StartTime { get; init; }

    /// <summary>
    /// How the IMU sits against the rider's body frame (degrees): the sensor frame is the body frame
    /// rotated by roll about x, then pitch about the new y, then yaw about the new z (ride-format.md §4).
    /// </summary>
    public double MountRollDeg { get; init; }
    public double MountPitchDeg { get; init; }
    public double MountYawDeg { get; init; }

    /// <summary>1-σ horizontal scatter of each GPS fix, metres (consumer receivers: 2–5 m).</summary>
    public double GpsScatterM { get; init; }

    /// <summary>How many times the receiver jumps 50–500 m away for 1–3 fixes.</summary>
    public int GpsJumps { get; init; }

    /// <summary>How many GPS dropouts of 5–15 s (no new fix: cells repeat the last one or stay empty).</summary>
    public int GpsDropouts { get; init; }

    /// <summary>Extra gyro bias per axis (deg/s, random sign per axis) on top of the small factory residual.</summary>
    public double GyroBiasDps { get; init; }

    /// <summary>How fast that bias drifts (deg/s per minute, random sign per axis), e.g. as the sensor warms up.</summary>
    public double GyroDriftDpsPerMinute { get; init; }

    /// <summary>The accelerometer's range in g (2, 4, 8, 16): each axis clips there; null never clips.</summary>
    public double? AccelerometerRangeG { get; init; }

    /// <summary>Timestamp jitter as a fraction of the sample interval (0 ≤ j &lt; 1): each timestamp moves by up to ±j/2 of it.</summary>
    public double TimestampJitter { get; init; }

    /// <summary>What the canonical <c>speed</c> column really holds; anything but km/h is a header that lies.</summary>
    public SimulatedSpeedUnit SpeedColumnUnit { get; init; } = SimulatedSpeedUnit.KilometersPerHour;

    /// <summary>Where the ride starts (degrees).</summary>
    public double StartLatitude { get; init; } = 44.3;
    public double StartLongitude { get; init; } = 11.1;

    /// <summary>Shortest crash or drop ride that always contains its event.</summary>
    public const double MinimumEventDurationSeconds = 150;

    public void Validate()
    {
        if (RateHz is < 1 or > 2000)
        {
            throw new ArgumentOutOfRangeException(nameof(RateHz), RateHz, "The sample rate must be between 1 and 2000 Hz (devices use 50–400).");
        }

        if (GpsRateHz <= 0 || GpsRateHz > RateHz)
        {
            throw new ArgumentOutOfRangeException(nameof(GpsRateHz), GpsRateHz, "The GPS rate must be positive and not above the sample rate.");
        }

        if (TimestampJitter is < 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(TimestampJitter), TimestampJitter, "The timestamp jitter must be at least 0 and below 1 (a fraction of the sample interval).");
        }

        if (AccelerometerRangeG is { } range && range < 1.5)
        {
            throw new ArgumentOutOfRangeException(nameof(AccelerometerRangeG), range, "The accelerometer range must be at least 1.5 g (devices use 2, 4, 8 or 16 g).");
        }

        if (GpsScatterM < 0 || GpsJumps < 0 || GpsDropouts < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(GpsScatterM), "GPS scatter, jumps and dropouts cannot be negative.");
        }

        if (DurationSeconds <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(DurationSeconds), DurationSeconds, "The duration must be positive.");
        }

        if (Scenario is RideScenario.CrashLowside or RideScenario.CrashHighside or RideScenario.Drop && DurationSeconds < MinimumEventDurationSeconds)
        {
            throw new ArgumentOutOfRangeException(nameof(DurationSeconds), DurationSeconds,
                $"A {Scenario} ride needs at least {MinimumEventDurationSeconds} s to ride, have its event and come to rest.");
        }
    }

    internal DateTimeOffset EffectiveStartTime =>
        StartTime ?? new DateTimeOffset(2026, 5, 3, 8, 0, 0, TimeSpan.Zero).AddMinutes((Seed & 0xFFFF) % 10_000);
}
