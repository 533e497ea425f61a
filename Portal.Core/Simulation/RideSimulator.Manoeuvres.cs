namespace Portal.Core.Simulation;

public sealed partial class RideSimulator
{
    private static double Radians(double degrees) => degrees * Math.PI / 180;

    private static double SmoothStep(double x) => x <= 0 ? 0 : x >= 1 ? 1 : x * x * (3 - 2 * x);

    private static double HalfSine(double t, double length) => t >= 0 && t < length ? Math.Sin(Math.PI * t / length) : 0;

    /// <summary>One manoeuvre; <see cref="Update"/> returns false when it is over (without using the step).</summary>
    internal abstract class Segment
    {
        protected double Elapsed { get; private set; }

        public bool Step(RideSimulator s, double dt)
        {
            if (!Update(s, dt))
            {
                return false;
            }

            Elapsed += dt;
            return true;
        }

        protected abstract bool Update(RideSimulator s, double dt);
    }

    /// <summary>Standing still, upright (also the end of every ride that does not end lying down).</summary>
    internal sealed class Stop(double duration) : Segment
    {
        protected override bool Update(RideSimulator s, double dt)
        {
            if (Elapsed >= duration)
            {
                return false;
            }

            s.Coordinated = true;
            s.LateralFromTurn = true;
            s.LongitudinalAcceleration = 0;
            s.YawRate = 0;
            return true;
        }
    }

    internal sealed class Cruise(double duration) : Segment
    {
        protected override bool Update(RideSimulator s, double dt)
        {
            if (Elapsed >= duration)
            {
                return false;
            }

            s.LongitudinalAcceleration = 0;
            s.YawRate = 0;
            return true;
        }
    }

    /// <summary>Accelerates or brakes to a target speed with a limited jerk, riding straight.</summary>
    internal sealed class SpeedChange(double targetSpeed, double maxAcceleration, string? baitKind = null) : Segment
    {
        private readonly double _jerk = Math.Max(6, maxAcceleration / 0.35);

        protected override bool Update(RideSimulator s, double dt)
        {
            var difference = targetSpeed - s.Speed;
            var reached = targetSpeed <= 0 ? s.Speed <= 0 : Math.Abs(difference) < 0.03;
            if (reached || Elapsed > 300)
            {
                return false;
            }

            if (Elapsed == 0 && baitKind is not null)
            {
                s.RecordBait(baitKind);
            }

            var command = Math.Sign(difference) * Math.Min(maxAcceleration, Math.Sqrt(2 * _jerk * Math.Abs(difference)));
            var current = s.LongitudinalAcceleration;
            s.LongitudinalAcceleration = current + Math.Clamp(command - current, -_jerk * dt, _jerk * dt);
            s.YawRate = 0;
            return true;
        }
    }

    /// <summary>
    /// A coordinated turn: the yaw rate rises and falls with raised-cosine ramps so the heading changes by
    /// exactly the requested angle; lean follows as atan(v·ω/g). Optionally the rider crashes in the middle.
    /// </summary>
    internal sealed class Turn(int direction, double heading, double lean, string? crash = null) : Segment
    {
        private double _peakRate = double.NaN;
        private double _ramp;
        private double _hold;

        protected override bool Update(RideSimulator s, double dt)
        {
            if (double.IsNaN(_peakRate))
            {
                var speed = Math.Max(s.Speed, 3);
                _peakRate = Gravity * Math.Tan(lean) / speed;
                _ramp = Math.Clamp(lean * 180 / Math.PI / 35, 0.7, 1.6);
                _hold = heading / _peakRate - _ramp;
                if (_hold < 0)
                {
                    _peakRate = heading / _ramp;
                    _hold = 0;
                }
            }

            var t = Elapsed;
            if (t >= 2 * _ramp + _hold)
            {
                return false;
            }

            var shape = t < _ramp ? (1 - Math.Cos(Math.PI * t / _ramp)) / 2
                : t < _ramp + _hold ? 1
                : (1 + Math.Cos(Math.PI * (t - _ramp - _hold) / _ramp)) / 2;
            s.YawRate = direction * _peakRate * shape;
            s.LongitudinalAcceleration = 0;
            if (crash is not null && t >= _ramp + 0.4 * _hold)
            {
                s.Override = crash == "highside" ? new Highside() : new Lowside();
            }

            return true;
        }
    }

