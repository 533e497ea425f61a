using Portal.Core.Analytics;
using Portal.Core.Analytics.Metrics;

namespace Portal.Core.Live;

/// <summary>
/// The recent stream of one watched device: a ring of the last <c>window</c> of samples (at most <c>capacity</c>),
/// with lean from the analysis' own <see cref="LeanEstimator"/> fed sample by sample, lateral acceleration from its
/// yaw rate, the sample rate and the session's span. Thread-safe: the MQTT client adds, pages take snapshots.
/// <para>
/// A session starts with the device's start event, with the first sample after an end event, or after a gap longer
/// than the idle timeout (as the ingest subscriber decides); a new session clears the window. Samples not newer than
/// the last one (QoS 1 redeliveries, reordering) are dropped and counted, so lean is integrated in time order.
/// </para>
/// </summary>
public sealed class LiveDeviceBuffer
{
    /// <summary>The sample rate is measured over this much of the newest device time.</summary>
    public static readonly TimeSpan RateWindow = TimeSpan.FromSeconds(5);

    private const double StandardGravity = LeanEstimator.StandardGravity;

    private readonly Lock _gate = new();
    private readonly long _windowTicks;
    private readonly long _idleGapTicks;
    private readonly int _capacity;
    private readonly long[] _ticks;
    private readonly double[] _speed;
    private readonly double[] _leanSame;
    private readonly double[] _leanFlipped;
    private readonly double[] _longitudinal;
    private readonly double[] _lateral;

    private LeanEstimator _lean = new();
    private RideMetricsSink? _analysis;
    private long _analysisOriginTicks;
    private double _heldLatitude = double.NaN;
    private double _heldLongitude = double.NaN;
    private LiveCrash? _crash;
    private int _oldest;
    private int _count;
    private long _lastTicks;
    private long _lastImuTicks;
    private double _heldSpeedKmh = double.NaN;
    private bool _sessionOpen;
    private bool _startSeen;
    private bool _ended;
    private long? _sessionStartTicks;
    private long _version;
    private long _received;
    private long _dropped;
    private DateTimeOffset? _lastReceivedAt;
    private LiveSnapshot _snapshot = LiveSnapshot.Empty;

