namespace Portal.Core.Simulation;

public enum RideScenario { City, Country, Track, CrashLowside, CrashHighside, Drop }

public enum SimulatedTimeFormat { Iso, EpochMilliseconds, RelativeSeconds }

public enum SimulatedAccelerationUnit { MetersPerSecondSquared, G }

/// <summary>How the header names channels: canonical (<c>ax</c>) or a third-party layout (<c>acc_x</c>, <c>gyro_x_dps</c>, <c>Velocity (m/s)</c>, <c>LAT</c>…).</summary>
public enum SimulatedColumnNames { Canonical, Aliases }

/// <summary>What a GPS cell holds between two fixes (both are normal in real files).</summary>
public enum GpsGapStyle { Repeated, Empty }

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
