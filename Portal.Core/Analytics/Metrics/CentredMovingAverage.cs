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
/// A ring buffer delays the output by a quarter second (longer while a centre waits for its smoothed GPS
/// speed); running sums keep it O(1) per sample.
/// </summary>
internal sealed class CentredMovingAverage
{
    public const double HalfWindowS = 0.25;

    // 8192 slots hold a 0.5 s window up to ~16 kHz, and the GPS smoother's ~4.5 s wait up to ~1.8 kHz; beyond
    // that a centre is emitted early (window shortened, or the filter's speed instead of the smoothed one), never overrun.
    private const int Capacity = 8192;
    private const int Mask = Capacity - 1;

    private readonly StageSample[] _ring = new StageSample[Capacity];
    private long _tail, _centre, _windowEnd, _head; // the window is [tail, windowEnd); centres may wait behind the head
    private double _sumAx, _sumAy, _sumAz, _sumYaw, _sumLateral;

    /// <summary>The slot the next sample is written into, in place (no copy); <see cref="CommitPush"/> then appends it.</summary>
    public ref StageSample NextSlot() => ref _ring[_head & Mask];

    public void CommitPush() => _head++;

    /// <summary>The sample a <see cref="TryPop"/> returned, read in place; valid until the next push.</summary>
    public ref readonly StageSample At(long index) => ref _ring[index & Mask];

    /// <summary>
    /// Emits the next centre whose window is complete, given that the next sample arrives at
    /// <paramref name="nextT"/> (pass +∞ to flush at the end of the ride); <paramref name="centre"/>
    /// is its index for <see cref="At"/>. A centre after <paramref name="readyUntilT"/> waits (its GPS
    /// speed is not final yet) unless the ring is full.
    /// </summary>
    public bool TryPop(double nextT, double readyUntilT, out long centre, out SmoothedChannels smoothed)
    {
        centre = _centre;
        if (_centre >= _head)
        {
            smoothed = default;
            return false;
        }

        ref readonly var c = ref _ring[_centre & Mask];
        var full = _head - _tail >= Capacity - 1;
        if (!full && (!(nextT > c.T + HalfWindowS) || c.T > readyUntilT))
        {
            smoothed = default;
            return false;
        }

        // The window's end follows the centre (samples up to c.T + ½ window), not the head: centres may wait
        // seconds behind the newest sample for their GPS speed.
        while (_windowEnd < _head && (_ring[_windowEnd & Mask].T <= c.T + HalfWindowS || _windowEnd <= _centre))
        {
            ref readonly var added = ref _ring[_windowEnd & Mask];
            _sumAx += added.Ax;
            _sumAy += added.Ay;
            _sumAz += added.Az;
            _sumYaw += added.YawRateDps;
            _sumLateral += added.LateralAccel;
            _windowEnd++;
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

        var inverseCount = 1.0 / (_windowEnd - _tail);
        smoothed.Ax = _sumAx * inverseCount;
        smoothed.Ay = _sumAy * inverseCount;
        smoothed.Az = _sumAz * inverseCount;
        smoothed.YawRateDps = _sumYaw * inverseCount;
        smoothed.LateralAccel = _sumLateral * inverseCount;
        _centre++;
        return true;
    }
}
