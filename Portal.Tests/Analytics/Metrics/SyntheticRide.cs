using Portal.Core.Analytics;
using Portal.Core.Analytics.Metrics;

namespace Portal.Tests.Analytics.Metrics;

/// <summary>
/// Builds physically consistent samples for unit tests: a point rider whose speed, heading and
/// lean follow the segments added, seen by an IMU in the ride-format frame (x forward, y left,
/// z up, right-handed; lean right positive). Balanced turns: lean = −atan(v·ω/g), so the
/// accelerometer reads along z and the lean must come from the gyroscope.
/// </summary>
internal sealed class SyntheticRide
{
    private const double G = 9.80665;
    private readonly List<RideSample> _samples = [];
    private readonly double _rateHz;
    private readonly Random _noise;
    private double _t, _speedMs, _heading, _lean, _lat = 45.0, _lon = 11.0;

    public SyntheticRide(double rateHz = 100, int seed = 1)
    {
        _rateHz = rateHz;
        _noise = new Random(seed);
    }

    public bool WithSpeed { get; init; } = true;
    public bool WithPosition { get; init; } = true;

    /// <summary>Device reports the roll rate with the opposite sign (seen in the golden samples' simulator).</summary>
    public bool RollRateFlipped { get; init; }

    /// <summary>Constant gyro bias on every axis, °/s.</summary>
    public double GyroBiasDps { get; init; }

    public double GyroNoiseDps { get; init; } = 0.3;
    public double AccelNoise { get; init; } = 0.2;
    public double GpsNoiseM { get; init; }
    public double GpsRateHz { get; init; } = 10;

    public IReadOnlyList<RideSample> Samples => _samples;

    public RideChannels Channels => new(false, WithSpeed, WithPosition, false);

    public SyntheticRide Hold(double seconds) => Drive(seconds, _speedMs * 3.6, 0);

    /// <summary>Changes speed linearly to <paramref name="toKmh"/> while turning at <paramref name="yawDps"/> (left positive).</summary>
    public SyntheticRide Drive(double seconds, double toKmh, double yawDps)
    {
        var steps = (int)Math.Round(seconds * _rateHz);
        var dt = 1 / _rateHz;
        var accel = ((toKmh / 3.6) - _speedMs) / seconds;
        for (var i = 0; i < steps; i++)
        {
            // Yaw and lean ramp in and out over 0.5 s, as a rider rolls into a turn.
            var ramp = Math.Min(1, Math.Min((i + 1) * dt, (steps - i) * dt) / 0.5);
            var yaw = yawDps * ramp * Math.PI / 180;
            var speed = _speedMs + (accel * dt);
            var lean = -Math.Atan(speed * yaw / G);
            var rollRate = (lean - _lean) / dt;
            Emit(speed, accel, yaw, lean, rollRate * 180 / Math.PI, dt);
        }

        return this;
    }

    /// <summary>A short spike (pothole, kerb) of the given peak in g on z and a pitch jolt.</summary>
    public SyntheticRide Spike(double peakG, double seconds = 0.05)
    {
        var steps = Math.Max(1, (int)Math.Round(seconds * _rateHz));
        for (var i = 0; i < steps; i++)
        {
            var bump = Math.Sin(Math.PI * (i + 0.5) / steps);
            Add(new RideSample
            {
                T = _t,
                Ax = 0,
                Ay = 0,
                Az = G + (bump * ((peakG * G) - G)),
                Gx = 0,
                Gy = bump * 80,
                Gz = 0,
            }, 1 / _rateHz);
        }

        return this;
    }

