using System.Globalization;
using System.Text;

namespace Portal.Core.Analytics.Metrics;

/// <summary>
/// Crash detection per ride-format.md, streaming: the rider was moving (≥ 10 km/h in the 3 s
/// before), a violent event follows (impact, tumbling or free fall), and the rider ends at rest
/// lying down. Every threshold is a physical figure chosen to sit between riding and crashing:
/// <list type="bullet">
/// <item>Impact ≥ 5 g: potholes and kerbs are 3–4 g spikes, hard braking ~1.1 g.</item>
/// <item>Tumbling: ≥ 150° of rotation within 0.5 s (300 °/s on average). A rider's torso rolls into
/// even a fast track chicane at ≤ ~100–150 °/s, for a fraction of that angle.</item>
/// <item>Free fall: |a| &lt; 0.3 g for ≥ 0.15 s (a ~10 cm drop); riding always presses the rider on the seat.</item>
/// <item>Sliding: lying (gravity more than 60° off z) for 0.5 s while the GPS still moves at ≥ 10 km/h.
/// Riding never looks like that — in a balanced turn at any lean and under 1.1 g braking the specific
/// force stays within 50° of z — so a lowside is found even when its ground impact is soft.</item>
/// <item>Lying: at rest (rate &lt; 30 °/s, |a| within 0.25 g of 1 g) with gravity more than 60° off the
/// body's z axis, for 2 s. A knee-down lean at 60° does not count: in a balanced turn the
/// accelerometer still reads along z.</item>
/// </list>
/// The crash time is the start of the loss of control: going back from the violent event over
/// the unbroken stretch where the body rotates faster than 60 °/s, |a| leaves 0.5–2 g, or it lies.
/// A ring buffer keeps the last seconds at full rate for that search and for the ±10 s crash window.
/// </summary>
internal sealed class CrashDetector
{
    private const double G = LeanEstimator.StandardGravity;
    private const double MovingSpeedKmh = 10;
    private const double MovingLookBackS = 3;
    private const double ImpactMs2 = 5 * G;
    private const double FreeFallMs2 = 0.3 * G;
    private const double FreeFallMinS = 0.15;
    private const double TumblingWindowS = 0.5;
    private const double TumblingRotationDeg = 150;
    private const double SlidingMinS = 0.5;
    private const double LossOfControlRateDps = 60;
    private const double LossOfControlLowMs2 = 0.5 * G;
    private const double LossOfControlHighMs2 = 2 * G;
    private const double LossOfControlGapS = 0.1;
    private const double MaxLossOfControlS = 3;
    private const double RestRateDps = 30;
    private const double RestAccelToleranceMs2 = 0.25 * G;
    private const double LyingCosine = 0.5; // gravity more than 60° away from +z
    private const double LyingConfirmS = 2;
    private const double ConfirmTimeoutS = 20;
    private const double NewEventAfterS = 2;
    private const double WindowS = 10;

    // 32768 samples keep 40 s at 800 Hz: the 10 s before the crash plus the time it takes to confirm.
    private const int Capacity = 32768;
    private const int Mask = Capacity - 1;

    private readonly Slot[] _ring = new Slot[Capacity];
    private long _head, _rotationTail;
    private double _rotationSum;
    private double _lastT;
    private double _freeFallStart = double.NaN;
    private double _slideStart = double.NaN;
    private double _lastRejectedViolentT = double.NegativeInfinity;
    private RideChannels _channels = new(false, false, false, false);

    private enum State { Watching, Candidate, Confirmed }

    private State _state;
    private double _startT, _lastViolentT, _speedBefore, _speedAtStart, _startLat, _startLon, _yawBefore;
    private double _peakAccel, _peakRate, _restStart = double.NaN;
    private double _restAx, _restAy, _restAz;
    private long _restCount;
    private bool _sawFreeFall, _sawImpact, _sawTumbling, _sawSliding;
    private StringBuilder? _window;
    private double _lastWindowT = double.NegativeInfinity;

