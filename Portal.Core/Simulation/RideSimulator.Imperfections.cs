namespace Portal.Core.Simulation;

public sealed partial class RideSimulator
{
    /// <summary>
    /// What real devices add to the clean body-frame signals (ride-format.md §4): the mount rotation,
    /// gyro bias and drift, accelerometer clipping, timestamp jitter, and GPS scatter, jumps and dropouts.
    /// Draws from its own random stream, so a ride without imperfections keeps exactly its bytes, and the
    /// ground truth, taken from the clean state, is the same with and without them.
    /// </summary>
    private sealed class Imperfections
    {
        private const double JumpMinM = 50, JumpMaxM = 500;
        private const double DropoutMinS = 5, DropoutMaxS = 15;

        private readonly Random _random;
        private readonly double[] _rotation; // row-major Mᵀ: sensor = Mᵀ · body
        private readonly bool _rotate;
        private readonly double _biasX, _biasY, _biasZ, _driftX, _driftY, _driftZ;
        private readonly double _clipMs2;
        private readonly double _jitter;
        private readonly double _scatterM;
        private readonly (double Start, double End, double East, double North)[] _jumps;
        private readonly (double Start, double End)[] _dropouts;

        public Imperfections(SimulationOptions options)
        {
            _random = new Random(unchecked((options.Seed * 104_729) + 4_241));
            _rotation = Transpose(MountMatrix(options.MountRollDeg, options.MountPitchDeg, options.MountYawDeg));
            _rotate = options.MountRollDeg != 0 || options.MountPitchDeg != 0 || options.MountYawDeg != 0;
            _biasX = options.GyroBiasDps * RandomSign();
            _biasY = options.GyroBiasDps * RandomSign();
            _biasZ = options.GyroBiasDps * RandomSign();
            _driftX = options.GyroDriftDpsPerMinute / 60 * RandomSign();
            _driftY = options.GyroDriftDpsPerMinute / 60 * RandomSign();
            _driftZ = options.GyroDriftDpsPerMinute / 60 * RandomSign();
            _clipMs2 = options.AccelerometerRangeG is { } range ? range * Gravity : double.PositiveInfinity;
            _jitter = options.TimestampJitter;
            _scatterM = options.GpsScatterM;
            var fixInterval = 1 / options.GpsRateHz;
            _dropouts = new (double, double)[options.GpsDropouts];
            for (var i = 0; i < _dropouts.Length; i++)
            {
                var start = options.DurationSeconds * (0.1 + (0.8 * _random.NextDouble()));
                _dropouts[i] = (start, start + DropoutMinS + ((DropoutMaxS - DropoutMinS) * _random.NextDouble()));
            }

            _jumps = new (double, double, double, double)[options.GpsJumps];
            for (var i = 0; i < _jumps.Length; i++)
            {
                // Between two fix times, so that the window holds exactly that many fixes.
                var start = (Math.Floor(options.DurationSeconds * (0.15 + (0.75 * _random.NextDouble())) / fixInterval) + 0.5) * fixInterval;
                var fixes = 1 + _random.Next(3);
                if (InDropout(start) || InDropout(start + (fixes * fixInterval)))
                {
                    start += DropoutMaxS + 1; // a jump is a fix that is wrong, not one that is missing
                }

                var distance = JumpMinM + ((JumpMaxM - JumpMinM) * _random.NextDouble());
                var direction = 2 * Math.PI * _random.NextDouble();
                _jumps[i] = (start, start + (fixes * fixInterval), distance * Math.Cos(direction), distance * Math.Sin(direction));
            }
        }

        /// <summary>The rotation from sensor to body coordinates for a mount of (roll, pitch, yaw) degrees: body = M · sensor, row-major.</summary>
        public static double[] MountMatrix(double rollDeg, double pitchDeg, double yawDeg)
        {
            var (sr, cr) = Math.SinCos(rollDeg / DegreesPerRadian);
            var (sp, cp) = Math.SinCos(pitchDeg / DegreesPerRadian);
            var (sy, cy) = Math.SinCos(yawDeg / DegreesPerRadian);
            // Rx(roll) · Ry(pitch) · Rz(yaw)
            return
            [
                cp * cy, -cp * sy, sp,
                (sr * sp * cy) + (cr * sy), (-sr * sp * sy) + (cr * cy), -sr * cp,
                (-cr * sp * cy) + (sr * sy), (cr * sp * sy) + (sr * cy), cr * cp,
            ];
        }

        public bool InDropout(double t)
        {
            foreach (var (start, end) in _dropouts)
            {
                if (t >= start && t < end)
                {
                    return true;
                }
            }

            return false;
        }

        public (double East, double North) FixPosition(double east, double north, double t)
        {
            if (_scatterM > 0)
            {
                east += Gaussian() * _scatterM;
                north += Gaussian() * _scatterM;
            }

            foreach (var jump in _jumps)
            {
                if (t >= jump.Start && t < jump.End)
                {
                    east += jump.East;
                    north += jump.North;
                }
            }

            return (east, north);
        }

        public void ApplyToImu(ref Analytics.RideSample m, double t, double dt)
        {
            m.Gx += _biasX + (_driftX * t);
            m.Gy += _biasY + (_driftY * t);
            m.Gz += _biasZ + (_driftZ * t);
            if (_rotate)
            {
                Rotate(ref m.Ax, ref m.Ay, ref m.Az);
                Rotate(ref m.Gx, ref m.Gy, ref m.Gz);
                Rotate(ref m.Mx, ref m.My, ref m.Mz);
            }

            m.Ax = Math.Clamp(m.Ax, -_clipMs2, _clipMs2);
            m.Ay = Math.Clamp(m.Ay, -_clipMs2, _clipMs2);
            m.Az = Math.Clamp(m.Az, -_clipMs2, _clipMs2);
            if (_jitter > 0 && t > 0)
            {
                m.T = t + ((_random.NextDouble() - 0.5) * _jitter * dt);
            }
        }

        private void Rotate(ref double x, ref double y, ref double z)
        {
            var r = _rotation;
            var (bx, by, bz) = (x, y, z);
            x = (r[0] * bx) + (r[1] * by) + (r[2] * bz);
            y = (r[3] * bx) + (r[4] * by) + (r[5] * bz);
            z = (r[6] * bx) + (r[7] * by) + (r[8] * bz);
        }

        private static double[] Transpose(double[] m) => [m[0], m[3], m[6], m[1], m[4], m[7], m[2], m[5], m[8]];

        private double RandomSign() => _random.Next(2) == 0 ? -1 : 1;

        private double Gaussian()
        {
            var u1 = 1.0 - _random.NextDouble();
            var u2 = _random.NextDouble();
            return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
        }
    }
}
