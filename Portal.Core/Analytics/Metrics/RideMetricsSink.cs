namespace Portal.Core.Analytics.Metrics;

/// <summary>
/// Computes every metric of ride-format.md section 3, the chart traces and crash detection in one
/// pass over the samples, in constant memory and without allocating per sample.
/// <para>
/// Raw stage (every sample): sample interval, speed (the speed column held between GPS fixes, or a
/// Kalman-filtered GPS velocity when there is no speed column), lean and world yaw rate
/// (<see cref="LeanEstimator"/>), crash detection. Centre stage (a quarter second later, once the
/// centred 0.5 s window is complete): smoothed longitudinal acceleration and heading rate, distance,
/// speeds, lean extremes, turns, traces.
/// </para>
/// <para>
/// "The metrics describe the ride up to the crash": the centre stage's accumulators are a plain
/// struct checkpointed every quarter second, so when a crash is confirmed (seconds after it began)
/// they roll back to the crash time and stop; only the travel figures (distance, moving time,
/// moving average speed) keep the slide until the rider came to rest. Duration, samples and rate
/// describe the whole file.
/// </para>
/// </summary>
public sealed class RideMetricsSink : IRideSampleSink
{
    /// <summary>ride-format.md: moving means at least 5 km/h.</summary>
    public const double MovingSpeedKmh = 5;

    /// <summary>ride-format.md: a turn keeps the smoothed heading rate above 5 °/s …</summary>
    public const double TurnRateDps = 5;

    /// <summary>… and changes the heading by at least 45°.</summary>
    public const double TurnHeadingDeg = 45;

    /// <summary>The rider counts as upright (riding, not lying or dropped) while the specific force is within 60° of the body z axis; a balanced 60° lean still reads along z.</summary>
    private const double UprightCosine = 0.5;

    /// <summary>v·ω in m/s² from km/h and deg/s.</summary>
    private const double CentripetalPerKmhDps = GeoMath.DegToRad / 3.6;

    private const double CheckpointIntervalS = 0.25;
    private const double TraceIntervalS = 0.04;
    private const int CheckpointCount = 512; // 128 s of history, more than a crash takes to confirm

    /// <summary>
    /// Samples held back while the mount is estimated: 65 536 (7 MB; 164 s at 400 Hz, 11 min at 100 Hz).
    /// The estimate is made once it is confident (after at least 60 s) or when this is full.
    /// </summary>
    private const int PreRollCapacity = 1 << 16;

    /// <summary>The 0.5 s smoothing window needs at least 5 samples to be a mean rather than a sample (braking, acceleration): 10 Hz.</summary>
    public const double MinAccelerationRateHz = 10;

    /// <summary>Lean follows roll-ins of ~0.5 s: the gyro must sample them several times (≥ 10 Hz) for the integration to hold.</summary>
    public const double MinLeanRateHz = 10;

    /// <summary>A turn's heading change is the integral of the yaw rate: at least 2 samples per 0.5 s window (4 Hz).</summary>
    public const double MinTurnRateHz = 4;

    private readonly SensorMount? _profileMount;
    private SensorConditioner _conditioner = new(new RideChannels(false, false, false, false), null);
    private readonly RideSample[] _preRoll = new RideSample[PreRollCapacity];
    private int _preRollCount;
    private bool _conditioned;
    private long _clippedWhileRiding;
    private readonly SampleIntervalHistogram _intervals = new();
    private readonly LeanEstimator _lean = new();
    private readonly GpsVelocityFilter _gps = new();
    private readonly CentredMovingAverage _smoother = new();
    private readonly CrashDetector _crash = new();
    private readonly Accumulators[] _checkpoints = new Accumulators[CheckpointCount];
    private readonly List<TurnMark> _turns = [];
    private readonly TraceDownsampler _speedTrace = new(keepExtremes: true);
    private readonly TraceDownsampler _longitudinalTrace = new(keepExtremes: true);
    private readonly TraceDownsampler _lateralTrace = new(keepExtremes: true);
    private readonly TraceDownsampler _leanSameTrace = new(keepExtremes: true);
    private readonly TraceDownsampler _leanFlippedTrace = new(keepExtremes: true);
    private readonly TraceDownsampler _headingRateTrace = new(keepExtremes: true);
    private readonly TraceDownsampler _latTrace = new(keepExtremes: false);
    private readonly TraceDownsampler _lonTrace = new(keepExtremes: false);

