namespace Portal.Core.Analytics.Metrics;

/// <summary>
/// Ground speed from GPS fixes when the file has no speed column. Differencing raw fixes is
/// useless (consumer GPS scatters each fix by 2–3 m, which at 10 Hz reads as tens of km/h), so a
/// constant-velocity Kalman filter runs on a local flat projection: the position noise and the
/// plausible acceleration of a motorcycle (its process noise) are physical figures, not tuning to data.
/// The result lags a real speed column by a fraction of a second, so the lean estimator does not
/// build on it (see <see cref="LeanEstimator"/>).
/// East and north share one covariance because they share the model and the fix times.
/// <para>
/// Two outputs. <see cref="SpeedKmh"/> is the filter's estimate at the newest fix (what the crash detector's
/// "was moving" needs at once). <see cref="SmoothedSpeedAt"/> is a fixed-lag Rauch–Tung–Striebel smoother:
/// once a fix is <see cref="SmoothingLagS"/> old, the fixes after it correct it too. A one-sided filter overshoots
/// when an acceleration ends and carries the fix scatter into every estimate, so the maximum of its speed read
/// 4–6 % high on 45 km/h city rides; the two-sided estimate averages the scatter over both sides and cannot run
/// ahead of the track. Ride metrics (distance, speeds, moving time) use the smoothed speed, a few seconds later.
/// </para>
/// </summary>
internal sealed class GpsVelocityFilter
{
    /// <summary>1-σ scatter of a consumer GPS fix, metres.</summary>
    private const double FixNoiseM = 2.5;

    /// <summary>
    /// Spectral density of the acceleration the IMU does not explain, (m/s²)²/s. Between fixes the filter
    /// moves its velocity by what the accelerometer (ax: speed change) and the world yaw rate (heading
    /// change) measured, so this only covers their errors (vibration, offsets): 0.05 lets the unexplained
    /// part wander by ~0.7 m/s² within 10 s. Without the IMU a plain constant-velocity filter needs ~0.3 to
    /// follow hard braking, and then chases the fix scatter (its maximum read 4–6 % high on city rides).
    /// </summary>
    private const double UnexplainedAccelerationDensity = 0.05;

    /// <summary>Below this speed (m/s) the velocity has no reliable direction to apply the IMU's speed and heading change to.</summary>
    private const double MotionModelMinSpeedMs = 1.0;

    /// <summary>Velocity variance, (m/s)², below which the filter's speed is reported.</summary>
    private const double ConvergedVelocityVariance = 2.0 * 2.0;

    private const double StandingNoiseSigmas = 1.5;

    /// <summary>A receiver that repeats one position for this long is standing still, not waiting for a fix.</summary>
    private const double RepeatedFixIsStationaryS = 1.0;

    /// <summary>Above this speed (km/h) a repeated position is a dropout: braking from it to a standstill takes well over a second.</summary>
    private const double DropoutSpeedKmh = 15;

    /// <summary>How far behind the newest fix the smoother finalises a fix: several times the filter's time constant (~1 s at 10 Hz).</summary>
    public const double SmoothingLagS = 4;

    private const int HistoryCapacity = 1024; // fixes; more than a 4 s lag holds at any GPS rate in use
    private const int HistoryMask = HistoryCapacity - 1;
    private const int OutputCapacity = 1024;
    private const int OutputMask = OutputCapacity - 1;

    private readonly FixState[] _history = new FixState[HistoryCapacity];
    private long _historyHead, _historyPending; // [pending, head) are filtered but not yet smoothed
    private readonly double[] _outputT = new double[OutputCapacity];
    private readonly double[] _outputSpeed = new double[OutputCapacity];
    private long _outputHead, _outputRead;

    private bool _hasOrigin;
    private double _lat0, _lon0, _metresPerDegLon;
    private double _lastLat = double.NaN, _lastLon = double.NaN, _lastUpdateT;
    private double _east, _north, _vEast, _vNorth;
    private double _p00, _p01, _p11;
    private double _speedChangeSinceFix, _headingChangeSinceFixRad;
    private double _directionEast, _directionNorth; // unit vector of the last motion faster than walking pace
    private double _predictedEast, _predictedNorth, _predictedVEast, _predictedVNorth; // of the newest fix, for the smoother

    /// <summary>The filtered ground speed in km/h, NaN until two fixes were seen.</summary>
    public double SpeedKmh { get; private set; } = double.NaN;

