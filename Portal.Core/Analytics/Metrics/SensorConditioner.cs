namespace Portal.Core.Analytics.Metrics;

/// <summary>
/// Turns raw samples into body-frame samples before any metric sees them (ride-format.md §4): removes
/// the gyro bias measured while still, rotates the IMU from its mount into the body frame, rejects GPS
/// glitches, corrects a speed column's unit against the GPS track, and counts clipped accelerometer
/// samples. The rotation is estimated from the first minutes of the ride, which the sink holds back
/// meanwhile (a bounded pre-roll); see docs/metrics.md for the method and its limits.
/// Constant memory, no allocation per sample.
/// </summary>
internal sealed class SensorConditioner
{
    private const double G = LeanEstimator.StandardGravity;

    /// <summary>The estimate is made from one-second bins: a second averages away vibration but keeps the speed changes of riding.</summary>
    private const double BinS = 1.0;
    private const int BinCapacity = 2048;

    /// <summary>Bins whose mean specific force is within 8 % of g and which barely rotate: gravity dominates them.</summary>
    private const double QuietForceTolerance = 0.08;
    private const double QuietRateDps = 15;

    /// <summary>Bins at riding speed (≥ 10 km/h) are upright by definition: gravity is taken from them first.</summary>
    private const double MovingForGravityMs = 10 / 3.6;

    /// <summary>Bins within 25° of a candidate vote for it: wider than the lean of a quiet bin (≤ 23° at 8 % over g), narrower than lying.</summary>
    private static readonly double ModeCosine = Math.Cos(25 * Math.PI / 180);

    /// <summary>Force within 60° of body z: upright (the sink's own riding test).</summary>
    private const double UprightCosine = 0.5;

    /// <summary>Enough speed-change evidence, Σ(dv/dt)² over bins, (m/s²)²: e.g. 20 s of ±1 m/s², one moving-off and one stop.</summary>
    private const double ForwardEvidenceMs4 = 20;

    /// <summary>The forward axis is taken only when the horizontal force follows the speed change this closely (correlation).</summary>
    private const double ForwardCorrelation = 0.3;

    // Still windows for the gyro bias: 1 s in which nothing moves.
    private const double StillWindowS = 1.0;
    private const double StillGyroVariance = 3 * 1.0 * 1.0;     // (deg/s)², summed over axes: noise, not motion
    private const double StillAccelVariance = 3 * 0.6 * 0.6;    // (m/s²)², summed over axes: idling vibration, not riding
    private const double StillForceTolerance = 0.03;            // |a| within 3 % of g
    private const double StillMaxMeanRateDps = 8;               // a bias is "a few deg/s"; more is a rotation
    private const double StillMaxMeanRateNoSpeedDps = 3;        // without speed a slow steady turn could pass as bias

    // GPS glitch gate: a fix further from where the last fixes say it should be than scatter and a
    // two-wheeler's acceleration allow is a glitch.
    private const double GateScatterM = 25;
    private const double GateSpeedErrorMs = 2;
    private const double GateAccelerationMs2 = 10;              // ~1 g: harder than any braking or launch
    private const double GateResetS = 5;                        // rejected for this long: the earlier fixes were the wrong ones
    private const double GapS = 3;                              // no accepted fix for this long: a dropout

    // Speed-unit check: chords between fixes at least this far apart in time, over at least this track.
    private const double ChordIntervalS = 5;
    private const double UnitCheckMinTrackM = 300;
    private const double UnitTolerance = 1.15;

    private static readonly (string Unit, double Scale)[] SpeedUnits =
        [("km/h", 1), ("mph", 1.609344), ("m/s", 3.6), ("kn", 1.852), ("km/h read as m/s", 1 / 3.6)];

    private static readonly double[] StandardRangesG = [2, 4, 8, 16];

    private readonly RideChannels _channels;
    private readonly SensorMount? _profileMount;

    // Rotation (rows: body x, y, z in sensor coordinates) and bias.
    private double _m00 = 1, _m01, _m02, _m10, _m11 = 1, _m12, _m20, _m21, _m22 = 1;
    private bool _rotate;
    private double _biasX, _biasY, _biasZ;
    private double _initialBiasX, _initialBiasY, _initialBiasZ;
    private bool _hasBias;
    private double _maxBiasDrift;
    private double _speedScale = 1;

    // Residual roll and pitch bias while riding (body frame).
    private const double DriftTimeConstantS = 60;
    private const double DriftMaxYawDps = 3;
    private const double DriftMaxRateDps = 30;
    private double _driftX, _driftY, _driftT = double.NaN;