    private RideChannels _channels = new(false, false, false, false);
    private Accumulators _m = Accumulators.Create();
    private long _checkpointsTaken;
    private double _nextCheckpointT, _nextTraceT = double.NegativeInfinity;
    private bool _frozen;
    private long _samples;
    private double _firstT = double.NaN, _lastT = double.NaN;
    private double _speedKmh = double.NaN;
    private double _lat = double.NaN, _lon = double.NaN;
    private bool _completed;
    private bool _speedFromGps;

    public RideMetricsSink(SensorMount? profileMount = null)
    {
        _profileMount = profileMount;
    }

    /// <summary>The crash confirmed so far, while samples still arrive (a live stream is watched through this).</summary>
    public CrashFinding? CrashSoFar => _crash.Finding;

    public void Begin(RideChannels channels)
    {
        ArgumentNullException.ThrowIfNull(channels);
        _channels = channels;
        _conditioner = new SensorConditioner(channels, _profileMount);
        _speedFromGps = !channels.HasSpeed && channels.HasPosition;
        _crash.Begin(channels);
    }

    public void Add(in RideSample sample)
    {
        var s = sample;
        _conditioner.Observe(ref s);
        if (_conditioned)
        {
            var clipped = _conditioner.AtClippingLevel(in s);
            _conditioner.Apply(ref s);
            Process(in s, clipped);
            return;
        }

        _preRoll[_preRollCount++] = s;
        if (_preRollCount == PreRollCapacity || _conditioner.Confident(s.T - _preRoll[0].T))
        {
            ReleasePreRoll();
        }
    }

    /// <summary>The mount is decided: every held-back sample goes through the metrics, in the body frame.</summary>
    private void ReleasePreRoll()
    {
        _conditioner.Decide();
        _conditioned = true;
        for (var i = 0; i < _preRollCount; i++)
        {
            ref var s = ref _preRoll[i];
            var clipped = _conditioner.AtClippingLevel(in s);
            _conditioner.Apply(ref s);
            Process(in s, clipped);
        }

        _preRollCount = 0;
    }

    private void Process(in RideSample sample, bool clipped)
    {
        var t = sample.T;
        var dt = _samples == 0 ? 0 : t - _lastT;
        if (_samples == 0)
        {
            _firstT = t;
        }
        else
        {
            _intervals.Add(dt);
        }

        _samples++;
        _lastT = t;

        if (!double.IsNaN(sample.Lat) && !double.IsNaN(sample.Lon))
        {
            _lat = sample.Lat;
            _lon = sample.Lon;
        }

        if (_channels.HasSpeed)
        {
            if (!double.IsNaN(sample.Speed))
            {
                _speedKmh = sample.Speed;
            }
        }
        else if (_channels.HasPosition)
        {
            _gps.AddMotion(dt, sample.Ax, _lean.YawRateDps); // the previous sample's yaw rate: this one's comes next
            _gps.Add(t, sample.Lat, sample.Lon);
            _speedKmh = _gps.SpeedKmh;
        }

        // |a| once for every consumer (lean reference, crash detector).
        var specificForce = Math.Sqrt((sample.Ax * sample.Ax) + (sample.Ay * sample.Ay) + (sample.Az * sample.Az));
        _lean.Add(dt, sample.Ay, sample.Az, specificForce, sample.Gx, sample.Gy, sample.Gz, _channels.HasSpeed ? _speedKmh : double.NaN);
        var yawDps = _lean.YawRateDps;

        if (clipped && !_frozen && (double.IsNaN(_speedKmh) || _speedKmh >= MovingSpeedKmh))
        {
            _clippedWhileRiding++;
        }

        if (_crash.Add(in sample, specificForce, _speedKmh, yawDps, _lat, _lon, clipped))
        {
            RollBackTo(_crash.Finding!.TimeS);
        }

        // GPS-derived speed: the centre stage waits for the smoothed speed (a few seconds behind).
        var readyUntilT = _speedFromGps ? _gps.SmoothedUntilT : double.PositiveInfinity;
        while (_smoother.TryPop(t, readyUntilT, out var centre, out var smoothed))
        {
            ProcessCentre(in _smoother.At(centre), in smoothed);
        }

        // Written in place into the smoothing ring: no copy of the stage sample per sample.
        ref var stage = ref _smoother.NextSlot();
        stage.T = t;
        stage.Ax = sample.Ax;
        stage.Ay = sample.Ay;
        stage.Az = sample.Az;
        stage.YawRateDps = yawDps;
        // Centripetal acceleration v·ω (left positive): what a lateral-g chart means; the body's
        // own ay reads ~0 in a balanced turn. Without speed the chart channel is not available.
        stage.LateralAccel = double.IsNaN(_speedKmh) ? 0 : _speedKmh * yawDps * CentripetalPerKmhDps;
        stage.SpeedKmh = _speedKmh;
        stage.LeanSameRad = _lean.LeanSameRad;
        stage.LeanFlippedRad = _lean.LeanFlippedRad;
        stage.Lat = _lat;
        stage.Lon = _lon;
        _smoother.CommitPush();
    }

