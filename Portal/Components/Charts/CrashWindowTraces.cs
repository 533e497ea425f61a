using Portal.Core.Analytics;

namespace Portal.Components.Charts;

/// <summary>Chart channels computed from raw samples, for <see cref="CrashWindowChart"/>.</summary>
public static class CrashWindowTraces
{
    /// <summary>
    /// |a| in g, |ω| in °/s and speed in km/h at every sample (speed NaN between GPS fixes is left
    /// as NaN; the chart skips it). Lean needs the analytics engine and is not derived here.
    /// </summary>
    public static (Trace AccelerationMagnitude, Trace AngularRateMagnitude, Trace Speed) FromSamples(IReadOnlyList<RideSample> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        var t = new double[samples.Count];
        var accel = new double[samples.Count];
        var rate = new double[samples.Count];
        var speed = new double[samples.Count];
        for (var i = 0; i < samples.Count; i++)
        {
            var s = samples[i];
            t[i] = s.T;
            accel[i] = Math.Sqrt((s.Ax * s.Ax) + (s.Ay * s.Ay) + (s.Az * s.Az)) / ChartMath.StandardGravity;
            rate[i] = Math.Sqrt((s.Gx * s.Gx) + (s.Gy * s.Gy) + (s.Gz * s.Gz));
            speed[i] = s.Speed;
        }

        return (new Trace("accel_magnitude", "g", t, accel), new Trace("rate_magnitude", "°/s", t, rate), new Trace("speed", "km/h", t, speed));
    }
}