    // Still window.
    private double _stillStartT = double.NaN;
    private int _stillN;
    private double _sgx, _sgy, _sgz, _sgg, _sax, _say, _saz, _saa;
    private double _stillSpeedMax;
    private double _preRollBiasX, _preRollBiasY, _preRollBiasZ;
    private int _preRollStillWindows;

    // Estimation bins (pre-roll only).
    private readonly double[] _binAx = new double[BinCapacity], _binAy = new double[BinCapacity], _binAz = new double[BinCapacity];
    private readonly double[] _binGx = new double[BinCapacity], _binGy = new double[BinCapacity], _binGz = new double[BinCapacity];
    private readonly double[] _binT = new double[BinCapacity], _binSpeed = new double[BinCapacity];
    private readonly double[] _binEast = new double[BinCapacity], _binNorth = new double[BinCapacity];
    private readonly bool[] _binStill = new bool[BinCapacity];
    private int _bins, _binsChecked;
    private double _binStartT = double.NaN;
    private int _binN, _binSpeedN;
    private double _bax, _bay, _baz, _bgx, _bgy, _bgz, _bspeed;
    private bool _binHadStill;

    // GPS.
    private double _prevCellLat = double.NaN, _prevCellLon = double.NaN;
    private bool _prevCellRejected;
    private double _lastFixT = double.NaN;
    private readonly SampleIntervalHistogram _fixIntervals = new();
    private long _fixes, _rejected, _repeated;
    private bool _hasOrigin;
    private double _lat0, _lon0, _metresPerDegLon;
    private readonly double[] _acceptedT = new double[16], _acceptedE = new double[16], _acceptedN = new double[16];
    private long _accepted;
    private double _firstRejectedT = double.NaN;
    private double _candidateT = double.NaN, _candidateE, _candidateN;

    // Speed unit check (pre-roll only).
    private double _speedIntegralM, _lastSpeedT = double.NaN, _lastSpeedKmh = double.NaN;
    private double _chordT = double.NaN, _chordE, _chordN, _chordIntegral, _trackM, _trackSpeedM;

    // Clipping.
    private double _maxAbs;
    private long _atMax;

    public SensorConditioner(RideChannels channels, SensorMount? profileMount)
    {
        _channels = channels;
        _profileMount = profileMount;
    }

    public bool Decided { get; private set; }

    public bool ForwardFromData { get; private set; }

    /// <summary>Enough data for the estimate: gravity seen, and where a speed exists, enough speed changes. Checked once per bin.</summary>
    public bool Confident(double elapsedS)
    {
        if (_bins == _binsChecked)
        {
            return false;
        }

        _binsChecked = _bins;
        if (_bins >= BinCapacity - 1)
        {
            return true;
        }

        if (elapsedS < 60)
        {
            return false;
        }

        var quiet = 0;
        double evidence = 0;
        for (var k = 1; k < _bins - 1; k++)
        {
            if (IsQuiet(k))
            {
                quiet++;
            }

            var dv = SpeedChange(k);
            if (!double.IsNaN(dv))
            {
                evidence += dv * dv;
            }
        }

        var speedKnown = _channels.HasSpeed || _channels.HasPosition;
        return quiet >= 20 && (!speedKnown || evidence >= 2 * ForwardEvidenceMs4) && (!(_channels.HasSpeed && _channels.HasPosition) || _trackM >= UnitCheckMinTrackM * 3);
    }

    /// <summary>Every raw sample, in order: counts, GPS cleaning (may blank a glitch's position), bias tracking, and while undecided the estimation bins.</summary>
    public void Observe(ref RideSample s)
    {
        ObserveClipping(in s);
        if (_channels.HasPosition)
        {
            ObserveGps(ref s);
        }

        var speedKmh = _channels.HasSpeed ? s.Speed * _speedScale : double.NaN;
        ObserveStill(in s, speedKmh);
        if (!Decided)
        {
            ObserveSpeedUnit(in s);
            ObserveBin(in s);
        }
    }