    private void ProcessCentre(in StageSample c, in SmoothedChannels s)
    {
        // Without a speed column the ride metrics use the two-sided (smoothed) GPS speed.
        var speedKmh = _speedFromGps && c.T <= _gps.SmoothedUntilT ? _gps.SmoothedSpeedAt(c.T) : c.SpeedKmh;
        var speedKnown = !double.IsNaN(speedKmh);
        if (c.T >= _nextTraceT)
        {
            // Every chart channel is smoothed (0.5 s), filtered (lean) or GPS-rate, so 25 points a
            // second keep its peaks; the charts get ≤ 5 000 points anyway.
            _nextTraceT = c.T + TraceIntervalS;
            _speedTrace.Add(c.T, speedKmh);
            _longitudinalTrace.Add(c.T, s.Ax);
            _lateralTrace.Add(c.T, speedKnown ? s.LateralAccel : double.NaN);
            _leanSameTrace.Add(c.T, c.LeanSameRad * GeoMath.RadToDeg);
            _leanFlippedTrace.Add(c.T, c.LeanFlippedRad * GeoMath.RadToDeg);
            _headingRateTrace.Add(c.T, s.YawRateDps);
            _latTrace.Add(c.T, c.Lat);
            _lonTrace.Add(c.T, c.Lon);
        }

        if (_frozen)
        {
            return;
        }

        ref var m = ref _m;
        var dt = m.HasLast ? c.T - m.LastT : 0;
        m.HasLast = true;
        m.LastT = c.T;

        // Az ≥ cos 60° · |a|, squared (no square root per sample).
        var upright = s.Az >= 0 && s.Az * s.Az >= UprightCosine * UprightCosine * ((s.Ax * s.Ax) + (s.Ay * s.Ay) + (s.Az * s.Az));

        // Riding, as far as the file tells: moving when there is a speed, upright always.
        var riding = upright && (!speedKnown || speedKmh >= MovingSpeedKmh);

        if (speedKnown)
        {
            m.HasSpeed = true;
            if (!double.IsNaN(m.PrevSpeed) && dt > 0)
            {
                m.DistanceM += m.PrevSpeed / 3.6 * dt;
                if (m.PrevSpeed >= MovingSpeedKmh)
                {
                    m.MovingTimeS += dt;
                }
            }

            m.MaxSpeed = Math.Max(m.MaxSpeed, speedKmh);
            if (speedKmh >= MovingSpeedKmh)
            {
                m.MovingSpeedSum += speedKmh;
                m.MovingCount++;
            }

            m.PrevSpeed = speedKmh;
        }

        if (riding)
        {
            m.HasRiding = true;
            m.MaxAccel = Math.Max(m.MaxAccel, s.Ax);
            m.MaxDecel = Math.Max(m.MaxDecel, -s.Ax);
            m.MaxRightSame = Math.Max(m.MaxRightSame, c.LeanSameRad);
            m.MaxLeftSame = Math.Max(m.MaxLeftSame, -c.LeanSameRad);
            m.MaxRightFlipped = Math.Max(m.MaxRightFlipped, c.LeanFlippedRad);
            m.MaxLeftFlipped = Math.Max(m.MaxLeftFlipped, -c.LeanFlippedRad);
        }

        var rate = riding ? s.YawRateDps : 0;
        var sign = rate > TurnRateDps ? 1 : rate < -TurnRateDps ? -1 : 0;
        if (sign != m.TurnSign)
        {
            CloseTurn(ref m, c.T);
            if (sign != 0)
            {
                m.TurnSign = sign;
                m.TurnStartT = c.T;
                m.TurnEndT = c.T;
                m.TurnHeadingDeg = rate * dt;
            }
        }
        else if (sign != 0)
        {
            m.TurnHeadingDeg += rate * dt;
            m.TurnEndT = c.T;
        }

        if (c.T >= _nextCheckpointT)
        {
            _checkpoints[_checkpointsTaken % CheckpointCount] = m;
            _checkpointsTaken++;
            _nextCheckpointT = c.T + CheckpointIntervalS;
        }
    }

