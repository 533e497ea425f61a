using Portal.Core.Analytics;

namespace Portal.Components.Charts;

/// <summary>
/// The trace names the ride charts look for (case-insensitive), with the aliases they accept,
/// so the analytics engine and the charts agree without a hard dependency on spelling.
/// </summary>
public static class RideTraceNames
{
    public static readonly IReadOnlyList<string> Speed = ["speed", "speed_kmh"];
    public static readonly IReadOnlyList<string> LongitudinalAcceleration = ["accel_long", "longitudinal_accel", "long_accel", "ax"];
    public static readonly IReadOnlyList<string> LateralAcceleration = ["accel_lat", "lateral_accel", "lat_accel", "ay"];
    public static readonly IReadOnlyList<string> Lean = ["lean", "lean_deg", "roll"];
    public static readonly IReadOnlyList<string> Latitude = ["lat", "latitude"];
    public static readonly IReadOnlyList<string> Longitude = ["lon", "lng", "longitude"];

    /// <summary>The first channel whose name is one of <paramref name="names"/>, in the order of the names.</summary>
    public static Trace? Find(this RideTraces? traces, IReadOnlyList<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        if (traces is null)
        {
            return null;
        }

        foreach (var name in names)
        {
            foreach (var channel in traces.Channels)
            {
                if (string.Equals(channel.Name, name, StringComparison.OrdinalIgnoreCase))
                {
                    return channel;
                }
            }
        }

        return null;
    }
}