    /// <summary>Into the body frame, bias removed, speed in its corrected unit.</summary>
    public void Apply(ref RideSample s)
    {
        var gx = s.Gx - _biasX;
        var gy = s.Gy - _biasY;
        var gz = s.Gz - _biasZ;
        s.Speed *= _speedScale;
        if (_rotate)
        {
            var (ax, ay, az) = (s.Ax, s.Ay, s.Az);
            s.Ax = (_m00 * ax) + (_m01 * ay) + (_m02 * az);
            s.Ay = (_m10 * ax) + (_m11 * ay) + (_m12 * az);
            s.Az = (_m20 * ax) + (_m21 * ay) + (_m22 * az);
            (s.Gx, s.Gy, s.Gz) = ((_m00 * gx) + (_m01 * gy) + (_m02 * gz), (_m10 * gx) + (_m11 * gy) + (_m12 * gz), (_m20 * gx) + (_m21 * gy) + (_m22 * gz));
            var (mx, my, mz) = (s.Mx, s.My, s.Mz);
            s.Mx = (_m00 * mx) + (_m01 * my) + (_m02 * mz);
            s.My = (_m10 * mx) + (_m11 * my) + (_m12 * mz);
            s.Mz = (_m20 * mx) + (_m21 * my) + (_m22 * mz);
        }
        else
        {
            (s.Gx, s.Gy, s.Gz) = (gx, gy, gz);
        }

        TrackRollPitchBias(ref s);
    }

    /// <summary>
    /// Between stops the bias drifts (temperature). Lean and pitch are bounded, so over a minute of riding
    /// straight the body's roll and pitch rates average to zero: their slow mean is what is left of the bias.
    /// Only while not turning (|yaw rate| &lt; 3 °/s), where a lean does not put the turn's rate on y.
    /// </summary>
    private void TrackRollPitchBias(ref RideSample s)
    {
        var dt = double.IsNaN(_driftT) ? 0 : s.T - _driftT;
        _driftT = s.T;
        if (dt > 0 && dt < 1 && Math.Abs(s.Gz) < DriftMaxYawDps && Math.Abs(s.Gx) < DriftMaxRateDps && Math.Abs(s.Gy) < DriftMaxRateDps)
        {
            var alpha = dt / DriftTimeConstantS;
            _driftX += alpha * (s.Gx - _driftX);
            _driftY += alpha * (s.Gy - _driftY);
        }

        s.Gx -= _driftX;
        s.Gy -= _driftY;
    }


    /// <summary>Ends the pre-roll: decides bias, speed unit and rotation from what was seen.</summary>
    public void Decide()
    {
        if (Decided)
        {
            return;
        }

        Decided = true;
        CloseBin();
        if (_preRollStillWindows > 0)
        {
            _biasX = _initialBiasX = _preRollBiasX / _preRollStillWindows;
            _biasY = _initialBiasY = _preRollBiasY / _preRollStillWindows;
            _biasZ = _initialBiasZ = _preRollBiasZ / _preRollStillWindows;
            _hasBias = true;
        }

        DecideSpeedUnit();
        if (_profileMount is { } mount)
        {
            SetRotation(MountMatrix(mount.Roll, mount.Pitch, mount.Yaw));
            MountSource = "profile";
            ForwardFromData = true;
            return;
        }

        EstimateRotation();
    }

    public string MountSource { get; private set; } = "none";

    public string? SpeedUnit { get; private set; }

    public (double Roll, double Pitch, double Yaw)? MountAngles =>
        MountSource == "none" ? null : ToAngles();

    public long GpsFixes => _fixes;
    public long GpsFixesRejected => _rejected;
    public long GpsFixesRepeated => _repeated;
    public double? GpsRateHz => _fixIntervals.MedianInterval() is > 0 and var interval ? 1 / interval : null;
    public double SpeedScale => _speedScale;
    public (double X, double Y, double Z)? InitialGyroBias => _hasBias ? (_initialBiasX, _initialBiasY, _initialBiasZ) : null;
    public double? GyroBiasDrift => _hasBias ? _maxBiasDrift : null;

    /// <summary>The accelerometer's range (g) when samples pile up at it, with their count.</summary>
    public (double RangeG, long Samples)? Clipping
    {
        get
        {
            if (_atMax < 3)
            {
                return null;
            }

            foreach (var range in StandardRangesG)
            {
                if (Math.Abs((_maxAbs / (range * G)) - 1) < 0.02)
                {
                    return (range, _atMax);
                }
            }

            return null;
        }
    }

    /// <summary>True when this sample sits at a clipping level seen at least twice before (a peak cut off by the range).</summary>
    public bool AtClippingLevel(in RideSample s)
    {
        if (_atMax < 2 || _maxAbs < (2 * G * 0.98))
        {
            return false;
        }

        var m = Math.Max(Math.Abs(s.Ax), Math.Max(Math.Abs(s.Ay), Math.Abs(s.Az)));
        return m >= _maxAbs * 0.998;
    }