    /// <param name="window">How much device time the charts show.</param>
    /// <param name="capacity">Most samples kept, whatever the rate (bounds the memory of a fast or misbehaving device).</param>
    /// <param name="idleGap">A gap in the samples longer than this starts a new session.</param>
    public LiveDeviceBuffer(TimeSpan window, int capacity, TimeSpan idleGap)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(window, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 2);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(idleGap, TimeSpan.Zero);
        _windowTicks = window.Ticks;
        _idleGapTicks = idleGap.Ticks;
        _capacity = capacity;
        _ticks = new long[capacity];
        _speed = new double[capacity];
        _leanSame = new double[capacity];
        _leanFlipped = new double[capacity];
        _longitudinal = new double[capacity];
        _lateral = new double[capacity];
    }

    /// <summary>Samples currently in the window.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _count;
            }
        }
    }

    /// <summary>When the feed last received a message for this device (portal clock).</summary>
    public DateTimeOffset? LastReceivedAt
    {
        get
        {
            lock (_gate)
            {
                return _lastReceivedAt;
            }
        }
    }

    /// <summary>Adds one message's samples (time order expected, as devices send them).</summary>
    /// <returns>How many samples were accepted.</returns>
    public int Add(IReadOnlyList<LiveReading> readings, DateTimeOffset receivedAt)
    {
        ArgumentNullException.ThrowIfNull(readings);
        var accepted = 0;
        lock (_gate)
        {
            _lastReceivedAt = receivedAt;
            _version++;
            foreach (var reading in readings)
            {
                if (AddOne(reading, receivedAt))
                {
                    accepted++;
                }
            }

            EvictOlderThan(_lastTicks - _windowTicks);
        }

        return accepted;
    }

    /// <summary>The device's session event: start clears the window for the new session, end keeps it on show.</summary>
    public void OnSessionEvent(LiveSessionEvent sessionEvent, DateTimeOffset receivedAt)
    {
        lock (_gate)
        {
            _lastReceivedAt = receivedAt;
            _version++;
            if (sessionEvent == LiveSessionEvent.Start)
            {
                BeginSession(startSeen: true);
            }
            else
            {
                _ended = true;
                _sessionOpen = false;
            }
        }
    }

    /// <summary>A copy of the window for drawing; the same instance until something changes, so many viewers share it.</summary>
    public LiveSnapshot Snapshot()
    {
        lock (_gate)
        {
            if (_snapshot.Version != _version)
            {
                _snapshot = BuildSnapshot();
            }

            return _snapshot;
        }
    }

    private bool AddOne(in LiveReading reading, DateTimeOffset receivedAt)
    {
        var t = reading.TimestampTicks;
        if (_count > 0 && t <= _lastTicks)
        {
            _dropped++;
            return false;
        }

        if (!_sessionOpen || (_count > 0 && t - _lastTicks > _idleGapTicks))
        {
            BeginSession(startSeen: false);
        }

        _sessionStartTicks ??= t;
        if (!double.IsNaN(reading.SpeedKmh))
        {
            _heldSpeedKmh = reading.SpeedKmh;
        }

        var leanSame = double.NaN;
        var leanFlipped = double.NaN;
        var longitudinal = double.NaN;
        var lateral = double.NaN;
        if (double.IsFinite(reading.Ax) && double.IsFinite(reading.Ay) && double.IsFinite(reading.Az)
            && double.IsFinite(reading.Gx) && double.IsFinite(reading.Gy) && double.IsFinite(reading.Gz))
        {
            // The same complementary filter as the ride analysis, fed the held speed as the analysis does for a speed column.
            var dt = _lastImuTicks == 0 ? 0 : (t - _lastImuTicks) / (double)TimeSpan.TicksPerSecond;
            _lean.Add(dt, reading.Ax, reading.Ay, reading.Az, reading.Gx, reading.Gy, reading.Gz, _heldSpeedKmh);
            _lastImuTicks = t;
            WatchForCrash(reading, receivedAt);
            leanSame = _lean.LeanSameRad * GeoMath.RadToDeg;
            leanFlipped = _lean.LeanFlippedRad * GeoMath.RadToDeg;
            longitudinal = reading.Ax / StandardGravity;
            lateral = double.IsNaN(_heldSpeedKmh)
                ? reading.Ay / StandardGravity
                : _heldSpeedKmh / 3.6 * _lean.YawRateDps * GeoMath.DegToRad / StandardGravity;
        }

        if (_count == _capacity)
        {
            _oldest = (_oldest + 1) % _capacity;
            _count--;
        }

        var at = (_oldest + _count) % _capacity;
        _ticks[at] = t;
        _speed[at] = _heldSpeedKmh;
        _leanSame[at] = leanSame;
        _leanFlipped[at] = leanFlipped;
        _longitudinal[at] = longitudinal;
        _lateral[at] = lateral;
        _count++;
        _lastTicks = t;
        _received++;
        return true;
    }

    /// <summary>
    /// Runs the ride analysis (its speed filter, lean and crash detector, exactly as for an uploaded file) on the stream,
    /// so a crash shows while the session is still open. Channels are taken from the session's first IMU sample.
    /// </summary>
    private void WatchForCrash(in LiveReading reading, DateTimeOffset receivedAt)
    {
        if (!double.IsNaN(reading.Latitude) && !double.IsNaN(reading.Longitude))
        {
            _heldLatitude = reading.Latitude;
            _heldLongitude = reading.Longitude;
        }

        if (_crash is not null)
        {
            return;
        }

        if (_analysis is null)
        {
            _analysis = new RideMetricsSink();
            _analysisOriginTicks = reading.TimestampTicks;
            _analysis.Begin(new RideChannels(
                HasMagnetometer: false,
                HasSpeed: !double.IsNaN(reading.SpeedKmh),
                HasPosition: !double.IsNaN(reading.Latitude) && !double.IsNaN(reading.Longitude),
                HasAltitude: false));
        }

        var sample = new RideSample
        {
            T = (reading.TimestampTicks - _analysisOriginTicks) / (double)TimeSpan.TicksPerSecond,
            Ax = reading.Ax, Ay = reading.Ay, Az = reading.Az,
            Gx = reading.Gx, Gy = reading.Gy, Gz = reading.Gz,
            Mx = double.NaN, My = double.NaN, Mz = double.NaN,
            Speed = reading.SpeedKmh,
            Lat = reading.Latitude, Lon = reading.Longitude, Alt = double.NaN,
        };
        _analysis.Add(in sample);
        if (_analysis.CrashSoFar is { } finding)
        {
            var at = new DateTimeOffset(_analysisOriginTicks + (long)(finding.TimeS * TimeSpan.TicksPerSecond), TimeSpan.Zero);
            _crash = new LiveCrash(
                at,
                finding.Latitude is { } lat && double.IsFinite(lat) ? lat : NullIfNaN(_heldLatitude),
                finding.Longitude is { } lon && double.IsFinite(lon) ? lon : NullIfNaN(_heldLongitude),
                finding.Kind,
                finding.PeakG,
                receivedAt);
            _analysis = null; // nothing more to learn from it in this session; frees its buffers
        }
    }

    private static double? NullIfNaN(double value) => double.IsNaN(value) ? null : value;

    /// <param name="startSeen">True when the session began with the device's start event.</param>
    private void BeginSession(bool startSeen)
    {
        _lean = new LeanEstimator();
        _analysis = null;
        _crash = null;
        _heldLatitude = double.NaN;
        _heldLongitude = double.NaN;
        _oldest = 0;
        _count = 0;
        _lastTicks = 0;
        _lastImuTicks = 0;
        _heldSpeedKmh = double.NaN;
        _sessionStartTicks = null;
        _startSeen = startSeen;
        _ended = false;
        _sessionOpen = true;
    }

    private void EvictOlderThan(long oldestKeptTicks)
    {
        while (_count > 0 && _ticks[_oldest] < oldestKeptTicks)
        {
            _oldest = (_oldest + 1) % _capacity;
            _count--;
        }
    }

    private LiveSnapshot BuildSnapshot()
    {
        if (_count == 0)
        {
            return new LiveSnapshot
            {
                Version = _version,
                SamplesReceived = _received,
                SamplesDropped = _dropped,
                LastReceivedAt = _lastReceivedAt,
                SessionStartSeen = _startSeen,
                SessionEnded = _ended,
                Crash = _crash,
            };
        }

        var sameConvention = _lean.RollRateFollowsRightHandRule;
        var speed = new SeriesBuilder(_count);
        var lean = new SeriesBuilder(_count);
        var longitudinal = new SeriesBuilder(_count);
        var lateral = new SeriesBuilder(_count);
        for (var i = 0; i < _count; i++)
        {
            var at = (_oldest + i) % _capacity;
            var x = (_ticks[at] - _lastTicks) / (double)TimeSpan.TicksPerSecond;
            speed.Add(x, _speed[at]);
            lean.Add(x, sameConvention ? _leanSame[at] : _leanFlipped[at]);
            longitudinal.Add(x, _longitudinal[at]);
            lateral.Add(x, _lateral[at]);
        }

        return new LiveSnapshot
        {
            Version = _version,
            SamplesReceived = _received,
            SamplesDropped = _dropped,
            LastSampleAt = new DateTimeOffset(_lastTicks, TimeSpan.Zero),
            LastReceivedAt = _lastReceivedAt,
            SessionStartedAt = _sessionStartTicks is { } start ? new DateTimeOffset(start, TimeSpan.Zero) : null,
            SessionStartSeen = _startSeen,
            SessionEnded = _ended,
            SampleRateHz = SampleRate(),
            SpeedKmh = speed.Build(),
            LeanDeg = lean.Build(),
            LongitudinalG = longitudinal.Build(),
            LateralG = lateral.Build(),
            Crash = _crash,
        };
    }

    /// <summary>(n − 1) intervals over the time they span, for the samples in the newest <see cref="RateWindow"/>.</summary>
    private double? SampleRate()
    {
        var from = _lastTicks - RateWindow.Ticks;
        var samples = 0;
        var earliest = _lastTicks;
        for (var i = _count - 1; i >= 0; i--)
        {
            var t = _ticks[(_oldest + i) % _capacity];
            if (t < from)
            {
                break;
            }

            samples++;
            earliest = t;
        }

        return samples >= 2 ? (samples - 1) / ((_lastTicks - earliest) / (double)TimeSpan.TicksPerSecond) : null;
    }

    /// <summary>Collects the finite points of one channel.</summary>
    private sealed class SeriesBuilder(int capacity)
    {
        private readonly List<double> _x = new(capacity);
        private readonly List<double> _y = new(capacity);

        public void Add(double x, double y)
        {
            if (double.IsFinite(y))
            {
                _x.Add(x);
                _y.Add(y);
            }
        }

        public LiveSeries Build() => _x.Count == 0 ? LiveSeries.Empty : new LiveSeries([.. _x], [.. _y]);
    }
}