    /// <summary>Smoothed speeds are final up to this time (+∞ after <see cref="Flush"/>).</summary>
    public double SmoothedUntilT { get; private set; } = double.NegativeInfinity;

    /// <summary>
    /// The smoothed speed (km/h) at <paramref name="t"/>, linear between fixes; NaN before the filter converged.
    /// Calls must come in increasing time, at or before <see cref="SmoothedUntilT"/>.
    /// </summary>
    public double SmoothedSpeedAt(double t)
    {
        // Drop smoothed fixes that lie wholly behind t (keep the last one at or before it).
        while (_outputHead - _outputRead >= 2 && _outputT[(_outputRead + 1) & OutputMask] <= t)
        {
            _outputRead++;
        }

        if (_outputHead == _outputRead)
        {
            return double.NaN;
        }

        var t0 = _outputT[_outputRead & OutputMask];
        var v0 = _outputSpeed[_outputRead & OutputMask];
        if (t <= t0 || _outputHead - _outputRead < 2)
        {
            return t < t0 ? double.NaN : v0;
        }

        var t1 = _outputT[(_outputRead + 1) & OutputMask];
        var v1 = _outputSpeed[(_outputRead + 1) & OutputMask];
        if (double.IsNaN(v0) || double.IsNaN(v1))
        {
            return v0;
        }

        return v0 + ((v1 - v0) * (t - t0) / (t1 - t0));
    }

    /// <summary>End of the ride: smooths the fixes still within the lag.</summary>
    public void Flush()
    {
        Smooth(double.PositiveInfinity);
        SmoothedUntilT = double.PositiveInfinity;
    }

    /// <summary>
    /// The IMU's part, every sample (before <see cref="Add"/> of the same sample): forward acceleration ax
    /// (m/s²) and world yaw rate (deg/s, left positive) over the interval <paramref name="dt"/> that ends at it.
    /// </summary>
    public void AddMotion(double dt, double forwardAcceleration, double yawRateDps)
    {
        if (dt > 0 && dt < 1)
        {
            _speedChangeSinceFix += forwardAcceleration * dt;
            _headingChangeSinceFixRad += yawRateDps * GeoMath.DegToRad * dt;
        }
    }

