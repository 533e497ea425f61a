namespace Portal.Components.Charts;

/// <summary>
/// Reduces series to what a chart can show before they reach ScottPlot, so the SVG stays small
/// and rendering stays fast however long the ride is.
/// </summary>
public static class ChartDownsampler
{
    /// <summary>The default cap on points per series; roughly two per horizontal pixel of a wide chart.</summary>
    public const int DefaultMaxPoints = 2000;

    /// <summary>True when no finite x is smaller than the finite x before it (a time axis).</summary>
    public static bool IsNondecreasing(ReadOnlySpan<double> x)
    {
        var previous = double.NegativeInfinity;
        foreach (var value in x)
        {
            if (!double.IsFinite(value))
            {
                continue;
            }

            if (value < previous)
            {
                return false;
            }

            previous = value;
        }

        return true;
    }

    /// <summary>
    /// For x that never decreases: splits the x range into <c>maxPoints / 2</c> equal buckets (one per
    /// pixel column) and keeps each bucket's minimum and maximum in their original order, so every
    /// peak and the global extremes survive. Pairs with a non-finite x or y are dropped.
    /// </summary>
    public static (double[] X, double[] Y) MinMaxPerBucket(double[] x, double[] y, int maxPoints = DefaultMaxPoints)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPoints, 2);
        if (x.Length != y.Length)
        {
            throw new ArgumentException($"x has {x.Length} values but y has {y.Length}.", nameof(y));
        }

        var (finiteX, finiteY) = DropNonFinite(x, y);
        if (finiteX.Length <= maxPoints)
        {
            return (finiteX, finiteY);
        }

        var buckets = maxPoints / 2;
        var first = finiteX[0];
        var span = finiteX[^1] - first;
        var byIndex = !(span > 0) || !double.IsFinite(span);
        var keptX = new List<double>(maxPoints);
        var keptY = new List<double>(maxPoints);
        var bucket = -1;
        int minIndex = 0, maxIndex = 0;
        for (var i = 0; i < finiteX.Length; i++)
        {
            var b = byIndex
                ? (int)((long)i * buckets / finiteX.Length)
                : Math.Min(buckets - 1, (int)((finiteX[i] - first) / span * buckets));
            if (b != bucket)
            {
                if (bucket >= 0)
                {
                    Emit(minIndex, maxIndex);
                }

                bucket = b;
                minIndex = maxIndex = i;
                continue;
            }

            if (finiteY[i] < finiteY[minIndex])
            {
                minIndex = i;
            }

            if (finiteY[i] > finiteY[maxIndex])
            {
                maxIndex = i;
            }
        }

        Emit(minIndex, maxIndex);
        return (keptX.ToArray(), keptY.ToArray());

        void Emit(int a, int b)
        {
            var (earlier, later) = a <= b ? (a, b) : (b, a);
            keptX.Add(finiteX[earlier]);
            keptY.Add(finiteY[earlier]);
            if (later != earlier)
            {
                keptX.Add(finiteX[later]);
                keptY.Add(finiteY[later]);
            }
        }
    }

    /// <summary>
    /// For paths and scatters (x may go back): keeps every k-th point plus the points holding the
    /// extremes of x and y and the last point, in their original order. A NaN pair is a path break
    /// and is kept unless the previous kept pair is already one.
    /// </summary>
    public static (double[] X, double[] Y) Decimate(double[] x, double[] y, int maxPoints = DefaultMaxPoints)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPoints, 8);
        if (x.Length != y.Length)
        {
            throw new ArgumentException($"x has {x.Length} values but y has {y.Length}.", nameof(y));
        }

        if (x.Length <= maxPoints)
        {
            return (x, y);
        }

        int minX = -1, maxX = -1, minY = -1, maxY = -1, last = -1;
        for (var i = 0; i < x.Length; i++)
        {
            if (!double.IsFinite(x[i]) || !double.IsFinite(y[i]))
            {
                continue;
            }

            if (minX < 0 || x[i] < x[minX]) { minX = i; }
            if (maxX < 0 || x[i] > x[maxX]) { maxX = i; }
            if (minY < 0 || y[i] < y[minY]) { minY = i; }
            if (maxY < 0 || y[i] > y[maxY]) { maxY = i; }
            last = i;
        }

        // Five places are reserved for the extremes and the last point.
        var stride = (int)Math.Ceiling(x.Length / (double)(maxPoints - 5));
        var keptX = new List<double>(maxPoints);
        var keptY = new List<double>(maxPoints);
        var previousWasBreak = true;
        for (var i = 0; i < x.Length; i++)
        {
            var isBreak = !double.IsFinite(x[i]) || !double.IsFinite(y[i]);
            if (isBreak)
            {
                if (!previousWasBreak)
                {
                    keptX.Add(double.NaN);
                    keptY.Add(double.NaN);
                    previousWasBreak = true;
                }

                continue;
            }

            if (i % stride == 0 || i == minX || i == maxX || i == minY || i == maxY || i == last)
            {
                keptX.Add(x[i]);
                keptY.Add(y[i]);
                previousWasBreak = false;
            }
        }

        return (keptX.ToArray(), keptY.ToArray());
    }

    private static (double[] X, double[] Y) DropNonFinite(double[] x, double[] y)
    {
        var finite = 0;
        for (var i = 0; i < x.Length; i++)
        {
            if (double.IsFinite(x[i]) && double.IsFinite(y[i]))
            {
                finite++;
            }
        }

        if (finite == x.Length)
        {
            return (x, y);
        }

        var fx = new double[finite];
        var fy = new double[finite];
        var j = 0;
        for (var i = 0; i < x.Length; i++)
        {
            if (double.IsFinite(x[i]) && double.IsFinite(y[i]))
            {
                fx[j] = x[i];
                fy[j] = y[i];
                j++;
            }
        }

        return (fx, fy);
    }
}
