using System.Globalization;

namespace Portal.Core.Analytics.Reading;

/// <summary>The canonical channels of ride-format.md, in <see cref="RideSample"/> order after the time.</summary>
internal enum RideChannel
{
    Timestamp, Ax, Ay, Az, Gx, Gy, Gz, Mx, My, Mz, Speed, Lat, Lon, Alt,
}

/// <summary>What the header says about the time column's unit, before the data is seen.</summary>
internal enum TimeUnitHint { Unknown, Seconds, Milliseconds, Microseconds, Nanoseconds, Text }

/// <summary>
/// Which file column feeds each canonical channel and the factor to canonical units, found once
/// from the header: by a device profile when one is given, else by the aliases and unit suffixes
/// of ride-format.md "Heterogeneous devices".
/// </summary>
internal sealed class RideColumnLayout
{
    public const int ChannelCount = 14;

    private const double RadiansToDegrees = 180.0 / Math.PI;

    private static readonly Dictionary<string, RideChannel> Aliases = BuildAliases();

    // Longest first, so "_ms2" wins over "_ms" and "_mps2" over "_s".
    private static readonly string[] UnitSuffixes =
        ["_mps2", "_ms2", "_m_s2", "_kmh", "_kph", "_mps", "_mph", "_dps", "_degs", "_rads", "_rps", "_deg", "_ut", "_ms", "_us", "_ns", "_ft", "_g", "_s", "_m"];

    public int[] ColumnIndex { get; } = Enumerable.Repeat(-1, ChannelCount).ToArray();

    /// <summary>Multiplier to canonical units per channel (acceleration is settled separately: it may need the data).</summary>
    public double[] Scale { get; } = Enumerable.Repeat(1.0, ChannelCount).ToArray();

    public AccelerationUnit Acceleration { get; private set; } = AccelerationUnit.Auto;
    public TimeUnitHint TimeUnit { get; private set; } = TimeUnitHint.Unknown;
    public TimeBase TimeBase { get; private set; } = TimeBase.Auto;
    public int HeaderColumnCount { get; private set; }

    /// <summary>One of <see cref="RideFileFormats"/>.</summary>
    public string Format { get; private set; } = RideFileFormats.Generic;

    /// <summary>Where the acceleration unit came from when it is not <see cref="AccelerationUnit.Auto"/>.</summary>
    public string AccelerationSource { get; private set; } = UnitSources.Default;

    /// <summary>The angular-rate unit the header or profile stated: null when silent, else true for rad/s.</summary>
    public bool? GyroStatedRadians { get; private set; }

    public string GyroSource { get; private set; } = UnitSources.Default;

    public string SpeedSource { get; private set; } = UnitSources.Default;

    /// <summary>Where the time base came from (a profile, the header's unit, or nothing: the data decides).</summary>
    public string TimeSource { get; private set; } = UnitSources.Data;

    /// <summary>The device reports acceleration rather than specific force (iOS Core Motion: −1 g on z lying face up).</summary>
    public bool NegateAcceleration { get; private set; }

    /// <summary>The file has no lateral force column by design (RaceBox bike mode); ay is read as 0.</summary>
    public bool SynthesiseAy { get; private set; }

    /// <summary>The header cells as given, for the facts.</summary>
    public IReadOnlyList<string> HeaderNames { get; private set; } = [];

    public List<string> Notes { get; } = [];

    /// <summary>Columns that looked like a channel but carried a unit the portal does not know (for the rejection message).</summary>
    public List<string> UnknownUnits { get; } = [];

    public bool Has(RideChannel channel) => ColumnIndex[(int)channel] >= 0;

    public static RideColumnLayout Resolve(IReadOnlyList<string> header, DeviceProfile? profile, string? formatHint = null)
    {
        var layout = new RideColumnLayout { HeaderColumnCount = header.Count, HeaderNames = header };
        layout.Format = profile is not null ? RideFileFormats.Profile : formatHint ?? DetectFormat(header);
        var used = new bool[header.Count];
        if (profile is not null)
        {
            layout.ApplyProfile(header, profile, used);
        }

        for (var i = 0; i < header.Count; i++)
        {
            if (!used[i] && layout.TryGuess(header[i], out var channel, out var unit) && !layout.Has(channel))
            {
                if (layout.TryApplyUnit(channel, unit))
                {
                    layout.ColumnIndex[(int)channel] = i;
                    used[i] = true;
                }
                else
                {
                    layout.UnknownUnits.Add(header[i]);
                }
            }
        }

        layout.ApplyFormatConventions();
        return layout;
    }

