namespace Portal.Core.Simulation;

/// <summary>
/// Computes <see cref="RideGroundTruth"/> while the ride streams out, from the clean state:
/// constant memory (two 0.5 s windows for the centred moving averages of ride-format.md).
/// </summary>
internal sealed class GroundTruthAccumulator
{
    private const double MovingThresholdKmh = 5;
    private const double TurnRateThresholdDps = 5;
    private const double TurnMinimumHeadingDeg = 45;

    private readonly double _dt;
    private readonly CenteredMovingAverage _acceleration;
    private readonly CenteredMovingAverage _headingRate;
    private double _firstT = double.NaN, _lastT;
    private long _samples;
    private double _distanceM, _maxSpeed, _movingTime, _movingSpeedSum;
    private long _movingSamples;
    private double _maxAccel, _maxDecel, _maxLeanLeft, _maxLeanRight;
    private int _leftTurns, _rightTurns;
    private int _stretchSign;
    private double _stretchHeading;
    private double? _crashTime;
    private string? _crashType;

    public GroundTruthAccumulator(double rateHz)
    {
        _dt = 1.0 / rateHz;
        var window = Math.Max(1, (int)Math.Round(0.5 * rateHz)) | 1;
        _acceleration = new CenteredMovingAverage(window);
        _headingRate = new CenteredMovingAverage(window);
    }

    public void Add(in SimulatedState state)
    {
        if (double.IsNaN(_firstT))
        {
            _firstT = state.T;
        }

        _lastT = state.T;
        _samples++;
        if (state.CrashType is not null && _crashTime is null)
        {
            _crashTime = state.T - _firstT;
            _crashType = state.CrashType;
            CloseStretch();
        }

        if (_crashTime is not null)
        {
            return; // the ride's metrics stop at the loss of control
        }

        if (!state.OnBike)
        {
            CloseStretch(); // a suit carried around while parked is not riding: no lean, no turns
            return;
        }

        var speedKmh = state.SpeedMs * 3.6;
        _distanceM += state.SpeedMs * _dt;
        _maxSpeed = Math.Max(_maxSpeed, speedKmh);
        if (speedKmh >= MovingThresholdKmh)
        {
            _movingTime += _dt;
            _movingSpeedSum += speedKmh;
            _movingSamples++;
        }

        _maxLeanLeft = Math.Max(_maxLeanLeft, state.LeanLeftDeg);
        _maxLeanRight = Math.Max(_maxLeanRight, -state.LeanLeftDeg);
        if (_acceleration.Push(state.LongitudinalAcceleration, out var smoothedAcceleration))
        {
            _maxAccel = Math.Max(_maxAccel, smoothedAcceleration);
            _maxDecel = Math.Max(_maxDecel, -smoothedAcceleration);
        }

        if (_headingRate.Push(state.YawRateDps, out var rate))
        {
            var sign = Math.Abs(rate) > TurnRateThresholdDps ? Math.Sign(rate) : 0;
            if (sign != _stretchSign)
            {
                CloseStretch();
                _stretchSign = sign;
            }

            _stretchHeading += rate * _dt;
        }
    }

    private void CloseStretch()
    {
        if (_stretchSign != 0 && Math.Abs(_stretchHeading) >= TurnMinimumHeadingDeg)
        {
            if (_stretchSign > 0)
            {
                _leftTurns++;
            }
            else
            {
                _rightTurns++;
            }
        }

        _stretchSign = 0;
        _stretchHeading = 0;
    }

    public RideGroundTruth Build(SimulationOptions options, IReadOnlyList<SimulatedEvent> baitEvents)
    {
        CloseStretch();
        return new RideGroundTruth
        {
            DurationS = Math.Round(_samples > 0 ? _lastT - _firstT : 0, 3),
            Samples = _samples,
            DistanceKm = Math.Round(_distanceM / 1000, 4),
            MaxSpeedKmh = Math.Round(_maxSpeed, 2),
            AvgSpeedKmh = _movingSamples > 0 ? Math.Round(_movingSpeedSum / _movingSamples, 2) : null,
            MovingTimeS = Math.Round(_movingTime, 2),
            MaxAccelMs2 = Math.Round(_maxAccel, 2),
            MaxDecelMs2 = Math.Round(_maxDecel, 2),
            MaxLeanLeftDeg = Math.Round(_maxLeanLeft, 2),
            MaxLeanRightDeg = Math.Round(_maxLeanRight, 2),
            LeftTurns = _leftTurns,
            RightTurns = _rightTurns,
            CrashTimeS = _crashTime is { } crash ? Math.Round(crash, 2) : null,
            CrashType = _crashType,
            CrashDetected = _crashTime is not null,
            Scenario = ScenarioName(options.Scenario),
            Seed = options.Seed,
            RateHz = options.RateHz,
            TimeFormat = options.TimeFormat switch
            {
                SimulatedTimeFormat.Iso => "iso",
                SimulatedTimeFormat.EpochMilliseconds => "epoch_ms",
                _ => "relative_s",
            },
            BaitEvents = baitEvents,
        };
    }

    public static string ScenarioName(RideScenario scenario) => scenario switch
    {
        RideScenario.City => "city",
        RideScenario.Country => "country",
        RideScenario.Track => "track",
        RideScenario.CrashLowside => "crash-lowside",
        RideScenario.CrashHighside => "crash-highside",
        _ => "drop",
    };

    /// <summary>A centred moving average that yields the value for the middle of the window once it is full.</summary>
    private sealed class CenteredMovingAverage(int window)
    {
        private readonly double[] _values = new double[window];
        private int _count;
        private int _next;
        private double _sum;

        public bool Push(double value, out double average)
        {
            if (_count == _values.Length)
            {
                _sum -= _values[_next];
            }
            else
            {
                _count++;
            }

            _values[_next] = value;
            _sum += value;
            _next = (_next + 1) % _values.Length;
            average = _sum / _count;
            return _count == _values.Length;
        }
    }
}