    private void CloseTurn(ref Accumulators m, double endT)
    {
        if (m.TurnSign != 0 && Math.Abs(m.TurnHeadingDeg) >= TurnHeadingDeg)
        {
            var left = m.TurnSign > 0;
            if (left)
            {
                m.LeftTurns++;
            }
            else
            {
                m.RightTurns++;
            }

            // Turn marks are kept in order; a rollback truncates them to the checkpoint's count.
            if (_turns.Count > m.TurnMarks)
            {
                _turns.RemoveRange(m.TurnMarks, _turns.Count - m.TurnMarks);
            }

            _turns.Add(new TurnMark(m.TurnStartT, Math.Max(m.TurnEndT, m.TurnStartT), left ? "left" : "right", Math.Abs(m.TurnHeadingDeg)));
            m.TurnMarks++;
        }

        m.TurnSign = 0;
        m.TurnHeadingDeg = 0;
        _ = endT;
    }

    private void RollBackTo(double crashT)
    {
        // Travel (distance, moving time, moving average speed) runs on until the rider is at rest:
        // the slide is distance covered. How the rider rode (top speed, accelerations, lean,
        // turns) stops where control was lost, so a tumble is not a lean or a braking record.
        var travel = _m;
        var newest = _checkpointsTaken - 1;
        var oldest = Math.Max(0, _checkpointsTaken - CheckpointCount);
        for (var i = newest; i >= oldest; i--)
        {
            ref var checkpoint = ref _checkpoints[i % CheckpointCount];
            if (checkpoint.LastT <= crashT)
            {
                _m = checkpoint;
                break;
            }
        }

        if (_turns.Count > _m.TurnMarks)
        {
            _turns.RemoveRange(_m.TurnMarks, _turns.Count - _m.TurnMarks);
        }

        _m.DistanceM = travel.DistanceM;
        _m.MovingTimeS = travel.MovingTimeS;
        _m.MovingSpeedSum = travel.MovingSpeedSum;
        _m.MovingCount = travel.MovingCount;
        _frozen = true;
    }

