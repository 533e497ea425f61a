namespace Portal.Core.Live;

/// <summary>One channel of the live window: seconds relative to the newest sample (≤ 0) and the values.</summary>
public sealed record LiveSeries(double[] TimeS, double[] Values)
{
    public static readonly LiveSeries Empty = new([], []);

    public int Count => TimeS.Length;

    /// <summary>The newest value, or null for an empty series.</summary>
    public double? Latest => Values.Length == 0 ? null : Values[^1];
}

/// <summary>
/// What a watched device streamed recently, copied out of its <see cref="LiveDeviceBuffer"/> so a page can draw it while
/// new samples arrive. <see cref="Version"/> changes whenever anything in it does.
/// </summary>
public sealed record LiveSnapshot
{
    public static readonly LiveSnapshot Empty = new();

    public long Version { get; init; }

    /// <summary>Samples accepted since the feed began watching (all sessions).</summary>
    public long SamplesReceived { get; init; }

    /// <summary>Samples dropped because they were not newer than the last one (redeliveries, reordering).</summary>
    public long SamplesDropped { get; init; }

    /// <summary>Device time of the newest sample.</summary>
    public DateTimeOffset? LastSampleAt { get; init; }

    /// <summary>When the feed last received a message for the device (portal clock).</summary>
    public DateTimeOffset? LastReceivedAt { get; init; }

    /// <summary>Device time of the session's first sample seen by the feed.</summary>
    public DateTimeOffset? SessionStartedAt { get; init; }

    /// <summary>True when the feed saw the session's start event, so <see cref="SessionDuration"/> is the whole session.</summary>
    public bool SessionStartSeen { get; init; }

    /// <summary>The device sent its end event (the last session's data stays visible).</summary>
    public bool SessionEnded { get; init; }

    /// <summary>Samples per second over the last few seconds of device time; null below two samples.</summary>
    public double? SampleRateHz { get; init; }

    public LiveSeries SpeedKmh { get; init; } = LiveSeries.Empty;

    /// <summary>Lean angle in degrees, right positive (the analysis' convention).</summary>
    public LiveSeries LeanDeg { get; init; } = LiveSeries.Empty;

    /// <summary>Forward acceleration in g (braking negative).</summary>
    public LiveSeries LongitudinalG { get; init; } = LiveSeries.Empty;

    /// <summary>Lateral (centripetal) acceleration in g, left positive; the body's ay when the device sends no speed.</summary>
    public LiveSeries LateralG { get; init; } = LiveSeries.Empty;

    /// <summary>The crash confirmed in this session by the ride analysis' crash detector; null while none.</summary>
    public LiveCrash? Crash { get; init; }

    public bool HasSamples => LongitudinalG.Count > 0;

    /// <summary>From the session's first sample seen by the feed to the newest one.</summary>
    public TimeSpan? SessionDuration => LastSampleAt - SessionStartedAt;
}