    private void ObserveClipping(in RideSample s)
    {
        var m = Math.Max(Math.Abs(s.Ax), Math.Max(Math.Abs(s.Ay), Math.Abs(s.Az)));
        if (m > _maxAbs * 1.002)
        {
            _maxAbs = m;
            _atMax = 1;
        }
        else if (m >= _maxAbs * 0.998)
        {
            _atMax++;
        }
    }

    private void ObserveGps(ref RideSample s)
    {
        var lat = s.Lat;
        var lon = s.Lon;
        if (double.IsNaN(lat) || double.IsNaN(lon))
        {
            return;
        }

        if (lat == _prevCellLat && lon == _prevCellLon)
        {
            _repeated++;
            if (_prevCellRejected)
            {
                s.Lat = s.Lon = double.NaN;
            }

            return;
        }

        _prevCellLat = lat;
        _prevCellLon = lon;
        _fixes++;
        var t = s.T;
        if (!double.IsNaN(_lastFixT))
        {
            _fixIntervals.Add(t - _lastFixT);
        }

        _lastFixT = t;
        if (!_hasOrigin)
        {
            _hasOrigin = true;
            _lat0 = lat;
            _lon0 = lon;
            _metresPerDegLon = GeoMath.EarthRadiusM * GeoMath.DegToRad * Math.Cos(lat * GeoMath.DegToRad);
        }

        var east = (lon - _lon0) * _metresPerDegLon;
        var north = (lat - _lat0) * GeoMath.EarthRadiusM * GeoMath.DegToRad;
        if (IsGlitch(t, east, north))
        {
            _rejected++;
            _prevCellRejected = true;
            s.Lat = s.Lon = double.NaN;
            if (double.IsNaN(_firstRejectedT))
            {
                _firstRejectedT = t;
            }

            return;
        }

        _prevCellRejected = false;
        _firstRejectedT = double.NaN;
        var slot = (int)(_accepted & 15);
        _acceptedT[slot] = t;
        _acceptedE[slot] = east;
        _acceptedN[slot] = north;
        _accepted++;
    }

    private bool IsGlitch(double t, double east, double north)
    {
        if (_accepted == 0)
        {
            return false;
        }

        // Rejected for several seconds in a row: the accepted fixes were the odd ones (e.g. a bad first
        // fix), so start again from this one.
        if (!double.IsNaN(_firstRejectedT) && t - _firstRejectedT >= GateResetS)
        {
            _accepted = 0;
            return false;
        }

        var last = (int)((_accepted - 1) & 15);
        var dt = t - _acceptedT[last];

        // After a dropout the gate is wide (anything may have happened meanwhile), and receivers often come back
        // with a bad fix: the first fix after a gap is only taken once the next one agrees with it.
        if (dt > GapS)
        {
            if (!double.IsNaN(_candidateT) && t - _candidateT < GapS
                && Math.Sqrt(Sq(east - _candidateE) + Sq(north - _candidateN)) <= GateScatterM + (70 * (t - _candidateT)))
            {
                _candidateT = double.NaN;
                return false;
            }

            (_candidateT, _candidateE, _candidateN) = (t, east, north);
            return true;
        }

        // Velocity from the newest accepted fix at least 1 s older than the last one (less scatter than neighbours).
        double vEast = 0, vNorth = 0;
        var haveVelocity = false;
        for (var i = 2; i <= Math.Min(16, _accepted); i++)
        {
            var older = (int)((_accepted - i) & 15);
            var span = _acceptedT[last] - _acceptedT[older];
            if (span >= 1)
            {
                if (span <= 4)
                {
                    vEast = (_acceptedE[last] - _acceptedE[older]) / span;
                    vNorth = (_acceptedN[last] - _acceptedN[older]) / span;
                    haveVelocity = true;
                }

                break;
            }
        }

        var predictedEast = _acceptedE[last] + (vEast * dt);
        var predictedNorth = _acceptedN[last] + (vNorth * dt);
        var speedAllowance = haveVelocity ? GateSpeedErrorMs * dt : 70 * dt; // no velocity yet: anything up to ~250 km/h
        var gate = GateScatterM + speedAllowance + (0.5 * GateAccelerationMs2 * dt * dt);
        var de = east - predictedEast;
        var dn = north - predictedNorth;
        return (de * de) + (dn * dn) > gate * gate;
    }

