namespace Portal.Core.Analytics.Metrics;

/// <summary>
/// The median sample interval in constant memory: intervals are counted in logarithmic bins
/// (0.5 % wide, 1 µs … 100 s) that also keep their sum, so the median bin's mean is exact for a
/// constant-rate file and within half a bin otherwise.
/// </summary>
internal sealed class SampleIntervalHistogram
{
    private const double MinInterval = 1e-6;
    private const double BinsPerDecade = 460; // ln(10)/460 ≈ 0.5 % per bin
    private const int BinCount = (int)(8 * BinsPerDecade) + 2;

    private readonly long[] _counts = new long[BinCount];
    private readonly double[] _sums = new double[BinCount];
    private long _total;
    private double _lastInterval = double.NaN;
    private int _lastBin;

    public void Add(double interval)
    {
        if (!(interval > 0) || double.IsInfinity(interval))
        {
            return;
        }

        // Constant-rate files repeat the same interval: skip the logarithm then.
        int bin;
        if (interval == _lastInterval)
        {
            bin = _lastBin;
        }
        else
        {
            bin = Math.Clamp((int)(Math.Log10(interval / MinInterval) * BinsPerDecade), 0, BinCount - 1);
            _lastInterval = interval;
            _lastBin = bin;
        }

        _counts[bin]++;
        _sums[bin] += interval;
        _total++;
    }

    /// <summary>The median interval in seconds, or null when fewer than one interval was seen.</summary>
    public double? MedianInterval()
    {
        if (_total == 0)
        {
            return null;
        }

        var half = (_total + 1) / 2;
        long seen = 0;
        for (var bin = 0; bin < BinCount; bin++)
        {
            seen += _counts[bin];
            if (seen >= half)
            {
                return _sums[bin] / _counts[bin];
            }
        }

        return null;
    }
}
