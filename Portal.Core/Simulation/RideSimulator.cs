using Portal.Core.Analytics;

namespace Portal.Core.Simulation;

/// <summary>The clean physical state behind one sample (what the ground truth is computed from).</summary>
public readonly record struct SimulatedState(
    long Index,
    double T,
    double SpeedMs,
    double LongitudinalAcceleration,
    double YawRateDps,
    double LeanLeftDeg,
    string? CrashType,
    bool OnBike);

/// <summary>One sample: the clean state, and what the suit's sensors report (canonical units, GPS NaN between fixes when gaps are empty).</summary>
#pragma warning disable CA1051, CA1815 // a plain field struct, produced millions of times per file
public struct SimulatedSample
{
    public SimulatedState State;
    public RideSample Measured;
    public bool GpsFix;
}
#pragma warning restore CA1051, CA1815

/// <summary>
/// A physically consistent motorcycle ride, one sample at a time (pull model, constant memory, no
/// allocation per sample). The rider follows a scenario plan of manoeuvres (stops, speed changes,
/// coordinated turns with lean = atan(v·ω/g), lane changes, bait events, crashes). Sensors are in the
/// body frame of the rider's torso: x forward, y left, z up; the accelerometer reads specific force
/// (+9.81 on z upright at rest), the gyroscope deg/s, the magnetometer µT; plus noise, gyro bias and
/// speed-dependent vibration. The ground truth is accumulated from the clean state as samples are produced.
/// </summary>
public sealed partial class RideSimulator
{
    internal const double Gravity = 9.80665;
    private const double EarthRadius = 6_371_000;
    private const double DegreesPerRadian = 180 / Math.PI;
    private const double MagneticNorthUt = 23.0;
    private const double MagneticDownUt = 41.0;

    /// <summary>The sample rate at which the vibration figures below are the per-sample rms (its band: 0–200 Hz).</summary>
    private const double VibrationReferenceRateHz = 400;

    private readonly SimulationOptions _options;
    private readonly Random _random;
    private readonly Random _noise;
    private readonly double _dt;
    private readonly long _sampleCount;
    private readonly IEnumerator<Segment> _plan;
    private readonly GroundTruthAccumulator _truth;
    private readonly List<SimulatedEvent> _baitEvents = [];
    private readonly double _gyroBiasX, _gyroBiasY, _gyroBiasZ;
    private readonly long _gpsEverySamples;
    private readonly double _vibrationBandwidthFactor;
    private readonly Imperfections _imperfections;
    private Segment? _segment;
    internal Segment? Override; // a manoeuvre that takes over from the next step (a crash out of a turn)
    private long _index;

    // Clean state, SI units; lean is positive to the left, yaw counter-clockwise from north.
    internal double Time;
    internal double Speed;
    internal double LongitudinalAcceleration;
    internal double YawRate;
    internal double Yaw;
    internal double Lean;
    internal double PreviousLean;
    internal double VerticalAcceleration;   // extra world-vertical acceleration: impacts, launch; −g in free fall
    internal double PitchRate;              // transient pitch from bumps, rad/s
    internal bool Coordinated = true;       // lean follows the turn (atan(v·ω/g)); false in crashes
    internal bool LateralFromTurn = true;   // centripetal v·ω; false while sliding or airborne
    internal double Roughness = 1;          // scales vibration noise (scraping on asphalt)
    internal string? CrashType;
    internal bool OnBike = true;            // false once the suit is taken off (carried, dropped): not riding metrics
    private double _east, _north;
    private RideSample _lastFix;

    public RideSimulator(SimulationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _random = new Random(options.Seed);
        _noise = new Random(unchecked(options.Seed * 7919 + 17));
        _dt = 1.0 / options.RateHz;
        _sampleCount = (long)Math.Floor(options.DurationSeconds * options.RateHz) + 1;
        _gpsEverySamples = Math.Max(1, (long)Math.Round(options.RateHz / options.GpsRateHz));
        _vibrationBandwidthFactor = Math.Sqrt(options.RateHz / VibrationReferenceRateHz);
        _truth = new GroundTruthAccumulator(options.RateHz);
        _gyroBiasX = Uniform(-0.1, 0.1);
        _gyroBiasY = Uniform(-0.1, 0.1);
        _gyroBiasZ = Uniform(-0.1, 0.1);
        _plan = Plan(options.Scenario).GetEnumerator();
        _imperfections = new Imperfections(options);
        StartTime = options.EffectiveStartTime;
    }

    public SimulationOptions Options => _options;
    public DateTimeOffset StartTime { get; }
    public long SampleCount => _sampleCount;

    /// <summary>Produces the next sample, or false once the ride's duration is reached.</summary>
    public bool TryNext(out SimulatedSample sample)
    {
        if (_index >= _sampleCount)
        {
            sample = default;
            return false;
        }

        if (_index > 0)
        {
            Advance();
        }

        Time = _index * _dt;
        sample = default;
        sample.State = new SimulatedState(_index, Time, Speed, LongitudinalAcceleration, YawRate * DegreesPerRadian, Lean * DegreesPerRadian, CrashType, OnBike);
        Measure(ref sample);
        _truth.Add(in sample.State);
        _index++;
        return true;
    }