    /// <summary>Tumbles (rotating about x and y at <paramref name="rateDps"/>), optionally after a free fall, then lies still on the left side.</summary>
    public SyntheticRide Tumble(double seconds, double rateDps, double freeFallS, double lieS, double slideDecel = 6)
    {
        var dt = 1 / _rateHz;
        for (var i = 0; i < (int)(freeFallS * _rateHz); i++)
        {
            _speedMs = Math.Max(0, _speedMs - (1 * dt));
            Add(new RideSample { T = _t, Ax = 0.1, Ay = 0.1, Az = 0.2, Gx = rateDps, Gy = rateDps / 3, Gz = 0 }, dt);
        }

        for (var i = 0; i < (int)(seconds * _rateHz); i++)
        {
            _speedMs = Math.Max(0, _speedMs - (slideDecel * dt));
            var phase = i * dt * rateDps * Math.PI / 180;
            var impact = i % (int)(0.3 * _rateHz) == 0 ? 4 * G : 0;
            Add(new RideSample
            {
                T = _t,
                Ax = -slideDecel + (G * Math.Sin(phase)),
                Ay = G * Math.Cos(phase),
                Az = impact + (2 * Math.Sin(2 * phase)),
                Gx = rateDps * Math.Cos(phase),
                Gy = rateDps * Math.Sin(phase),
                Gz = 0.3 * rateDps,
            }, dt);
        }

        for (var i = 0; i < (int)(lieS * _rateHz); i++)
        {
            _speedMs = Math.Max(0, _speedMs - (slideDecel * dt));
            Add(new RideSample { T = _t, Ax = 0, Ay = -G, Az = 0, Gx = 0, Gy = 0, Gz = 0 }, dt);
        }

        return this;
    }

    public RideAnalysis Analyze()
    {
        var sink = new RideMetricsSink();
        sink.Begin(Channels);
        foreach (var sample in _samples)
        {
            sink.Add(sample);
        }

        return sink.Complete(new RideReadSummary(_samples.Count, 0, null, null));
    }

    private void Emit(double speed, double accel, double yaw, double lean, double rollRateDps, double dt)
    {
        _speedMs = speed;
        _lean = lean;
        var yawDps = yaw * 180 / Math.PI;
        var cos = Math.Cos(lean);
        var sin = Math.Sin(lean);
        // Specific force in the world (forward, left, up) = (v̇, v·ω, g); in the leaning body frame:
        var lateral = speed * yaw;
        Add(new RideSample
        {
            T = _t,
            Ax = accel,
            Ay = (lateral * cos) + (G * sin),
            Az = (-lateral * sin) + (G * cos),
            Gx = RollRateFlipped ? -rollRateDps : rollRateDps,
            Gy = yawDps * sin,
            Gz = yawDps * cos,
        }, dt);
        _heading += yaw * dt;
    }

    private double Gauss() => Math.Sqrt(-2 * Math.Log(1 - _noise.NextDouble())) * Math.Cos(2 * Math.PI * _noise.NextDouble());

    private void Add(RideSample s, double dt)
    {
        s.Ax += AccelNoise * Gauss();
        s.Ay += AccelNoise * Gauss();
        s.Az += AccelNoise * Gauss();
        s.Gx += GyroBiasDps + (GyroNoiseDps * Gauss());
        s.Gy += GyroBiasDps + (GyroNoiseDps * Gauss());
        s.Gz += GyroBiasDps + (GyroNoiseDps * Gauss());
        s.Mx = s.My = s.Mz = s.Alt = double.NaN;

        var index = _samples.Count;
        var gpsEvery = Math.Max(1, (int)Math.Round(_rateHz / GpsRateHz));
        var fix = index % gpsEvery == 0;
        s.Speed = WithSpeed && fix ? Math.Round(_speedMs * 3.6, 2) : double.NaN;
        _lat += _speedMs * Math.Cos(_heading) * dt / 111_195.0;
        _lon += _speedMs * Math.Sin(-_heading) * dt / (111_195.0 * Math.Cos(_lat * Math.PI / 180));
        if (WithPosition && fix)
        {
            s.Lat = _lat + (GpsNoiseM * Gauss() / 111_195.0);
            s.Lon = _lon + (GpsNoiseM * Gauss() / (111_195.0 * Math.Cos(_lat * Math.PI / 180)));
        }
        else
        {
            s.Lat = s.Lon = double.NaN;
        }

        _samples.Add(s);
        _t += dt;
    }
}
