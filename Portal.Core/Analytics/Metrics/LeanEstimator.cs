namespace Portal.Core.Analytics.Metrics;

/// <summary>
/// Roll (lean) angle and world-frame yaw rate from the gyroscope, speed and accelerometer.
/// <para>
/// Frame (ride-format.md): x forward, y left, z up, right-handed. A positive roll φ turns z toward
/// −y, so φ &gt; 0 is a lean to the right. With the rider leaning by φ the world vertical seen in the
/// body frame is (0, sin φ, cos φ), so the world yaw (heading) rate is r = gz·cos φ + gy·sin φ and a
/// left turn has r &gt; 0.
/// </para>
/// <para>
/// In a balanced turn the accelerometer still reads "down" along z, so it cannot give the lean.
/// Instead a complementary filter integrates the roll rate gx (fast, but drifts with gyro bias) and
/// pulls it with time constant <see cref="CorrectionTimeConstantS"/> toward a drift-free reference:
/// the balance lean φ = −atan(v·r/g) when the speed is known; without speed the direction of the
/// turn's rotation axis, tan φ = gy/gz, while turning; and the gravity direction atan2(ay, az) only
/// when neither turning nor accelerating. The residual error from a gyro bias b is b·τ (0.1 °/s → 0.1°).
/// </para>
/// <para>
/// Devices disagree on the sign of the roll-rate axis (a mounting flip or a left-handed roll
/// convention), while the yaw-related axes gy, gz and the accelerometer fix the lean side physically.
/// Two filters run side by side, one per roll-rate sign; the one that tracks the reference better
/// over the ride is the device's convention. Both cost a few multiplications per sample.
/// </para>
/// </summary>
internal sealed class LeanEstimator
{
    public const double StandardGravity = 9.80665;

    /// <summary>How fast the reference corrects the integrated roll rate; long enough to keep the gyro's detail, short enough to forget its bias.</summary>
    private const double CorrectionTimeConstantS = 1.0;

    /// <summary>Below this rotation rate about the body's y–z plane the turn axis is noise (°/s).</summary>
    private const double TurnAxisMinRateDps = 8.0;

    /// <summary>The gravity reference is trusted only while |a| stays within this fraction of g (no braking, no cornering load).</summary>
    private const double GravityReferenceTolerance = 0.05;

    private double _referenceCos = 1, _referenceSin;
    private double _leanSame, _leanFlipped;
    private double _residualSame, _residualFlipped;
    private bool _started;

    /// <summary>World yaw (heading) rate, deg/s, left turn positive.</summary>
    public double YawRateDps { get; private set; }

    /// <summary>Lean in radians (right positive) assuming gx follows the right-hand rule.</summary>
    public double LeanSameRad => _leanSame;

    /// <summary>Lean in radians (right positive) assuming the device reports the roll rate with the opposite sign.</summary>
    public double LeanFlippedRad => _leanFlipped;

    /// <summary>True when the right-hand roll-rate hypothesis tracked the reference at least as well as the flipped one.</summary>
    public bool RollRateFollowsRightHandRule => _residualSame <= _residualFlipped;

    /// <summary>tan φ = v·r/g with v in km/h and r in deg/s, folded into one factor.</summary>
    private const double BalanceTangentPerKmhDps = GeoMath.DegToRad / 3.6 / StandardGravity;

    /// <param name="specificForce">|a| of this sample (m/s²), computed once by the caller for every consumer.</param>
    /// <param name="speedKmh">Measured ground speed (a speed column), or NaN when the file has none; a speed derived from GPS positions lags too much for the balance lean.</param>
    public void Add(double dt, double ay, double az, double specificForce, double gxDps, double gyDps, double gzDps, double speedKmh)
    {
        var yawDps = (gzDps * _referenceCos) + (gyDps * _referenceSin);
        YawRateDps = yawDps;

        // Each reference is tan φ = x; cos and sin for the next yaw rate follow from x with one
        // square root instead of two more trigonometric calls per sample.
        bool hasReference;
        double tangent;
        if (!double.IsNaN(speedKmh))
        {
            tangent = -(speedKmh * yawDps * BalanceTangentPerKmhDps);
            hasReference = true;
        }
        else if ((gyDps * gyDps) + (gzDps * gzDps) >= TurnAxisMinRateDps * TurnAxisMinRateDps && Math.Abs(gzDps) > Math.Abs(gyDps) * 0.2)
        {
            tangent = gyDps / gzDps;
            hasReference = true;
        }
        else
        {
            hasReference = Math.Abs(specificForce - StandardGravity) < GravityReferenceTolerance * StandardGravity && az > 0;
            tangent = hasReference ? ay / az : _referenceSin / _referenceCos;
        }

        var reference = FastMath.Atan(tangent);
        var inverseSecant = 1 / Math.Sqrt(1 + (tangent * tangent));
        _referenceCos = inverseSecant;
        _referenceSin = tangent * inverseSecant;
        if (!_started)
        {
            _started = true;
            _leanSame = _leanFlipped = reference;
            return;
        }

        if (!(dt > 0) || dt > 1)
        {
            // A gap in the recording: restart from the reference rather than integrate across it.
            _leanSame = _leanFlipped = reference;
            return;
        }

        var rollStep = gxDps * GeoMath.DegToRad * dt;
        _leanSame += rollStep;
        _leanFlipped -= rollStep;
        if (hasReference)
        {
            var gain = dt / CorrectionTimeConstantS;
            var errorSame = reference - _leanSame;
            var errorFlipped = reference - _leanFlipped;
            _leanSame += gain * errorSame;
            _leanFlipped += gain * errorFlipped;
            _residualSame += errorSame * errorSame * dt;
            _residualFlipped += errorFlipped * errorFlipped * dt;
        }
    }
}