    /// <summary>Recognises the phone-logger and lap-timer exports by header names only they write.</summary>
    internal static string DetectFormat(IReadOnlyList<string> header)
    {
        bool Any(Func<string, bool> test) => header.Any(h => test(CleanHeaderCell(h)));
        bool StartsWith(string h, string prefix) => h.StartsWith(prefix, StringComparison.OrdinalIgnoreCase);
        if (Any(h => StartsWith(h, "loggingTime(") || StartsWith(h, "accelerometerAccelerationX(")))
        {
            return RideFileFormats.SensorLog;
        }

        if (Any(h => h.Equals("seconds_elapsed", StringComparison.OrdinalIgnoreCase)))
        {
            return RideFileFormats.SensorLogger;
        }

        if (Any(h => h.Equals("GForceX", StringComparison.OrdinalIgnoreCase) || StartsWith(h, "GForceX ")))
        {
            return RideFileFormats.RaceBox;
        }

        if (Any(h => h.Equals("Time (s)", StringComparison.Ordinal))
            && Any(h => StartsWith(h, "Acceleration x (") || StartsWith(h, "Gyroscope x (") || StartsWith(h, "Linear Acceleration x (")))
        {
            return RideFileFormats.Phyphox;
        }

        return RideFileFormats.Generic;
    }

    /// <summary>What a recognised format means beyond its header: sign conventions, silent units, omitted channels.</summary>
    private void ApplyFormatConventions()
    {
        switch (Format)
        {
            case RideFileFormats.SensorLog when Has(RideChannel.Ax):
                // Core Motion reports acceleration, not specific force: lying face up reads z = −1 g. Negating all three
                // axes keeps the frame right-handed with the gyroscope (a rotation could not undo this reflection).
                NegateAcceleration = true;
                Notes.Add("SensorLog (iOS Core Motion) writes acceleration with the opposite sign of specific force; the reader negates it.");
                break;
            case RideFileFormats.RaceBox:
                if (Has(RideChannel.Speed) && SpeedSource == UnitSources.Default)
                {
                    // The RaceBox exporter writes a bare "Speed" whatever speed format was chosen; mph is what the
                    // motorcycle exports carry. The analysis can still check it against the GPS track.
                    Scale[(int)RideChannel.Speed] = 1.609344;
                    SpeedSource = UnitSources.Format;
                    Notes.Add("RaceBox 'Speed' has no unit in its header; read as mph.");
                }

                if (Has(RideChannel.Ax) && Has(RideChannel.Az) && !Has(RideChannel.Ay)
                    && HeaderNames.Any(h => CleanHeaderCell(h).Equals("LeanAngle", StringComparison.OrdinalIgnoreCase)))
                {
                    // Bike mode replaces the lateral force with LeanAngle: in a coordinated turn the lateral specific force
                    // in the leaning frame is close to 0, which is what the reader passes on.
                    SynthesiseAy = true;
                    Notes.Add("RaceBox bike mode has no GForceY; ay is read as 0 (the lateral force of a coordinated turn in the leaning frame).");
                }

                break;
        }
    }

    public static string CleanHeaderCell(string raw) => raw.Trim().Trim('\uFEFF').Trim().Trim('"').Trim();

    private void ApplyProfile(IReadOnlyList<string> header, DeviceProfile profile, bool[] used)
    {
        foreach (var (canonical, fileColumn) in profile.Columns)
        {
            if (!Enum.TryParse<RideChannel>(canonical, ignoreCase: true, out var channel) || !Enum.IsDefined(channel))
            {
                continue;
            }

            for (var i = 0; i < header.Count; i++)
            {
                if (!used[i] && string.Equals(CleanHeaderCell(header[i]), fileColumn.Trim(), StringComparison.OrdinalIgnoreCase))
                {
                    ColumnIndex[(int)channel] = i;
                    used[i] = true;
                    Scale[(int)channel] = channel switch
                    {
                        RideChannel.Gx or RideChannel.Gy or RideChannel.Gz when profile.AngularRate == AngularRateUnit.RadiansPerSecond => RadiansToDegrees,
                        RideChannel.Speed => profile.Speed switch
                        {
                            SpeedUnit.MetersPerSecond => 3.6,
                            SpeedUnit.MilesPerHour => 1.609344,
                            SpeedUnit.Knots => 1.852,
                            _ => 1.0,
                        },
                        _ => 1.0,
                    };
                    if (channel is RideChannel.Gx or RideChannel.Gy or RideChannel.Gz)
                    {
                        (GyroStatedRadians, GyroSource) = (profile.AngularRate == AngularRateUnit.RadiansPerSecond, UnitSources.Profile);
                    }
                    else if (channel == RideChannel.Speed)
                    {
                        SpeedSource = UnitSources.Profile;
                    }

                    break;
                }
            }
        }

        if (profile.Acceleration != AccelerationUnit.Auto)
        {
            Acceleration = profile.Acceleration;
            AccelerationSource = UnitSources.Profile;
        }

        TimeBase = profile.Time;
        if (TimeBase != TimeBase.Auto)
        {
            TimeSource = UnitSources.Profile;
        }
    }