    public CrashFinding? Finding { get; private set; }

    public string? WindowCsv => _window?.ToString();

    public void Begin(RideChannels channels) => _channels = channels;

    /// <summary>Feeds one sample; returns true on the sample at which a crash is confirmed.</summary>
    /// <param name="accel">|a| of the sample (m/s²), computed once by the caller.</param>
    /// <param name="clipped">The sample sits at the accelerometer's range: its true peak was higher, so it counts as an impact.</param>
    public bool Add(in RideSample sample, double accel, double speedKmh, double yawRateDps, double lat, double lon, bool clipped = false)
    {
        if (_state == State.Confirmed)
        {
            AppendWindowRow(sample);
            return false;
        }

        var t = sample.T;
        var rate = Math.Sqrt((sample.Gx * sample.Gx) + (sample.Gy * sample.Gy) + (sample.Gz * sample.Gz));
        var dt = _head > 0 ? t - _lastT : 0;
        _lastT = t;

        var slot = _head & Mask;
        if (_head - _rotationTail >= Capacity - 1)
        {
            _rotationSum -= _ring[_rotationTail & Mask].RotationStep;
            _rotationTail++;
        }

        ref var entry = ref _ring[slot];
        entry.Raw = sample;
        entry.Speed = speedKmh;
        entry.Yaw = yawRateDps;
        entry.Lat = lat;
        entry.Lon = lon;
        entry.Accel = accel;
        entry.Rate = rate;
        var rotationStep = rate * dt;
        entry.RotationStep = rotationStep;
        _rotationSum += rotationStep;
        _head++;
        while (_rotationTail < _head - 1 && _ring[_rotationTail & Mask].Raw.T < t - TumblingWindowS)
        {
            _rotationSum -= _ring[_rotationTail & Mask].RotationStep;
            _rotationTail++;
        }

        if (accel < FreeFallMs2)
        {
            if (double.IsNaN(_freeFallStart))
            {
                _freeFallStart = t;
            }
        }
        else
        {
            _freeFallStart = double.NaN;
        }

        var lying = sample.Az < LyingCosine * accel;
        if (lying && speedKmh >= MovingSpeedKmh)
        {
            if (double.IsNaN(_slideStart))
            {
                _slideStart = t;
            }
        }
        else
        {
            _slideStart = double.NaN;
        }

        var freeFall = !double.IsNaN(_freeFallStart) && t - _freeFallStart >= FreeFallMinS;
        var impact = accel >= ImpactMs2 || clipped;
        var tumbling = _rotationSum >= TumblingRotationDeg;
        var sliding = !double.IsNaN(_slideStart) && t - _slideStart >= SlidingMinS;
        var violent = freeFall || impact || tumbling || sliding;

        // A new violent event well after the last one (a hard kerb strike, then a crash seconds
        // later) is a new candidate, so the crash time is not pinned to the earlier spike.
        if (_state == State.Candidate && violent && t - _lastViolentT > NewEventAfterS)
        {
            _state = State.Watching;
            _lastRejectedViolentT = double.NegativeInfinity;
        }

        if (_state == State.Watching)
        {
            if (violent && t - _lastRejectedViolentT > 1)
            {
                StartCandidate(t);
            }
            else if (violent)
            {
                _lastRejectedViolentT = t;
            }
        }

        if (_state != State.Candidate)
        {
            return false;
        }

        _peakAccel = Math.Max(_peakAccel, accel);
        _peakRate = Math.Max(_peakRate, rate);
        if (violent)
        {
            _lastViolentT = t;
            _sawFreeFall |= freeFall;
            _sawImpact |= impact;
            _sawTumbling |= tumbling;
            _sawSliding |= sliding;
            _restStart = double.NaN;
            return false;
        }

        var resting = rate < RestRateDps && Math.Abs(accel - G) < RestAccelToleranceMs2;
        if (resting && sample.Az < LyingCosine * accel)
        {
            if (double.IsNaN(_restStart))
            {
                _restStart = t;
                _restAx = _restAy = _restAz = 0;
                _restCount = 0;
            }

            _restAx += sample.Ax;
            _restAy += sample.Ay;
            _restAz += sample.Az;
            _restCount++;
            if (t - _restStart >= LyingConfirmS)
            {
                Confirm(t);
                return true;
            }
        }
        else
        {
            _restStart = double.NaN;
        }

        if (t - _lastViolentT > ConfirmTimeoutS)
        {
            _state = State.Watching;
            _lastRejectedViolentT = t;
        }

        return false;
    }

