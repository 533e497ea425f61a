using Portal.Core.Analytics;
using Portal.Core.Analytics.Metrics;

namespace Portal.Components.Charts;

/// <summary>The analytics engine's trace names (<see cref="TraceNames"/>) the ride charts look for.</summary>
public static class RideTraceNames
{
    public static readonly IReadOnlyList<string> Speed = [TraceNames.Speed];
    public static readonly IReadOnlyList<string> LongitudinalAcceleration = [TraceNames.LongitudinalAcceleration];
    public static readonly IReadOnlyList<string> LateralAcceleration = [TraceNames.LateralAcceleration];
    public static readonly IReadOnlyList<string> Lean = [TraceNames.Lean];
    public static readonly IReadOnlyList<string> Latitude = [TraceNames.Latitude];
    public static readonly IReadOnlyList<string> Longitude = [TraceNames.Longitude];

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