    /// <summary>Maps a header cell to a channel and the unit it names, if any ("accel_x_g" → Ax, "g").</summary>
    internal bool TryGuess(string rawName, out RideChannel channel, out string? unit)
    {
        var name = CleanHeaderCell(rawName).ToLowerInvariant();
        unit = null;
        if (name.Length > 2 && (name[^1] == ')' || name[^1] == ']'))
        {
            var open = name.LastIndexOf(name[^1] == ')' ? '(' : '[');
            if (open > 0)
            {
                unit = name[(open + 1)..^1].Trim();
                name = name[..open].Trim();
            }
        }

        name = NormaliseSeparators(name);
        if (TryAlias(name, out channel))
        {
            // "GForceX" names its unit: g.
            unit ??= channel is RideChannel.Ax or RideChannel.Ay or RideChannel.Az && name.StartsWith("gforce", StringComparison.Ordinal) ? "g" : null;
            return true;
        }

        if (unit is null)
        {
            foreach (var suffix in UnitSuffixes)
            {
                if (name.Length > suffix.Length && name.EndsWith(suffix, StringComparison.Ordinal) && TryAlias(name[..^suffix.Length], out channel))
                {
                    unit = suffix[1..];
                    return true;
                }
            }
        }

        return false;
    }

    private void SetHeaderAcceleration(AccelerationUnit unit)
    {
        if (Acceleration == AccelerationUnit.Auto)
        {
            (Acceleration, AccelerationSource) = (unit, UnitSources.Header);
        }
    }

    private static string NormaliseSeparators(string name)
    {
        Span<char> buffer = stackalloc char[Math.Min(name.Length, 256)];
        var length = 0;
        foreach (var c in name.AsSpan(0, buffer.Length))
        {
            var mapped = c is ' ' or '-' or '.' or '/' ? '_' : c;
            if (mapped == '_' && (length == 0 || buffer[length - 1] == '_'))
            {
                continue;
            }

            buffer[length++] = mapped;
        }

        return new string(buffer[..length]).TrimEnd('_');
    }

    private static bool TryAlias(string name, out RideChannel channel)
    {
        if (name.StartsWith("gps_", StringComparison.Ordinal))
        {
            name = name[4..];
        }

        var key = name.Replace("_", "", StringComparison.Ordinal);
        if (Aliases.TryGetValue(key, out channel))
        {
            return true;
        }

        // "latgps", "speedgps": a GPS channel named with its source after it.
        return key.Length > 3 && key.EndsWith("gps", StringComparison.Ordinal) && Aliases.TryGetValue(key[..^3], out channel)
            && channel is RideChannel.Speed or RideChannel.Lat or RideChannel.Lon or RideChannel.Alt;
    }