    /// <summary>A pothole or a kerb: short vertical specific-force spikes (3–4 g in total) and a pitch kick; not a crash.</summary>
    internal sealed class Bump(string kind, double extraG, int pulses) : Segment
    {
        private const double PulseLength = 0.04;
        private const double PulseSpacing = 0.07;

        protected override bool Update(RideSimulator s, double dt)
        {
            var t = Elapsed;
            if (t >= 0.3)
            {
                return false;
            }

            if (t == 0)
            {
                s.RecordBait(kind);
            }

            var vertical = 0.0;
            var pitch = 0.0;
            for (var p = 0; p < pulses; p++)
            {
                var local = t - p * PulseSpacing;
                vertical += extraG * Gravity * HalfSine(local, PulseLength);
                pitch += 0.7 * (HalfSine(local, PulseLength) - HalfSine(local - PulseLength, PulseLength));
            }

            s.VerticalAcceleration = vertical;
            s.PitchRate = pitch;
            s.LongitudinalAcceleration = -1.5 * HalfSine(t, PulseLength);
            return true;
        }
    }

    /// <summary>The front tucks mid-corner: the bike falls to its side, hits the ground, slides and stops lying down.</summary>
    internal sealed class Lowside : Segment
    {
        private double _direction, _startLean, _startYawRate, _spin;

        protected override bool Update(RideSimulator s, double dt)
        {
            var t = Elapsed;
            if (t == 0)
            {
                s.CrashType = "lowside";
                s.Coordinated = false;
                _direction = Math.Sign(s.Lean) is 0 ? 1 : Math.Sign(s.Lean);
                _startLean = Math.Abs(s.Lean);
                _startYawRate = s.YawRate;
                _spin = _direction * s.Uniform(0.4, 0.9);
            }

            s.Roughness = 1;
            if (t < 0.5)
            {
                s.Lean = _direction * (_startLean + (Math.PI / 2 - _startLean) * SmoothStep(t / 0.5));
                s.YawRate = _startYawRate * (1 - t);
                s.LongitudinalAcceleration = -0.3 * Gravity * t / 0.5;
                return true;
            }

            s.LateralFromTurn = false;
            var sliding = t - 0.5;
            s.VerticalAcceleration = 5 * Gravity * HalfSine(sliding, 0.08);
            s.LongitudinalAcceleration = s.Speed > 0 ? -0.7 * Gravity : 0;
            s.YawRate = s.Speed > 0 ? _spin * Math.Exp(-sliding / 1.5) : 0;
            s.Lean = _direction * (Math.PI / 2 + 0.14 * Math.Sin(2 * Math.PI * 1.3 * sliding) * Math.Exp(-sliding));
            s.Roughness = s.Speed > 0 ? 5 : 1;
            return true; // lies there for the rest of the file
        }
    }

    /// <summary>The rear slides and grips again: the bike snaps to the other side, the rider is thrown, tumbles and lies still.</summary>
    internal sealed class Highside : Segment
    {
        private double _direction, _startLean, _startYawRate, _settleFrom, _settleTo;

