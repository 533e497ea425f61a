namespace Portal.Core.Analytics.Metrics;

/// <summary>
/// Streams one chart channel into at most <see cref="MaxBuckets"/> time buckets without knowing
/// the ride's length: each bucket keeps its minimum and maximum (so peaks survive), and when the
/// buckets run out, neighbours are merged pairwise and the bucket width doubles.
/// Output: up to two points per bucket, in time order.
/// </summary>
internal sealed class TraceDownsampler
{
    public const int MaxBuckets = 2500;
    private const double InitialBucketWidthS = 0.02;

    private readonly double[] _minT = new double[MaxBuckets];
    private readonly double[] _minV = new double[MaxBuckets];
    private readonly double[] _maxT = new double[MaxBuckets];
    private readonly double[] _maxV = new double[MaxBuckets];
    private readonly bool _keepExtremes;
    private double _width = InitialBucketWidthS;
    private int _count;
    private long _currentIndex = -1;
    private double _currentEnd = double.NegativeInfinity;

    /// <param name="keepExtremes">Min and max per bucket (signals); otherwise the first value (positions, where a min/max pair would be no point on the track).</param>
    public TraceDownsampler(bool keepExtremes) => _keepExtremes = keepExtremes;

    public void Add(double t, double value)
    {
        if (double.IsNaN(value))
        {
            return;
        }

        // Hot path: the sample falls into the open bucket (one comparison, no division).
        if (t < _currentEnd && _count > 0)
        {
            if (_keepExtremes)
            {
                var open = _count - 1;
                if (value < _minV[open])
                {
                    _minV[open] = value;
                    _minT[open] = t;
                }
                else if (value > _maxV[open])
                {
                    _maxV[open] = value;
                    _maxT[open] = t;
                }
            }

            return;
        }

        var index = (long)Math.Floor(t / _width);
        if (index != _currentIndex)
        {
            // Sparse points (gaps, decimated input) may not pair up at once: widen until a bucket is free.
            while (_count == MaxBuckets)
            {
                Merge();
                index = (long)Math.Floor(t / _width);
            }

            if (index != _currentIndex)
            {
                _minT[_count] = _maxT[_count] = t;
                _minV[_count] = _maxV[_count] = value;
                _count++;
                _currentIndex = index;
                _currentEnd = (index + 1) * _width;
                return;
            }
        }

        if (!_keepExtremes)
        {
            return;
        }

        var last = _count - 1;
        if (value < _minV[last])
        {
            _minV[last] = value;
            _minT[last] = t;
        }

        if (value > _maxV[last])
        {
            _maxV[last] = value;
            _maxT[last] = t;
        }
    }

    private void Merge()
    {
        _width *= 2;
        var write = -1;
        long writeIndex = long.MinValue;
        for (var read = 0; read < _count; read++)
        {
            var index = (long)Math.Floor(_minT[read] / _width);
            if (index == writeIndex && write >= 0)
            {
                if (_keepExtremes)
                {
                    if (_minV[read] < _minV[write])
                    {
                        _minV[write] = _minV[read];
                        _minT[write] = _minT[read];
                    }

                    if (_maxV[read] > _maxV[write])
                    {
                        _maxV[write] = _maxV[read];
                        _maxT[write] = _maxT[read];
                    }
                }

                continue;
            }

            write++;
            writeIndex = index;
            _minT[write] = _minT[read];
            _minV[write] = _minV[read];
            _maxT[write] = _maxT[read];
            _maxV[write] = _maxV[read];
        }

        _count = write + 1;
        _currentIndex = _count == 0 ? -1 : (long)Math.Floor(_minT[_count - 1] / _width);
        _currentEnd = (_currentIndex + 1) * _width;
    }

    public Trace ToTrace(string name, string unit)
    {
        var times = new List<double>(_count * 2);
        var values = new List<double>(_count * 2);
        for (var i = 0; i < _count; i++)
        {
            if (!_keepExtremes || _minT[i] == _maxT[i])
            {
                times.Add(_minT[i]);
                values.Add(_minV[i]);
                continue;
            }

            var minFirst = _minT[i] < _maxT[i];
            times.Add(minFirst ? _minT[i] : _maxT[i]);
            values.Add(minFirst ? _minV[i] : _maxV[i]);
            times.Add(minFirst ? _maxT[i] : _minT[i]);
            values.Add(minFirst ? _maxV[i] : _minV[i]);
        }

        return new Trace(name, unit, [.. times], [.. values]);
    }
}