    private void ObserveStill(in RideSample s, double speedKmh)
    {
        if (double.IsNaN(_stillStartT))
        {
            _stillStartT = s.T;
        }

        _stillN++;
        _sgx += s.Gx;
        _sgy += s.Gy;
        _sgz += s.Gz;
        _sgg += (s.Gx * s.Gx) + (s.Gy * s.Gy) + (s.Gz * s.Gz);
        _sax += s.Ax;
        _say += s.Ay;
        _saz += s.Az;
        _saa += (s.Ax * s.Ax) + (s.Ay * s.Ay) + (s.Az * s.Az);
        if (!double.IsNaN(speedKmh))
        {
            _stillSpeedMax = Math.Max(_stillSpeedMax, speedKmh);
        }

        if (s.T - _stillStartT < StillWindowS)
        {
            return;
        }

        var n = (double)_stillN;
        if (n >= 3)
        {
            var (gx, gy, gz) = (_sgx / n, _sgy / n, _sgz / n);
            var (ax, ay, az) = (_sax / n, _say / n, _saz / n);
            var gyroVariance = (_sgg / n) - ((gx * gx) + (gy * gy) + (gz * gz));
            var accelVariance = (_saa / n) - ((ax * ax) + (ay * ay) + (az * az));
            var force = Math.Sqrt((ax * ax) + (ay * ay) + (az * az));
            var meanRate = Math.Sqrt((gx * gx) + (gy * gy) + (gz * gz));
            var speedSaysStill = _channels.HasSpeed ? _stillSpeedMax < 1 : !_channels.HasPosition || GpsSaysStill();
            var maxRate = _channels.HasSpeed || _channels.HasPosition ? StillMaxMeanRateDps : StillMaxMeanRateNoSpeedDps;
            if (speedSaysStill && gyroVariance < StillGyroVariance && accelVariance < StillAccelVariance
                && Math.Abs(force - G) < StillForceTolerance * G && meanRate < maxRate)
            {
                if (!Decided)
                {
                    _preRollBiasX += gx;
                    _preRollBiasY += gy;
                    _preRollBiasZ += gz;
                    _preRollStillWindows++;
                    _binHadStill = true;
                }
                else
                {
                    // Later stops follow the drift (temperature); the newest still window is the best estimate.
                    _biasX = gx;
                    _biasY = gy;
                    _biasZ = gz;
                    if (!_hasBias)
                    {
                        (_initialBiasX, _initialBiasY, _initialBiasZ, _hasBias) = (gx, gy, gz, true);
                    }

                    var drift = Math.Sqrt(Sq(gx - _initialBiasX) + Sq(gy - _initialBiasY) + Sq(gz - _initialBiasZ));
                    _maxBiasDrift = Math.Max(_maxBiasDrift, drift);
                }
            }
        }

        _stillStartT = s.T;
        _stillN = 0;
        _sgx = _sgy = _sgz = _sgg = _sax = _say = _saz = _saa = 0;
        _stillSpeedMax = 0;
    }

    /// <summary>GPS-only files: the newest accepted fix lies within 6 m of one at least 3 s older (walking pace at most).</summary>
    private bool GpsSaysStill()
    {
        if (_accepted < 2)
        {
            return false;
        }

        var last = (int)((_accepted - 1) & 15);
        for (var i = 2; i <= Math.Min(16, _accepted); i++)
        {
            var older = (int)((_accepted - i) & 15);
            if (_acceptedT[last] - _acceptedT[older] >= 3)
            {
                return Sq(_acceptedE[last] - _acceptedE[older]) + Sq(_acceptedN[last] - _acceptedN[older]) < 36;
            }
        }

        return false;
    }

    private void ObserveSpeedUnit(in RideSample s)
    {
        if (!(_channels.HasSpeed && _channels.HasPosition))
        {
            return;
        }

        if (!double.IsNaN(_lastSpeedT) && !double.IsNaN(_lastSpeedKmh))
        {
            _speedIntegralM += _lastSpeedKmh / 3.6 * (s.T - _lastSpeedT);
        }

        _lastSpeedT = s.T;
        if (!double.IsNaN(s.Speed))
        {
            _lastSpeedKmh = s.Speed;
        }

        if (double.IsNaN(s.Lat) || _accepted == 0)
        {
            return;
        }

        var last = (int)((_accepted - 1) & 15);
        if (_acceptedT[last] != s.T)
        {
            return;
        }

        if (double.IsNaN(_chordT))
        {
            (_chordT, _chordE, _chordN, _chordIntegral) = (s.T, _acceptedE[last], _acceptedN[last], _speedIntegralM);
        }
        else if (s.T - _chordT >= ChordIntervalS)
        {
            var chord = Math.Sqrt(Sq(_acceptedE[last] - _chordE) + Sq(_acceptedN[last] - _chordN));
            // A chord across a dropout (> 3 intervals) says nothing about the speed between: skip it.
            if (s.T - _chordT <= 3 * ChordIntervalS)
            {
                _trackM += chord;
                _trackSpeedM += _speedIntegralM - _chordIntegral;
            }

            (_chordT, _chordE, _chordN, _chordIntegral) = (s.T, _acceptedE[last], _acceptedN[last], _speedIntegralM);
        }
    }