    public void Add(double t, double lat, double lon)
    {
        if (double.IsNaN(lat) || double.IsNaN(lon))
        {
            return;
        }

        var repeated = lat == _lastLat && lon == _lastLon;
        // A repeated position while the IMU says the rider is still at riding speed (the last fix's speed plus the
        // speed change measured since) is a dropout, not a standstill: no update. Braking to a stop shows in the IMU.
        if (repeated && (t - _lastUpdateT < RepeatedFixIsStationaryS
            || (!double.IsNaN(SpeedKmh) && SpeedKmh + (_speedChangeSinceFix * 3.6) > DropoutSpeedKmh)))
        {
            return;
        }

        _lastLat = lat;
        _lastLon = lon;
        if (!_hasOrigin)
        {
            _hasOrigin = true;
            _lat0 = lat;
            _lon0 = lon;
            _metresPerDegLon = GeoMath.EarthRadiusM * GeoMath.DegToRad * Math.Cos(lat * GeoMath.DegToRad);
            _p00 = FixNoiseM * FixNoiseM;
            _p01 = 0;
            _p11 = 30 * 30; // anything from standing to fast riding
            _lastUpdateT = t;
            _speedChangeSinceFix = _headingChangeSinceFixRad = 0;
            Remember(t, dt: 0, predicted00: _p00, predicted01: 0, predicted11: _p11);
            return;
        }

        var east = (lon - _lon0) * _metresPerDegLon;
        var north = (lat - _lat0) * GeoMath.EarthRadiusM * GeoMath.DegToRad;
        var dt = t - _lastUpdateT;
        _lastUpdateT = t;

        // Predict: the velocity turns by the heading change and grows by the speed change the IMU measured
        // since the last fix (at walking pace the direction is noise: constant velocity then).
        var speed = Math.Sqrt((_vEast * _vEast) + (_vNorth * _vNorth));
        var vEast = _vEast;
        var vNorth = _vNorth;
        var (sin, cos) = Math.SinCos(_headingChangeSinceFixRad);
        if (speed > MotionModelMinSpeedMs)
        {
            (_directionEast, _directionNorth) = (_vEast / speed, _vNorth / speed);
        }

        // Moving off from a stop, the direction is the one the rider last moved in (turned by the yaw since).
        var directionEast = (_directionEast * cos) - (_directionNorth * sin);
        var directionNorth = (_directionEast * sin) + (_directionNorth * cos);
        (_directionEast, _directionNorth) = (directionEast, directionNorth);
        if (dt < 30 && (speed > MotionModelMinSpeedMs || (_speedChangeSinceFix > 0 && (directionEast != 0 || directionNorth != 0))))
        {
            var newSpeed = Math.Max(0, speed + _speedChangeSinceFix);
            vEast = speed > MotionModelMinSpeedMs ? ((_vEast * cos) - (_vNorth * sin)) * newSpeed / speed : _vEast + (directionEast * _speedChangeSinceFix);
            vNorth = speed > MotionModelMinSpeedMs ? ((_vEast * sin) + (_vNorth * cos)) * newSpeed / speed : _vNorth + (directionNorth * _speedChangeSinceFix);
        }

        _speedChangeSinceFix = _headingChangeSinceFixRad = 0;
        _east += (_vEast + vEast) / 2 * dt;
        _north += (_vNorth + vNorth) / 2 * dt;
        _vEast = vEast;
        _vNorth = vNorth;
        (_predictedEast, _predictedNorth, _predictedVEast, _predictedVNorth) = (_east, _north, _vEast, _vNorth);
        var q = UnexplainedAccelerationDensity;
        var p00 = _p00 + (2 * dt * _p01) + (dt * dt * _p11) + (q * dt * dt * dt / 3);
        var p01 = _p01 + (dt * _p11) + (q * dt * dt / 2);
        var p11 = _p11 + (q * dt);

        // Update with the fix (same gain for both axes).
        var s = p00 + (FixNoiseM * FixNoiseM);
        var k0 = p00 / s;
        var k1 = p01 / s;
        var innovationEast = east - _east;
        var innovationNorth = north - _north;
        _east += k0 * innovationEast;
        _north += k0 * innovationNorth;
        _vEast += k1 * innovationEast;
        _vNorth += k1 * innovationNorth;
        _p00 = (1 - k0) * p00;
        _p01 = (1 - k0) * p01;
        _p11 = p11 - (k1 * p01);

        if (ReportedSpeedKmh(_vEast, _vNorth, _p11) is var reported && !double.IsNaN(reported))
        {
            SpeedKmh = reported;
        }

        Remember(t, dt, p00, p01, p11);
        Smooth(t - SmoothingLagS);
    }

    /// <summary>The speed to report for a velocity estimate, or NaN while it is not pinned down yet.</summary>
    private static double ReportedSpeedKmh(double vEast, double vNorth, double velocityVariance)
    {
        // Until a few fixes have pinned the velocity down, a speed would be noise (tens of km/h).
        if (!(velocityVariance < ConvergedVelocityVariance))
        {
            return double.NaN;
        }

        // A speed within the filter's own noise (≈ 4 km/h) is a rider standing still: the fix
        // scatter must not add distance or moving time while parked.
        var squared = (vEast * vEast) + (vNorth * vNorth);
        return squared < StandingNoiseSigmas * StandingNoiseSigmas * velocityVariance ? 0 : Math.Sqrt(squared) * 3.6;
    }

    private void Remember(double t, double dt, double predicted00, double predicted01, double predicted11)
    {
        if (_historyHead - _historyPending >= HistoryCapacity - 1)
        {
            Smooth(_history[(_historyPending + 1) & HistoryMask].T); // a burst of fixes: finalise the oldest early
        }

        ref var fix = ref _history[_historyHead & HistoryMask];
        fix.T = t;
        fix.Dt = dt;
        fix.East = _east;
        fix.North = _north;
        fix.VEast = _vEast;
        fix.VNorth = _vNorth;
        fix.P00 = _p00;
        fix.P01 = _p01;
        fix.P11 = _p11;
        fix.PredictedEast = _predictedEast;
        fix.PredictedNorth = _predictedNorth;
        fix.PredictedVEast = _predictedVEast;
        fix.PredictedVNorth = _predictedVNorth;
        fix.Predicted00 = predicted00;
        fix.Predicted01 = predicted01;
        fix.Predicted11 = predicted11;
        _historyHead++;
    }