    private bool TryApplyUnit(RideChannel channel, string? unit)
    {
        if (unit is null)
        {
            return true;
        }

        var u = unit.Replace(" ", "", StringComparison.Ordinal).ToLowerInvariant();
        var index = (int)channel;
        switch (channel)
        {
            case RideChannel.Timestamp:
                TimeUnit = u switch
                {
                    "s" or "sec" or "secs" or "seconds" or "unixtime" or "epoch" => TimeUnitHint.Seconds,
                    "ms" or "msec" or "millis" or "milliseconds" => TimeUnitHint.Milliseconds,
                    "us" or "µs" or "μs" or "micros" or "microseconds" => TimeUnitHint.Microseconds,
                    "ns" or "nanos" or "nanoseconds" => TimeUnitHint.Nanoseconds,
                    "utc" or "iso" or "iso8601" or "txt" or "text" or "local" => TimeUnitHint.Text,
                    _ => TimeUnitHint.Unknown,
                };
                if (TimeUnit != TimeUnitHint.Unknown && TimeBase == TimeBase.Auto)
                {
                    TimeSource = UnitSources.Header;
                }

                return TimeUnit != TimeUnitHint.Unknown;
            case RideChannel.Ax or RideChannel.Ay or RideChannel.Az:
                if (u == "g")
                {
                    SetHeaderAcceleration(AccelerationUnit.G);
                    return true;
                }

                if (u is "m/s²" or "m/s2" or "m/s^2" or "ms2" or "mps2" or "m_s2" or "ms-2" or "m/s/s" or "ms^-2")
                {
                    SetHeaderAcceleration(AccelerationUnit.MetersPerSecondSquared);
                    return true;
                }

                return false;
            case RideChannel.Gx or RideChannel.Gy or RideChannel.Gz:
                if (u is "dps" or "deg/s" or "°/s" or "degs" or "deg_s" or "degree/s" or "degrees/s")
                {
                    (GyroStatedRadians, GyroSource) = (false, UnitSources.Header);
                    return true;
                }

                if (u is "rad/s" or "rads" or "rps" or "rad_s" or "radians/s")
                {
                    Scale[index] = RadiansToDegrees;
                    (GyroStatedRadians, GyroSource) = (true, UnitSources.Header);
                    return true;
                }

                return false;
            case RideChannel.Mx or RideChannel.My or RideChannel.Mz:
                Scale[index] = u switch { "ut" or "µt" or "μt" or "microtesla" => 1.0, "nt" => 0.001, "mg" => 0.1, "gauss" or "g" => 100.0, _ => double.NaN };
                return !double.IsNaN(Scale[index]);
            case RideChannel.Speed:
                Scale[index] = u switch
                {
                    "km/h" or "kmh" or "kph" or "km_h" => 1.0,
                    "m/s" or "mps" or "ms" or "m_s" => 3.6,
                    "mph" => 1.609344,
                    "kn" or "kt" or "knots" => 1.852,
                    _ => double.NaN,
                };
                if (double.IsNaN(Scale[index]))
                {
                    return false;
                }

                SpeedSource = UnitSources.Header;
                return true;
            case RideChannel.Lat or RideChannel.Lon:
                return u is "deg" or "°" or "degrees" or "wgs84";
            case RideChannel.Alt:
                Scale[index] = u switch { "m" or "meters" or "metres" => 1.0, "ft" or "feet" => 0.3048, _ => double.NaN };
                return !double.IsNaN(Scale[index]);
            default:
                return false;
        }
    }

    private static Dictionary<string, RideChannel> BuildAliases()
    {
        var aliases = new Dictionary<string, RideChannel>(StringComparer.Ordinal);
        foreach (var time in new[] { "timestamp", "time", "t", "ts", "datetime", "utc", "utctime", "timeutc", "epoch", "elapsed", "elapsedtime", "sampletime", "loggingtime" })
        {
            aliases[time] = RideChannel.Timestamp;
        }

        // Accelerometers with gravity only: "user"/"linear" acceleration (gravity removed) is deliberately not an alias.
        AddAxes(aliases, ["a", "acc", "accel", "accl", "acceleration", "accelerometer", "imuacc", "imuaccel", "gforce", "accelerometeracceleration", "totalacceleration"], RideChannel.Ax);
        AddAxes(aliases, ["g", "gyr", "gyro", "gyroscope", "rot", "rotation", "rate", "angvel", "angularvelocity", "angularrate", "omega", "imugyro", "imugyr", "gyrorotation", "rateofrotation"], RideChannel.Gx);
        AddAxes(aliases, ["m", "mag", "magn", "magnet", "magneto", "magnetometer", "compass", "imumag", "magneticfield"], RideChannel.Mx);
        foreach (var speed in new[] { "speed", "velocity", "vel", "spd", "groundspeed", "speedoverground", "sog", "locationspeed" })
        {
            aliases[speed] = RideChannel.Speed;
        }

        foreach (var lat in new[] { "lat", "latitude", "locationlatitude" })
        {
            aliases[lat] = RideChannel.Lat;
        }

        foreach (var lon in new[] { "lon", "lng", "long", "longitude", "locationlongitude" })
        {
            aliases[lon] = RideChannel.Lon;
        }

        foreach (var alt in new[] { "alt", "altitude", "elevation", "elev", "height", "locationaltitude" })
        {
            aliases[alt] = RideChannel.Alt;
        }

        return aliases;
    }

    private static void AddAxes(Dictionary<string, RideChannel> aliases, string[] prefixes, RideChannel firstAxis)
    {
        string[] axes = ["x", "y", "z"];
        for (var axis = 0; axis < 3; axis++)
        {
            var channel = firstAxis + axis;
            foreach (var prefix in prefixes)
            {
                aliases[prefix + axes[axis]] = channel;
                if (prefix.Length > 1)
                {
                    aliases[axes[axis] + prefix] = channel;
                }
            }
        }
    }

    public override string ToString() =>
        string.Join(", ", Enum.GetValues<RideChannel>().Where(Has).Select(c => string.Create(CultureInfo.InvariantCulture, $"{c}={ColumnIndex[(int)c]}")));
}
