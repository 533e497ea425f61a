namespace Portal.Core.Analytics.Metrics;

/// <summary>
/// Ground speed from GPS fixes when the file has no speed column. Differencing raw fixes is
/// useless (consumer GPS scatters each fix by 2–3 m, which at 10 Hz reads as tens of km/h), so a
/// constant-velocity Kalman filter runs on a local flat projection: the position noise and the
/// plausible acceleration of a motorcycle (its process noise) are physical figures, not tuning to data.
/// The result lags a real speed column by a fraction of a second, so the lean estimator does not
/// build on it (see <see cref="LeanEstimator"/>).
/// East and north share one covariance because they share the model and the fix times.
/// </summary>
internal sealed class GpsVelocityFilter
{
    /// <summary>1-σ scatter of a consumer GPS fix, metres.</summary>
    private const double FixNoiseM = 2.5;

    /// <summary>
    /// Spectral density of the unmodelled acceleration, (m/s²)²/s: riding is mostly steady, and 0.3
    /// lets the acceleration wander by ~1.7 m/s² within 10 s. Higher values chase the fix scatter
    /// (a 10 Hz fix with 2.5 m scatter then reads ±7 km/h), lower ones lag behind hard braking.
    /// </summary>
    private const double AccelerationDensity = 0.3;

    /// <summary>Velocity variance, (m/s)², below which the filter's speed is reported.</summary>
    private const double ConvergedVelocityVariance = 2.0 * 2.0;

    private const double StandingNoiseSigmas = 1.5;

    /// <summary>A receiver that repeats one position for this long is standing still, not waiting for a fix.</summary>
    private const double RepeatedFixIsStationaryS = 1.0;

    private bool _hasOrigin;
    private double _lat0, _lon0, _metresPerDegLon;
    private double _lastLat = double.NaN, _lastLon = double.NaN, _lastUpdateT;
    private double _east, _north, _vEast, _vNorth;
    private double _p00, _p01, _p11;

    /// <summary>The filtered ground speed in km/h, NaN until two fixes were seen.</summary>
    public double SpeedKmh { get; private set; } = double.NaN;

    public void Add(double t, double lat, double lon)
    {
        if (double.IsNaN(lat) || double.IsNaN(lon))
        {
            return;
        }

        var repeated = lat == _lastLat && lon == _lastLon;
        if (repeated && t - _lastUpdateT < RepeatedFixIsStationaryS)
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
            return;
        }

        var east = (lon - _lon0) * _metresPerDegLon;
        var north = (lat - _lat0) * GeoMath.EarthRadiusM * GeoMath.DegToRad;
        var dt = t - _lastUpdateT;
        _lastUpdateT = t;

        // Predict.
        _east += _vEast * dt;
        _north += _vNorth * dt;
        var q = AccelerationDensity;
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

        // Until a few fixes have pinned the velocity down, a speed would be noise (tens of km/h).
        if (_p11 < ConvergedVelocityVariance)
        {
            // A speed within the filter's own noise (≈ 4 km/h) is a rider standing still: the fix
            // scatter must not add distance or moving time while parked.
            var squared = (_vEast * _vEast) + (_vNorth * _vNorth);
            SpeedKmh = squared < StandingNoiseSigmas * StandingNoiseSigmas * _p11 ? 0 : Math.Sqrt(squared) * 3.6;
        }
    }
}
