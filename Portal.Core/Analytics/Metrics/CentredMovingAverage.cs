namespace Portal.Core.Analytics.Metrics;

/// <summary>One sample as it travels through the smoothing delay line (plain fields, copied by value).</summary>
#pragma warning disable CA1051, CA1815 // A hot-path value type written once per sample.
internal struct StageSample
{
    public double T;
    public double Ax, Ay, Az;
    public double YawRateDps;
    public double LateralAccel;
    public double SpeedKmh;
    public double LeanSameRad, LeanFlippedRad;
    public double Lat, Lon;
}

/// <summary>The centred 0.5 s means of the smoothed channels around one sample.</summary>
internal struct SmoothedChannels
{
    public double Ax, Ay, Az;
    public double YawRateDps;
    public double LateralAccel;
}
#pragma warning restore CA1051, CA1815

/// <summary>
/// "Smoothed" of ride-format.md: a centred moving average over 0.5 s, by time (so any rate works).
/// A ring buffer delays the output by a quarter second; running sums keep it O(1) per sample.
/// </summary>
internal sealed class CentredMovingAverage
{
    public const double HalfWindowS = 0.25;

    // 8192 slots hold a 0.5 s window up to ~16 kHz; beyond that the window is shortened, never overrun.
    private const int Capacity = 8192;
    private const int Mask = Capacity - 1;

    private readonly StageSample[] _ring = new StageSample[Capacity];
    private long _tail, _centre, _head;
    private double _sumAx, _sumAy, _sumAz, _sumYaw, _sumLateral;

    public void Push(in StageSample sample)
    {
        ref var slot = ref _ring[_head & Mask];
        slot = sample;
        _head++;
        _sumAx += sample.Ax;
        _sumAy += sample.Ay;
        _sumAz += sample.Az;
        _sumYaw += sample.YawRateDps;
        _sumLateral += sample.LateralAccel;
    }

    /// <summary>
    /// Emits the next centre whose window is complete, given that the next sample arrives at
    /// <paramref name="nextT"/> (pass +∞ to flush at the end of the ride).
    /// </summary>
    public bool TryPop(double nextT, out StageSample centre, out SmoothedChannels smoothed)
    {
        if (_centre >= _head)
        {
            centre = default;
            smoothed = default;
            return false;
        }

        ref var c = ref _ring[_centre & Mask];
        var full = _head - _tail >= Capacity - 1;
        if (!(nextT > c.T + HalfWindowS) && !full)
        {
            centre = default;
            smoothed = default;
            return false;
        }

        while (_tail < _centre && (_ring[_tail & Mask].T < c.T - HalfWindowS || _head - _tail >= Capacity - 1))
        {
            ref var old = ref _ring[_tail & Mask];
            _sumAx -= old.Ax;
            _sumAy -= old.Ay;
            _sumAz -= old.Az;
            _sumYaw -= old.YawRateDps;
            _sumLateral -= old.LateralAccel;
            _tail++;
        }

        var count = (double)(_head - _tail);
        smoothed.Ax = _sumAx / count;
        smoothed.Ay = _sumAy / count;
        smoothed.Az = _sumAz / count;
        smoothed.YawRateDps = _sumYaw / count;
        smoothed.LateralAccel = _sumLateral / count;
        centre = c;
        _centre++;
        return true;
    }
}