    private void StartCandidate(double t)
    {
        var oldest = Math.Max(0, _head - Capacity + 1);
        var start = t;
        var lastActive = t;
        var startIndex = _head - 1;
        for (var j = _head - 1; j >= oldest; j--)
        {
            var s = j & Mask;
            var tj = _ring[s].Raw.T;
            if (tj < t - MaxLossOfControlS)
            {
                break;
            }

            var active = _ring[s].Rate >= LossOfControlRateDps || _ring[s].Accel < LossOfControlLowMs2 || _ring[s].Accel > LossOfControlHighMs2
                || _ring[s].Raw.Az < LyingCosine * _ring[s].Accel;
            if (active)
            {
                start = tj;
                lastActive = tj;
                startIndex = j;
            }
            else if (lastActive - tj > LossOfControlGapS)
            {
                break;
            }
        }

        var speedBefore = double.NaN;
        double yawSum = 0;
        var yawCount = 0;
        for (var j = startIndex; j >= oldest; j--)
        {
            var s = j & Mask;
            var tj = _ring[s].Raw.T;
            if (tj < start - MovingLookBackS)
            {
                break;
            }

            if (!double.IsNaN(_ring[s].Speed) && !(_ring[s].Speed <= speedBefore))
            {
                speedBefore = _ring[s].Speed;
            }

            if (tj >= start - 1)
            {
                yawSum += _ring[s].Yaw;
                yawCount++;
            }
        }

        // Without any speed the "was riding" condition cannot be checked; a crash is then not claimed.
        if (!(speedBefore >= MovingSpeedKmh))
        {
            _lastRejectedViolentT = t;
            return;
        }

        _state = State.Candidate;
        _startT = start;
        _lastViolentT = t;
        _speedBefore = speedBefore;
        _speedAtStart = _ring[startIndex & Mask].Speed;
        _startLat = _ring[startIndex & Mask].Lat;
        _startLon = _ring[startIndex & Mask].Lon;
        _yawBefore = yawCount > 0 ? yawSum / yawCount : 0;
        _peakAccel = 0;
        _peakRate = 0;
        for (var j = startIndex; j < _head; j++)
        {
            _peakAccel = Math.Max(_peakAccel, _ring[j & Mask].Accel);
            _peakRate = Math.Max(_peakRate, _ring[j & Mask].Rate);
        }

        _sawFreeFall = _sawImpact = _sawTumbling = _sawSliding = false;
        _restStart = double.NaN;
    }

