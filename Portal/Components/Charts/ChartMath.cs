using Portal.Core.Analytics;

namespace Portal.Components.Charts;

/// <summary>Small numeric helpers shared by the ride charts.</summary>
internal static class ChartMath
{
    public const double StandardGravity = 9.80665;

    /// <summary>Values of <paramref name="trace"/> in g, converting from m/s² when that is its unit.</summary>
    public static double[] ToG(Trace trace) =>
        IsG(trace.Unit) ? trace.Values : Array.ConvertAll(trace.Values, value => value / StandardGravity);

    public static bool IsG(string unit) => string.Equals(unit.Trim(), "g", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// <paramref name="values"/> (sampled at <paramref name="t"/>, ascending) linearly interpolated
    /// at <paramref name="at"/>; NaN outside the sampled range.
    /// </summary>
    public static double[] Interpolate(double[] t, double[] values, double[] at)
    {
        var result = new double[at.Length];
        for (var i = 0; i < at.Length; i++)
        {
            var target = at[i];
            if (t.Length == 0 || !(target >= t[0]) || !(target <= t[^1]))
            {
                result[i] = double.NaN;
                continue;
            }

            var found = Array.BinarySearch(t, target);
            if (found >= 0)
            {
                result[i] = values[found];
                continue;
            }

            // ~found is the first sample after target; the range check above makes it ≥ 1.
            var after = ~found;
            var before = after - 1;
            var fraction = (target - t[before]) / (t[after] - t[before]);
            result[i] = values[before] + ((values[after] - values[before]) * fraction);
        }

        return result;
    }

    /// <summary>The values of <paramref name="other"/> at the sample times of <paramref name="reference"/>.</summary>
    public static double[] AlignTo(Trace reference, Trace other, double[] otherValues) =>
        ReferenceEquals(reference.T, other.T) || reference.T.AsSpan().SequenceEqual(other.T)
            ? otherValues
            : Interpolate(other.T, otherValues, reference.T);

    /// <summary>The smallest and largest finite value over all arrays, or null when there is none.</summary>
    public static ChartRange? Extent(IEnumerable<double[]> arrays)
    {
        var min = double.PositiveInfinity;
        var max = double.NegativeInfinity;
        foreach (var array in arrays)
        {
            foreach (var value in array)
            {
                if (double.IsFinite(value))
                {
                    min = Math.Min(min, value);
                    max = Math.Max(max, value);
                }
            }
        }

        return max > min ? new ChartRange(min, max) : null;
    }
}