    private void DecideSpeedUnit()
    {
        if (!(_channels.HasSpeed && _channels.HasPosition))
        {
            SpeedUnit = _channels.HasSpeed ? "unchecked" : null;
            return;
        }

        if (_trackM < UnitCheckMinTrackM || _trackSpeedM <= 0)
        {
            SpeedUnit = "unchecked";
            return;
        }

        var ratio = _trackM / _trackSpeedM;
        var best = SpeedUnits[0];
        var bestError = double.PositiveInfinity;
        foreach (var unit in SpeedUnits)
        {
            var error = Math.Abs(Math.Log(ratio / unit.Scale));
            if (error < bestError)
            {
                (best, bestError) = (unit, error);
            }
        }

        if (bestError > Math.Log(UnitTolerance))
        {
            SpeedUnit = "unchecked";
            return;
        }

        SpeedUnit = best.Unit;
        _speedScale = best.Scale;
    }

    private void ObserveBin(in RideSample s)
    {
        if (double.IsNaN(_binStartT))
        {
            _binStartT = s.T;
        }
        else if (s.T - _binStartT >= BinS)
        {
            CloseBin();
            _binStartT = s.T;
        }

        _binN++;
        _bax += s.Ax;
        _bay += s.Ay;
        _baz += s.Az;
        _bgx += s.Gx;
        _bgy += s.Gy;
        _bgz += s.Gz;
        if (_channels.HasSpeed && !double.IsNaN(s.Speed))
        {
            _bspeed += s.Speed;
            _binSpeedN++;
        }
    }

    private void CloseBin()
    {
        if (_binN == 0 || _bins >= BinCapacity)
        {
            return;
        }

        var k = _bins++;
        var n = (double)_binN;
        _binAx[k] = _bax / n;
        _binAy[k] = _bay / n;
        _binAz[k] = _baz / n;
        _binGx[k] = _bgx / n;
        _binGy[k] = _bgy / n;
        _binGz[k] = _bgz / n;
        _binT[k] = _binStartT + (BinS / 2);
        _binSpeed[k] = _binSpeedN > 0 ? _bspeed / _binSpeedN / 3.6 : double.NaN;
        _binStill[k] = _binHadStill;
        if (_accepted > 0)
        {
            var last = (int)((_accepted - 1) & 15);
            _binEast[k] = _acceptedE[last];
            _binNorth[k] = _acceptedN[last];
        }
        else
        {
            _binEast[k] = _binNorth[k] = double.NaN;
        }

        _binN = _binSpeedN = 0;
        _bax = _bay = _baz = _bgx = _bgy = _bgz = _bspeed = 0;
        _binHadStill = false;
    }

    private bool IsQuiet(int k)
    {
        var force = Math.Sqrt(Sq(_binAx[k]) + Sq(_binAy[k]) + Sq(_binAz[k]));
        var rate = Math.Sqrt(Sq(_binGx[k]) + Sq(_binGy[k]) + Sq(_binGz[k]));
        return Math.Abs(force - G) < QuietForceTolerance * G && rate < QuietRateDps;
    }

    /// <summary>Bin k's speed, m/s: the speed column's mean, or the GPS track's chord over the neighbouring bins.</summary>
    private double BinSpeed(int k)
    {
        if (_channels.HasSpeed)
        {
            return _binSpeed[k] * _speedScale;
        }

        if (k < 1 || k >= _bins - 1)
        {
            return double.NaN;
        }

        var span = _binT[k + 1] - _binT[k - 1];
        var distance = Math.Sqrt(Sq(_binEast[k + 1] - _binEast[k - 1]) + Sq(_binNorth[k + 1] - _binNorth[k - 1]));
        return span > 0 && span < 3 * BinS ? distance / span : double.NaN;
    }

    /// <summary>dv/dt at bin k (m/s²), central difference over the neighbouring bins (two steps for GPS-only speeds).</summary>
    private double SpeedChange(int k)
    {
        var step = _channels.HasSpeed ? 1 : 2;
        if (k - step < 0 || k + step >= _bins)
        {
            return double.NaN;
        }

        var span = _binT[k + step] - _binT[k - step];
        if (!(span > 0 && span < 2.5 * step * BinS))
        {
            return double.NaN;
        }

        return (BinSpeed(k + step) - BinSpeed(k - step)) / span;
    }