    private void Confirm(double t)
    {
        _state = State.Confirmed;
        var restAx = _restAx / _restCount;
        var restAy = _restAy / _restCount;
        var restAz = _restAz / _restCount;
        var restNorm = Math.Sqrt((restAx * restAx) + (restAy * restAy) + (restAz * restAz));
        var tiltDeg = Math.Acos(Math.Clamp(restAz / restNorm, -1, 1)) * GeoMath.RadToDeg;

        // Body y points left: a positive specific force on y at rest means the left side is up.
        var lyingSide = restAy < -0.5 * G ? "left" : restAy > 0.5 * G ? "right" : null;
        var turnSide = _yawBefore > 2 ? "left" : _yawBefore < -2 ? "right" : null;
        var kind = _sawFreeFall ? "highside"
            : lyingSide is not null && lyingSide == turnSide ? "lowside"
            : "unknown";
        var attitude = restAz < -0.5 * restNorm ? "upside down"
            : lyingSide is not null ? $"on the {lyingSide} side"
            : restAx > 0 ? "on the back" : "face down"; // x is the chest's direction: up when lying on the back
        var trigger = _sawFreeFall ? "was thrown into a free fall"
            : _sawTumbling ? "tumbled"
            : _sawImpact ? "took an impact"
            : "slid along the ground";
        var why = kind switch
        {
            "highside" => "was thrown off the bike",
            "lowside" => $"slid out to the inside of a {turnSide} turn",
            _ => "lost control",
        };

        Finding = new CrashFinding(
            TimeS: _startT,
            Kind: kind,
            PeakG: _peakAccel / G,
            PeakRateDps: _peakRate,
            SpeedBeforeKmh: double.IsNaN(_speedAtStart) ? _speedBefore : _speedAtStart,
            Latitude: double.IsNaN(_startLat) ? null : _startLat,
            Longitude: double.IsNaN(_startLon) ? null : _startLon,
            Explanation: string.Create(
                CultureInfo.InvariantCulture,
                $"Riding at {(double.IsNaN(_speedAtStart) ? _speedBefore : _speedAtStart):0} km/h, the rider {why} at {_startT:0.0} s: the body {trigger} (peak {_peakAccel / G:0.0} g, {_peakRate:0} °/s) and came to rest lying {attitude}, {tiltDeg:0}° from upright, at {t:0.0} s."));

        _window = new StringBuilder(256 * 1024);
        _window.Append("timestamp,ax,ay,az,gx,gy,gz");
        if (_channels.HasMagnetometer)
        {
            _window.Append(",mx,my,mz");
        }

        if (_channels.HasSpeed)
        {
            _window.Append(",speed");
        }

        if (_channels.HasPosition)
        {
            _window.Append(",lat,lon");
        }

        if (_channels.HasAltitude)
        {
            _window.Append(",alt");
        }

        _window.Append('\n');
        var first = _head - 1;
        var oldest = Math.Max(0, _head - Capacity + 1);
        while (first > oldest && _ring[(first - 1) & Mask].Raw.T >= _startT - WindowS)
        {
            first--;
        }

        for (var j = first; j < _head; j++)
        {
            AppendWindowRow(_ring[j & Mask].Raw);
        }
    }

    private void AppendWindowRow(in RideSample s)
    {
        if (_window is null || s.T > _startT + WindowS || s.T <= _lastWindowT)
        {
            return;
        }

        _lastWindowT = s.T;
        var w = _window;
        Append(w, s.T, "0.000###");
        Append(w, s.Ax);
        Append(w, s.Ay);
        Append(w, s.Az);
        Append(w, s.Gx);
        Append(w, s.Gy);
        Append(w, s.Gz);
        if (_channels.HasMagnetometer)
        {
            Append(w, s.Mx);
            Append(w, s.My);
            Append(w, s.Mz);
        }

        if (_channels.HasSpeed)
        {
            Append(w, s.Speed);
        }

        if (_channels.HasPosition)
        {
            Append(w, s.Lat, "0.0000000");
            Append(w, s.Lon, "0.0000000");
        }

        if (_channels.HasAltitude)
        {
            Append(w, s.Alt);
        }

        w.Length--; // the trailing comma
        w.Append('\n');
    }

    private static void Append(StringBuilder w, double value, string format = "0.####")
    {
        if (!double.IsNaN(value))
        {
            w.Append(value.ToString(format, CultureInfo.InvariantCulture));
        }

        w.Append(',');
    }

    /// <summary>One ring entry: the raw sample (for the crash window) and what the search needs, side by side in memory.</summary>
    private struct Slot
    {
        public RideSample Raw;
        public double Speed, Yaw, Lat, Lon, Accel, Rate, RotationStep;
    }
}