    /// <summary>
    /// Rauch–Tung–Striebel backward pass from the newest fix over the pending ones; fixes at or before
    /// <paramref name="finalUpToT"/> are final and go to the output. Runs once per fix, over a few seconds of fixes.
    /// </summary>
    private void Smooth(double finalUpToT)
    {
        if (_historyPending >= _historyHead || _history[_historyPending & HistoryMask].T > finalUpToT)
        {
            return;
        }

        ref readonly var newest = ref _history[(_historyHead - 1) & HistoryMask];
        double east = newest.East, north = newest.North, vEast = newest.VEast, vNorth = newest.VNorth;
        double s00 = newest.P00, s01 = newest.P01, s11 = newest.P11;
        var finalCount = 0L;
        for (var k = _historyHead - 1; k >= _historyPending; k--)
        {
            ref readonly var fix = ref _history[k & HistoryMask];
            if (k < _historyHead - 1)
            {
                // Gain C = P·Fᵀ·Pp⁻¹ with F = [1 dt; 0 1] the step to the next fix (shared by both axes).
                ref readonly var next = ref _history[(k + 1) & HistoryMask];
                var dt = next.Dt;
                var m00 = fix.P00 + (dt * fix.P01);
                var m01 = fix.P01;
                var m10 = fix.P01 + (dt * fix.P11);
                var m11 = fix.P11;
                var determinant = (next.Predicted00 * next.Predicted11) - (next.Predicted01 * next.Predicted01);
                var i00 = next.Predicted11 / determinant;
                var i01 = -next.Predicted01 / determinant;
                var i11 = next.Predicted00 / determinant;
                var c00 = (m00 * i00) + (m01 * i01);
                var c01 = (m00 * i01) + (m01 * i11);
                var c10 = (m10 * i00) + (m11 * i01);
                var c11 = (m10 * i01) + (m11 * i11);

                // The prediction into the next fix as the filter made it (IMU motion included); the gain
                // uses the constant-velocity Jacobian, the usual approximation of an extended smoother.
                var dEast = east - next.PredictedEast;
                var dNorth = north - next.PredictedNorth;
                var dvEast = vEast - next.PredictedVEast;
                var dvNorth = vNorth - next.PredictedVNorth;
                east = fix.East + (c00 * dEast) + (c01 * dvEast);
                vEast = fix.VEast + (c10 * dEast) + (c11 * dvEast);
                north = fix.North + (c00 * dNorth) + (c01 * dvNorth);
                vNorth = fix.VNorth + (c10 * dNorth) + (c11 * dvNorth);

                // Ps = P + C·(Ps_next − Pp_next)·Cᵀ
                var d00 = s00 - next.Predicted00;
                var d01 = s01 - next.Predicted01;
                var d11 = s11 - next.Predicted11;
                var e00 = (c00 * d00) + (c01 * d01);
                var e01 = (c00 * d01) + (c01 * d11);
                var e10 = (c10 * d00) + (c11 * d01);
                var e11 = (c10 * d01) + (c11 * d11);
                s00 = fix.P00 + (e00 * c00) + (e01 * c01);
                s01 = fix.P01 + (e00 * c10) + (e01 * c11);
                s11 = fix.P11 + (e10 * c10) + (e11 * c11);
            }

            if (fix.T <= finalUpToT && finalCount == 0)
            {
                finalCount = k - _historyPending + 1;
            }

            if (finalCount > 0)
            {
                // Fixes are visited newest first; write each final one to its place in the output.
                var slot = _outputHead + (k - _historyPending);
                _outputT[slot & OutputMask] = fix.T;
                _outputSpeed[slot & OutputMask] = ReportedSpeedKmh(vEast, vNorth, s11);
            }
        }

        _outputHead += finalCount;
        _historyPending += finalCount;
        SmoothedUntilT = Math.Max(SmoothedUntilT, _history[(_historyPending - 1) & HistoryMask].T);
        if (_outputHead - _outputRead > OutputCapacity - 1)
        {
            _outputRead = _outputHead - (OutputCapacity - 1); // never read that far back; keep the newest
        }
    }

    /// <summary>One fix's filtered state and covariance, and the predicted covariance of the step into it.</summary>
    private struct FixState
    {
        public double T, Dt;
        public double East, North, VEast, VNorth;
        public double P00, P01, P11;
        public double PredictedEast, PredictedNorth, PredictedVEast, PredictedVNorth;
        public double Predicted00, Predicted01, Predicted11;
    }
}