    private void EstimateRotation()
    {
        // Gravity: the direction most quiet bins agree on, preferring bins while moving (riding is upright,
        // whereas a suit standing still may lie on a bench or, after a fall, on the ground).
        if (!TryGravity(moving: true, out var zx, out var zy, out var zz) && !TryGravity(moving: false, out zx, out zy, out zz))
        {
            MountSource = "none";
            return;
        }

        Normalize(ref zx, ref zy, ref zz);
        var (xx, xy, xz) = HorizontalOf(1, 0, 0, zx, zy, zz);
        if (xx * xx + xy * xy + xz * xz < 0.01)
        {
            (xx, xy, xz) = HorizontalOf(0, 0, 1, zx, zy, zz); // sensor x points up or down: its z is the best guess of forward
        }

        Normalize(ref xx, ref xy, ref xz);
        if (_channels.HasSpeed || _channels.HasPosition)
        {
            for (var iteration = 0; iteration < 3; iteration++)
            {
                if (!TryForwardAxis(zx, zy, zz, out var fx, out var fy, out var fz))
                {
                    break;
                }

                (xx, xy, xz) = (fx, fy, fz);
                ForwardFromData = true;

                // Gravity again, now with the forward acceleration taken out of every non-turning bin.
                double sx = 0, sy = 0, sz = 0;
                var used = 0;
                for (var k = 0; k < _bins; k++)
                {
                    var dv = SpeedChange(k);
                    if (double.IsNaN(dv) || Math.Abs(Dot(_binGx[k], _binGy[k], _binGz[k], zx, zy, zz)) > QuietRateDps
                        || Dot(_binAx[k], _binAy[k], _binAz[k], zx, zy, zz) < UprightCosine * Math.Sqrt(Sq(_binAx[k]) + Sq(_binAy[k]) + Sq(_binAz[k])))
                    {
                        continue;
                    }

                    sx += _binAx[k] - (dv * xx);
                    sy += _binAy[k] - (dv * xy);
                    sz += _binAz[k] - (dv * xz);
                    used++;
                }

                if (used >= 10)
                {
                    (zx, zy, zz) = (sx, sy, sz);
                    Normalize(ref zx, ref zy, ref zz);
                    (xx, xy, xz) = HorizontalOf(xx, xy, xz, zx, zy, zz);
                    Normalize(ref xx, ref xy, ref xz);
                }
            }
        }

        // y = z × x
        var yx = (zy * xz) - (zz * xy);
        var yy = (zz * xx) - (zx * xz);
        var yz = (zx * xy) - (zy * xx);
        SetRotation([xx, xy, xz, yx, yy, yz, zx, zy, zz]);
        MountSource = "estimated";
    }

    /// <summary>
    /// The mode of the quiet bins' force directions: the candidate with the most bins within 25° of it, then the
    /// mean of those bins. A minority of bins lying (a fall, a parked suit) cannot pull it over.
    /// </summary>
    private bool TryGravity(bool moving, out double zx, out double zy, out double zz)
    {
        zx = zy = zz = 0;
        Span<int> candidates = stackalloc int[256];
        var count = 0;
        var total = 0;
        for (var k = 0; k < _bins; k++)
        {
            if (IsQuiet(k) && (!moving || BinSpeed(k) >= MovingForGravityMs))
            {
                total++;
            }
        }

        if (total < 5)
        {
            return false;
        }

        var stride = Math.Max(1, total / candidates.Length);
        var index = 0;
        for (var k = 0; k < _bins && count < candidates.Length; k++)
        {
            if (IsQuiet(k) && (!moving || BinSpeed(k) >= MovingForGravityMs) && index++ % stride == 0)
            {
                candidates[count++] = k;
            }
        }

        var best = -1;
        var bestVotes = 0;
        foreach (var c in candidates[..count])
        {
            var votes = 0;
            var nc = Math.Sqrt(Sq(_binAx[c]) + Sq(_binAy[c]) + Sq(_binAz[c]));
            for (var k = 0; k < _bins; k++)
            {
                if (IsQuiet(k) && (!moving || BinSpeed(k) >= MovingForGravityMs)
                    && Dot(_binAx[c], _binAy[c], _binAz[c], _binAx[k], _binAy[k], _binAz[k]) >= ModeCosine * nc * Math.Sqrt(Sq(_binAx[k]) + Sq(_binAy[k]) + Sq(_binAz[k])))
                {
                    votes++;
                }
            }

            if (votes > bestVotes)
            {
                (best, bestVotes) = (c, votes);
            }
        }

        if (best < 0)
        {
            return false;
        }

        var nb = Math.Sqrt(Sq(_binAx[best]) + Sq(_binAy[best]) + Sq(_binAz[best]));
        for (var k = 0; k < _bins; k++)
        {
            if (IsQuiet(k) && (!moving || BinSpeed(k) >= MovingForGravityMs)
                && Dot(_binAx[best], _binAy[best], _binAz[best], _binAx[k], _binAy[k], _binAz[k]) >= ModeCosine * nb * Math.Sqrt(Sq(_binAx[k]) + Sq(_binAy[k]) + Sq(_binAz[k])))
            {
                zx += _binAx[k];
                zy += _binAy[k];
                zz += _binAz[k];
            }
        }

        Normalize(ref zx, ref zy, ref zz);
        return true;
    }

