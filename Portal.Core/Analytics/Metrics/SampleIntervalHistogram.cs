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
    // The two most recent bins: a steady rate sits on a bin edge as often as not (0.01 s is exactly one),
    // and rounding then alternates its intervals between the two neighbours.
    private double _recentLow = double.PositiveInfinity, _recentHigh = double.NegativeInfinity;
    private double _previousLow = double.PositiveInfinity, _previousHigh = double.NegativeInfinity;
    private int _recentBin, _previousBin;

    public void Add(double interval)
    {
        // Intervals of a steady rate fall into the previous bin (timestamps in ms or ISO make them differ in
        // the last bits, so an equality test would miss): a range check instead of a logarithm per sample.
        int bin;
        if (interval >= _recentLow && interval < _recentHigh)
        {
            bin = _recentBin;
        }
        else if (interval >= _previousLow && interval < _previousHigh)
        {
            bin = _previousBin;
        }
        else
        {
            if (!(interval > 0) || double.IsInfinity(interval))
            {
                return;
            }

            bin = Math.Clamp((int)(Math.Log10(interval / MinInterval) * BinsPerDecade), 0, BinCount - 1);
            (_previousLow, _previousHigh, _previousBin) = (_recentLow, _recentHigh, _recentBin);
            _recentBin = bin;
            var inner = bin > 0 && bin < BinCount - 1; // the end bins also hold everything beyond them
            _recentLow = inner ? MinInterval * Math.Pow(10, bin / BinsPerDecade) : double.PositiveInfinity;
            _recentHigh = inner ? MinInterval * Math.Pow(10, (bin + 1) / BinsPerDecade) : double.NegativeInfinity;
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

    /// <summary>The share of intervals more than <paramref name="tolerance"/> (relative) away from the median: how irregular the clock is.</summary>
    public double IrregularShare(double tolerance)
    {
        if (MedianInterval() is not { } median || _total == 0)
        {
            return 0;
        }

        long outside = 0;
        for (var bin = 0; bin < BinCount; bin++)
        {
            if (_counts[bin] > 0 && Math.Abs((_sums[bin] / _counts[bin]) - median) > tolerance * median)
            {
                outside += _counts[bin];
            }
        }

        return (double)outside / _total;
    }

    public long Count => _total;
}