    /// <summary>The ground truth of the samples produced so far (call after the last one).</summary>
    public RideGroundTruth GroundTruth() => _truth.Build(_options, _baitEvents);

    private void Advance()
    {
        PreviousLean = Lean;
        VerticalAcceleration = 0;
        PitchRate = 0;
        while (true)
        {
            _segment ??= _plan.MoveNext() ? _plan.Current : new Stop(double.PositiveInfinity);
            if (_segment.Step(this, _dt))
            {
                if (Override is not null)
                {
                    (_segment, Override) = (Override, null);
                }

                break;
            }

            _segment = null; // finished without consuming this step: ask the plan for the next manoeuvre
        }

        var previousSpeed = Speed;
        Speed = Math.Max(0, Speed + LongitudinalAcceleration * _dt);
        LongitudinalAcceleration = (Speed - previousSpeed) / _dt;
        Yaw += YawRate * _dt;
        _east += -Math.Sin(Yaw) * Speed * _dt;
        _north += Math.Cos(Yaw) * Speed * _dt;
        if (Coordinated)
        {
            Lean = Math.Atan(Speed * YawRate / Gravity);
        }
    }

    private void Measure(ref SimulatedSample sample)
    {
        var cosLean = Math.Cos(Lean);
        var sinLean = Math.Sin(Lean);
        var airborne = VerticalAcceleration <= -Gravity + 1e-9;

        // Specific force in the level heading frame (forward, left, up), then rolled into the torso frame.
        var forward = airborne ? 0 : LongitudinalAcceleration;
        var left = airborne || !LateralFromTurn ? 0 : Speed * YawRate;
        var up = Gravity + VerticalAcceleration;
        // Vibration (engine orders at 100–250 Hz, road texture, scraping) is broadband with a spectrum of its own;
        // an IMU's anti-alias filter passes only the band below its Nyquist frequency, so the per-sample rms
        // grows with √rate: ~0.8 m/s² at 250 km/h on a 400 Hz device, ~0.3 m/s² on a 50 Hz one. White noise of
        // the same rms at every rate would put √8 times the vibration density into a 50 Hz file's low band,
        // where the 0.5 s smoothing of ride-format.md cannot remove it.
        var vibration = (0.25 + 0.008 * Speed) * Roughness * _vibrationBandwidthFactor;
        var leanRate = (Lean - PreviousLean) / _dt;

        ref var m = ref sample.Measured;
        m.T = Time;
        m.Ax = forward + Gaussian() * vibration;
        m.Ay = cosLean * left - sinLean * up + Gaussian() * vibration;
        m.Az = sinLean * left + cosLean * up + Gaussian() * vibration * 1.3;

        var gyroNoise = 0.35 + 0.01 * Speed * Roughness;
        m.Gx = -leanRate * DegreesPerRadian + _gyroBiasX + Gaussian() * gyroNoise;
        m.Gy = -sinLean * YawRate * DegreesPerRadian + PitchRate * DegreesPerRadian + _gyroBiasY + Gaussian() * gyroNoise;
        m.Gz = cosLean * YawRate * DegreesPerRadian + _gyroBiasZ + Gaussian() * gyroNoise;

        var magneticForward = MagneticNorthUt * Math.Cos(Yaw);
        var magneticLeft = -MagneticNorthUt * Math.Sin(Yaw);
        const double magneticUp = -MagneticDownUt;
        m.Mx = magneticForward + Gaussian() * 0.3;
        m.My = cosLean * magneticLeft + sinLean * magneticUp + Gaussian() * 0.3;
        m.Mz = -sinLean * magneticLeft + cosLean * magneticUp + Gaussian() * 0.3;
        m.Alt = double.NaN;

        _imperfections.ApplyToImu(ref m, Time, _dt);

        sample.GpsFix = _index % _gpsEverySamples == 0 && !_imperfections.InDropout(Time);
        if (sample.GpsFix)
        {
            var (east, north) = _imperfections.FixPosition(_east, _north, Time);
            var latitude = _options.StartLatitude + north / EarthRadius * DegreesPerRadian;
            var longitude = _options.StartLongitude + east / (EarthRadius * Math.Cos(_options.StartLatitude / DegreesPerRadian)) * DegreesPerRadian;
            var speedKmh = Speed > 0.5 ? Math.Max(0, Speed * 3.6 + Gaussian() * 0.15) : 0;
            _lastFix = new RideSample { Speed = speedKmh, Lat = latitude, Lon = longitude };
        }

        var showFix = sample.GpsFix || _options.GpsGaps == GpsGapStyle.Repeated;
        m.Speed = showFix ? _lastFix.Speed : double.NaN;
        m.Lat = showFix ? _lastFix.Lat : double.NaN;
        m.Lon = showFix ? _lastFix.Lon : double.NaN;
    }

    internal void RecordBait(string kind) => _baitEvents.Add(new SimulatedEvent(kind, Math.Round(Time, 2)));

    internal double Uniform(double min, double max) => min + (max - min) * _random.NextDouble();

    internal int Sign() => _random.Next(2) == 0 ? -1 : 1;

    internal bool Chance(double probability) => _random.NextDouble() < probability;

    private double Gaussian()
    {
        // Box–Muller; one value per call keeps the stream simple and deterministic.
        var u1 = 1.0 - _noise.NextDouble();
        var u2 = _noise.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