    private bool TryForwardAxis(double zx, double zy, double zz, out double fx, out double fy, out double fz)
    {
        double sx = 0, sy = 0, sz = 0, dvv = 0, hh = 0;
        for (var k = 0; k < _bins; k++)
        {
            var dv = SpeedChange(k);
            if (double.IsNaN(dv) || Math.Abs(Dot(_binGx[k], _binGy[k], _binGz[k], zx, zy, zz)) > QuietRateDps)
            {
                continue;
            }

            var (hx, hy, hz) = HorizontalOf(_binAx[k], _binAy[k], _binAz[k], zx, zy, zz);
            sx += dv * hx;
            sy += dv * hy;
            sz += dv * hz;
            dvv += dv * dv;
            hh += (hx * hx) + (hy * hy) + (hz * hz);
        }

        var norm = Math.Sqrt((sx * sx) + (sy * sy) + (sz * sz));
        (fx, fy, fz) = (sx, sy, sz);
        if (dvv < ForwardEvidenceMs4 || hh <= 0 || norm / Math.Sqrt(dvv * hh) < ForwardCorrelation)
        {
            return false;
        }

        Normalize(ref fx, ref fy, ref fz);
        return true;
    }

    private void SetRotation(double[] m)
    {
        (_m00, _m01, _m02, _m10, _m11, _m12, _m20, _m21, _m22) = (m[0], m[1], m[2], m[3], m[4], m[5], m[6], m[7], m[8]);
        _rotate = Math.Abs(_m00 - 1) > 1e-12 || Math.Abs(_m11 - 1) > 1e-12 || Math.Abs(_m22 - 1) > 1e-12;
    }

    /// <summary>Body = M · sensor for a sensor rotated by (roll about x, then pitch about y, then yaw about z) from the body frame.</summary>
    internal static double[] MountMatrix(double rollDeg, double pitchDeg, double yawDeg)
    {
        var (sr, cr) = Math.SinCos(rollDeg * GeoMath.DegToRad);
        var (sp, cp) = Math.SinCos(pitchDeg * GeoMath.DegToRad);
        var (sy, cy) = Math.SinCos(yawDeg * GeoMath.DegToRad);
        return
        [
            cp * cy, -cp * sy, sp,
            (sr * sp * cy) + (cr * sy), (-sr * sp * sy) + (cr * cy), -sr * cp,
            (-cr * sp * cy) + (sr * sy), (cr * sp * sy) + (sr * cy), cr * cp,
        ];
    }

    private (double Roll, double Pitch, double Yaw) ToAngles()
    {
        var pitch = Math.Asin(Math.Clamp(_m02, -1, 1));
        var yaw = Math.Atan2(-_m01, _m00);
        var roll = Math.Atan2(-_m12, _m22);
        return (roll * GeoMath.RadToDeg, pitch * GeoMath.RadToDeg, yaw * GeoMath.RadToDeg);
    }

    private static (double X, double Y, double Z) HorizontalOf(double x, double y, double z, double zx, double zy, double zz)
    {
        var d = Dot(x, y, z, zx, zy, zz);
        return (x - (d * zx), y - (d * zy), z - (d * zz));
    }

    private static double Dot(double ax, double ay, double az, double bx, double by, double bz) => (ax * bx) + (ay * by) + (az * bz);

    private static void Normalize(ref double x, ref double y, ref double z)
    {
        var n = Math.Sqrt((x * x) + (y * y) + (z * z));
        if (n > 0)
        {
            x /= n;
            y /= n;
            z /= n;
        }
    }

    private static double Sq(double v) => v * v;
}