        protected override bool Update(RideSimulator s, double dt)
        {
            var t = Elapsed;
            if (t == 0)
            {
                s.CrashType = "highside";
                s.Coordinated = false;
                _direction = Math.Sign(s.Lean) is 0 ? 1 : Math.Sign(s.Lean);
                _startLean = s.Lean;
                _startYawRate = s.YawRate;
            }

            s.Roughness = 1;
            if (t < 0.3)
            {
                s.YawRate = _startYawRate + _direction * 1.0 * Math.Sin(Math.PI * t / 0.3);
                s.Lean = _startLean * (1 - 0.5 * t / 0.3);
                s.LongitudinalAcceleration = -0.3 * Gravity;
            }
            else if (t < 0.6)
            {
                s.Lean = 0.5 * _startLean + (-_direction * Radians(70) - 0.5 * _startLean) * SmoothStep((t - 0.3) / 0.3);
                s.VerticalAcceleration = 1.5 * Gravity * HalfSine(t - 0.3, 0.3);
                s.LongitudinalAcceleration = -0.5 * Gravity;
                s.YawRate = 0.5 * _startYawRate;
            }
            else if (t < 1.2)
            {
                s.LateralFromTurn = false;
                s.VerticalAcceleration = -Gravity; // thrown: free fall, the accelerometer reads ~0
                s.LongitudinalAcceleration = 0;
                s.Lean -= _direction * 7 * dt;
                s.YawRate = _direction * 2.0;
            }
            else if (t < 2.82)
            {
                var ground = t - 1.2;
                s.VerticalAcceleration = 10 * Gravity * HalfSine(ground, 0.12)
                    + (ground < 1.3 ? 3 * Gravity * HalfSine((ground - 0.12) % 0.4, 0.06) : 0);
                s.LongitudinalAcceleration = s.Speed > 0 ? -0.8 * Gravity : 0;
                s.Lean -= _direction * 5 * Math.Exp(-ground / 0.8) * dt;
                s.YawRate = _direction * 1.5 * Math.Exp(-ground / 0.7);
                s.Roughness = 5;
                _settleFrom = s.Lean;
                _settleTo = NearestLyingAttitude(s.Lean);
            }
            else
            {
                s.Lean = _settleFrom + (_settleTo - _settleFrom) * SmoothStep((t - 2.82) / 0.7);
                s.LongitudinalAcceleration = s.Speed > 0 ? -0.8 * Gravity : 0;
                s.YawRate = 0;
                s.Roughness = s.Speed > 0 ? 4 : 1;
            }

            return true; // lies there for the rest of the file
        }
    }

    /// <summary>Parked: the rider takes the suit off and carries it (walking, turning it over).</summary>
    internal sealed class Carry(double duration) : Segment
    {
        protected override bool Update(RideSimulator s, double dt)
        {
            if (Elapsed >= duration)
            {
                return false;
            }

            var t = Elapsed;
            s.Coordinated = false;
            s.OnBike = false;
            s.LongitudinalAcceleration = 0;
            s.Lean = Radians(20) * Math.Sin(2 * Math.PI * 0.13 * t);
            s.YawRate = 0.4 * Math.Sin(2 * Math.PI * 0.09 * t);
            s.VerticalAcceleration = 1.2 * Math.Sin(2 * Math.PI * 1.8 * t);
            s.Roughness = 3;
            return true;
        }
    }

    /// <summary>The carried suit is dropped: a short free fall, an impact, and it lies on the ground. Not a crash: nobody was riding.</summary>
    internal sealed class DropFall : Segment
    {
        private double _settleFrom, _settleTo;

        protected override bool Update(RideSimulator s, double dt)
        {
            var t = Elapsed;
            if (t == 0)
            {
                s.RecordBait("drop");
                s.Coordinated = false;
            }

            s.Roughness = 1;
            s.YawRate = 0;
            s.LongitudinalAcceleration = 0;
            if (t < 0.35)
            {
                s.VerticalAcceleration = -Gravity;
                s.Lean += 4.4 * dt;
                s.YawRate = 1.0;
            }
            else if (t < 0.4)
            {
                s.VerticalAcceleration = 8 * Gravity * HalfSine(t - 0.35, 0.05);
                s.Lean += 2 * dt;
                _settleFrom = s.Lean;
                _settleTo = NearestLyingAttitude(s.Lean);
            }
            else
            {
                s.Lean = _settleFrom + (_settleTo - _settleFrom) * SmoothStep((t - 0.4) / 0.5);
            }

            return true; // lies there for the rest of the file
        }
    }

    /// <summary>The nearest roll angle at which a body lies on its side or back (never upright).</summary>
    private static double NearestLyingAttitude(double lean)
    {
        var best = lean;
        var bestDistance = double.MaxValue;
        var turns = Math.Floor(lean / (2 * Math.PI));
        for (var k = turns - 1; k <= turns + 1; k++)
        {
            foreach (var lying in new[] { Math.PI / 2, Math.PI, 3 * Math.PI / 2 })
            {
                var candidate = k * 2 * Math.PI + lying;
                if (Math.Abs(candidate - lean) < bestDistance)
                {
                    (best, bestDistance) = (candidate, Math.Abs(candidate - lean));
                }
            }
        }

        return best;
    }
}
