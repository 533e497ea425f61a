using System.Globalization;

namespace Portal.Core.Analytics.Reading;

/// <summary>The file layouts the reader recognises by their headers (or a device profile).</summary>
public static class RideFileFormats
{
    public const string Generic = "generic";
    public const string Profile = "profile";
    public const string SensorLog = "sensorlog";
    public const string SensorLogger = "sensor_logger";
    public const string Phyphox = "phyphox";
    public const string RaceChronoV3 = "racechrono_v3";
    public const string RaceBox = "racebox";
}

/// <summary>Where a unit decision came from.</summary>
public static class UnitSources
{
    /// <summary>The column header named the unit (<c>(rad/s)</c>, <c>_g</c>, <c>GForceX</c>).</summary>
    public const string Header = "header";

    /// <summary>The values decided (|a| ≈ 1 versus ≈ 9.81, gyro magnitudes while moving, time steps).</summary>
    public const string Data = "data";

    /// <summary>The device profile stated it.</summary>
    public const string Profile = "profile";

    /// <summary>The recognised format documents it although the header is silent (a RaceBox <c>Speed</c>).</summary>
    public const string Format = "format";

    /// <summary>Nothing decided it; the contract's canonical unit was assumed.</summary>
    public const string Default = "default";
}

/// <summary>
/// What the reader decided about a file, for the analysis' quality report: the layout recognised, how time
/// is written and what it counts from, and each unit with how it was decided.
/// </summary>
/// <param name="Format">One of <see cref="RideFileFormats"/>.</param>
/// <param name="TimeFormat"><c>iso8601</c> (text with an offset or Z), <c>local_text</c> (wall-clock text without offset,
/// read as if UTC), or <c>number</c>.</param>
/// <param name="TimeUnit"><c>s</c>, <c>ms</c>, <c>us</c> or <c>ns</c> for numbers; null for text.</param>
/// <param name="TimeBase"><c>epoch</c> (absolute) or <c>relative</c> (since boot or since the start).</param>
/// <param name="TimeHasOffset">For text times: whether the text carried an offset (or Z); null for numbers.</param>
/// <param name="TimeSource">How the time scale was decided (<see cref="UnitSources"/>).</param>
/// <param name="AccelerationUnit"><c>m/s2</c> or <c>g</c>.</param>
/// <param name="AngularRateUnit"><c>deg/s</c> or <c>rad/s</c>.</param>
/// <param name="SpeedUnit"><c>km/h</c>, <c>m/s</c>, <c>mph</c> or <c>kn</c>; null without a speed column.</param>
/// <param name="Columns">Canonical channel → the file column read for it (a synthesised channel says so).</param>
/// <param name="Notes">Sentences about decisions a person should know (sign flipped, channel synthesised, data overruled the header).</param>
public sealed record RideReadFacts(
    string Format,
    string TimeFormat,
    string? TimeUnit,
    string TimeBase,
    bool? TimeHasOffset,
    string TimeSource,
    string AccelerationUnit,
    string AccelerationSource,
    string AngularRateUnit,
    string AngularRateSource,
    string? SpeedUnit,
    string? SpeedSource,
    IReadOnlyDictionary<string, string> Columns,
    IReadOnlyList<string> Notes)
{
    /// <summary>The facts as snake_case entries for the analysis' <c>quality</c> object.</summary>
    public IReadOnlyDictionary<string, object?> ToQualityEntries() => new Dictionary<string, object?>(StringComparer.Ordinal)
    {
        ["format"] = Format,
        ["time_format"] = TimeFormat,
        ["time_unit"] = TimeUnit,
        ["time_base"] = TimeBase,
        ["time_has_offset"] = TimeHasOffset,
        ["time_source"] = TimeSource,
        ["accel_unit"] = AccelerationUnit,
        ["accel_unit_source"] = AccelerationSource,
        ["gyro_unit"] = AngularRateUnit,
        ["gyro_unit_source"] = AngularRateSource,
        ["speed_unit"] = SpeedUnit,
        ["speed_unit_source"] = SpeedSource,
        ["columns"] = Columns,
        ["reader_notes"] = Notes,
    };

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Format}: time {TimeFormat}/{TimeUnit ?? "-"}/{TimeBase} ({TimeSource}), accel {AccelerationUnit} ({AccelerationSource}), gyro {AngularRateUnit} ({AngularRateSource}), speed {SpeedUnit ?? "-"} ({SpeedSource ?? "-"})");
}