    /// <summary>Finishes the ride: flushes the smoothing window and assembles metrics, traces and the crash finding.</summary>
    public RideAnalysis Complete(RideReadSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        if (summary.Rejection is not null)
        {
            return new RideAnalysis { Rejection = summary.Rejection };
        }

        if (!_completed)
        {
            _completed = true;
            if (!_conditioned)
            {
                ReleasePreRoll();
            }

            _gps.Flush();
            while (_smoother.TryPop(double.PositiveInfinity, double.PositiveInfinity, out var centre, out var smoothed))
            {
                ProcessCentre(in _smoother.At(centre), in smoothed);
            }

            CloseTurn(ref _m, _lastT);
        }

        var m = _m;
        var rateHz = _intervals.MedianInterval() is > 0 and var medianInterval ? 1 / medianInterval : (double?)null;
        var unavailable = new Dictionary<string, string>(StringComparer.Ordinal);
        var sameConvention = _lean.RollRateFollowsRightHandRule;
        var maxLeft = (sameConvention ? m.MaxLeftSame : m.MaxLeftFlipped) * GeoMath.RadToDeg;
        var maxRight = (sameConvention ? m.MaxRightSame : m.MaxRightFlipped) * GeoMath.RadToDeg;
        var interval = _intervals.MedianInterval();
        var crash = _crash.Finding;
        var clipping = _conditioner.Clipping;

        // Rounded to what the sensors can tell: ms timestamps, 0.01 km/h, 0.1 m distance.
        var metrics = Honest(new RideMetrics
        {
            DurationS = _samples > 0 ? Round(_lastT - _firstT, 3) : null,
            Samples = _samples,
            SampleRateHz = interval is > 0 ? Round(1 / interval.Value, 3) : null,
            DistanceKm = m.HasSpeed ? Round(m.DistanceM / 1000, 4) : null,
            MaxSpeedKmh = m.HasSpeed ? Round(m.MaxSpeed, 2) : null,
            AvgSpeedKmh = m.MovingCount > 0 ? Round(m.MovingSpeedSum / m.MovingCount, 2) : null,
            MovingTimeS = m.HasSpeed ? Round(m.MovingTimeS, 2) : null,
            MaxAccelMs2 = m.HasRiding ? Round(m.MaxAccel, 2) : null,
            MaxDecelMs2 = m.HasRiding ? Round(m.MaxDecel, 2) : null,
            MaxLeanLeftDeg = m.HasRiding ? Round(Math.Max(0, maxLeft), 2) : null,
            MaxLeanRightDeg = m.HasRiding ? Round(Math.Max(0, maxRight), 2) : null,
            LeftTurns = _samples > 0 ? m.LeftTurns : null,
            RightTurns = _samples > 0 ? m.RightTurns : null,
            CrashDetected = crash is not null,
            CrashTimeS = crash is null ? null : Round(crash.TimeS, 2),
            RowsSkipped = summary.RowsSkipped,
        }, rateHz, clipping, m, unavailable);
        metrics = metrics with { Quality = BuildQuality(rateHz, clipping, unavailable) };

        var leanTrace = sameConvention ? _leanSameTrace : _leanFlippedTrace;
        var channels = new List<Trace>
        {
            _speedTrace.ToTrace(TraceNames.Speed, "km/h"),
            _longitudinalTrace.ToTrace(TraceNames.LongitudinalAcceleration, "m/s²"),
            _lateralTrace.ToTrace(TraceNames.LateralAcceleration, "m/s²"),
            leanTrace.ToTrace(TraceNames.Lean, "°"),
            _headingRateTrace.ToTrace(TraceNames.HeadingRate, "°/s"),
            _latTrace.ToTrace(TraceNames.Latitude, "°"),
            _lonTrace.ToTrace(TraceNames.Longitude, "°"),
        };

        return new RideAnalysis
        {
            Metrics = metrics,
            Traces = new RideTraces(channels, [.. _turns]),
            Crash = crash,
            CrashWindowCsv = _crash.WindowCsv,
        };
    }

    /// <summary>
    /// A metric the file cannot support is null with its reason (ride-format.md §4): a wrong number is worse than none.
    /// </summary>
    private RideMetrics Honest(RideMetrics metrics, double? rateHz, (double RangeG, long Samples)? clipping, in Accumulators m, Dictionary<string, string> unavailable)
    {
        var rate = rateHz ?? 0;
        var rateText = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{rate:0.#} Hz");
        if (_samples > 0 && !m.HasSpeed)
        {
            const string noSpeed = "no speed column and no GPS positions";
            metrics = metrics with { DistanceKm = null, MaxSpeedKmh = null, AvgSpeedKmh = null, MovingTimeS = null };
            foreach (var key in new[] { "distance_km", "max_speed_kmh", "avg_speed_kmh", "moving_time_s" })
            {
                unavailable[key] = noSpeed;
            }
        }
        else if (metrics.AvgSpeedKmh is null && _samples > 0)
        {
            unavailable["avg_speed_kmh"] = "never moving (speed always below 5 km/h)";
        }

        if (rate < MinAccelerationRateHz && _samples > 1)
        {
            var reason = $"IMU at {rateText}: the 0.5 s smoothing needs at least {MinAccelerationRateHz:0} Hz";
            metrics = metrics with { MaxAccelMs2 = null, MaxDecelMs2 = null };
            unavailable["max_accel_ms2"] = unavailable["max_decel_ms2"] = reason;
        }
        else if (_clippedWhileRiding > 0 && clipping is { } clip)
        {
            var reason = string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"accelerometer clipped at ±{clip.RangeG:0} g while riding ({_clippedWhileRiding} samples)");
            metrics = metrics with { MaxAccelMs2 = null, MaxDecelMs2 = null };
            unavailable["max_accel_ms2"] = unavailable["max_decel_ms2"] = reason;
        }

        if (rate < MinLeanRateHz && _samples > 1)
        {
            metrics = metrics with { MaxLeanLeftDeg = null, MaxLeanRightDeg = null };
            unavailable["max_lean_left_deg"] = unavailable["max_lean_right_deg"] = $"IMU at {rateText}: lean needs the gyro at {MinLeanRateHz:0} Hz or more";
        }

        if (rate < MinTurnRateHz && _samples > 1)
        {
            metrics = metrics with { LeftTurns = null, RightTurns = null };
            unavailable["left_turns"] = unavailable["right_turns"] = $"IMU at {rateText}: turns need the gyro at {MinTurnRateHz:0} Hz or more";
        }

        if (!m.HasRiding)
        {
            foreach (var key in new[] { "max_accel_ms2", "max_decel_ms2", "max_lean_left_deg", "max_lean_right_deg" })
            {
                unavailable.TryAdd(key, "never riding (moving and upright)");
            }
        }

        return metrics;
    }

    private RideQuality BuildQuality(double? rateHz, (double RangeG, long Samples)? clipping, Dictionary<string, string> unavailable)
    {
        var c = _conditioner;
        var angles = c.MountAngles;
        var bias = c.InitialGyroBias;
        return new RideQuality
        {
            MountRollDeg = angles is { } a ? Round(a.Roll, 1) : null,
            MountPitchDeg = angles is { } b ? Round(b.Pitch, 1) : null,
            MountYawDeg = angles is { } y ? Round(y.Yaw, 1) : null,
            MountSource = c.MountSource,
            MountForwardAxis = c.MountSource == "profile" ? "profile" : c.ForwardFromData ? "speed_changes" : "assumed",
            ImuRateHz = rateHz is { } r ? Round(r, 3) : null,
            ImuRateIrregular = _intervals.Count > 10 && _intervals.IrregularShare(0.2) > 0.1,
            GpsRateHz = c.GpsRateHz is { } g ? Round(g, 3) : null,
            GpsFixes = c.GpsFixes,
            GpsFixesRejected = c.GpsFixesRejected,
            GpsFixesRepeated = c.GpsFixesRepeated,
            SpeedUnit = c.SpeedUnit,
            SpeedScale = _channels.HasSpeed ? Round(c.SpeedScale, 6) : null,
            GyroBiasDps = bias is { } v ? [Round(v.X, 3), Round(v.Y, 3), Round(v.Z, 3)] : null,
            GyroBiasDriftDps = c.GyroBiasDrift is { } d ? Round(d, 3) : null,
            AccelClippedSamples = clipping?.Samples ?? 0,
            AccelRangeG = clipping?.RangeG,
            Unavailable = unavailable,
        };
    }

    private static double Round(double value, int digits) => Math.Round(value, digits, MidpointRounding.AwayFromZero);

    /// <summary>The centre stage's state: plain values, so a checkpoint is a copy.</summary>
    private struct Accumulators
    {
        public double LastT;
        public bool HasLast;
        public double PrevSpeed;
        public bool HasSpeed;
        public double DistanceM;
        public double MaxSpeed;
        public double MovingSpeedSum;
        public long MovingCount;
        public double MovingTimeS;
        public bool HasRiding;
        public double MaxAccel, MaxDecel;
        public double MaxLeftSame, MaxRightSame, MaxLeftFlipped, MaxRightFlipped;
        public int LeftTurns, RightTurns;
        public int TurnSign;
        public double TurnStartT, TurnEndT, TurnHeadingDeg;
        public int TurnMarks;

        public static Accumulators Create() => new()
        {
            PrevSpeed = double.NaN,
            MaxSpeed = double.NegativeInfinity,
            MaxAccel = double.NegativeInfinity,
            MaxDecel = double.NegativeInfinity,
            MaxLeftSame = double.NegativeInfinity,
            MaxRightSame = double.NegativeInfinity,
            MaxLeftFlipped = double.NegativeInfinity,
            MaxRightFlipped = double.NegativeInfinity,
        };
    }
}

/// <summary>Names of the chart channels in <see cref="RideTraces"/>.</summary>
public static class TraceNames
{
    public const string Speed = "speed";
    public const string LongitudinalAcceleration = "longitudinal_acceleration";
    /// <summary>Centripetal acceleration v·ω, left positive.</summary>
    public const string LateralAcceleration = "lateral_acceleration";
    /// <summary>Lean angle, right positive, left negative.</summary>
    public const string Lean = "lean";
    /// <summary>World heading rate, left (counter-clockwise) positive.</summary>
    public const string HeadingRate = "heading_rate";
    public const string Latitude = "lat";
    public const string Longitude = "lon";
}
