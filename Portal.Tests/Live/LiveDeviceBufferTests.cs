using Portal.Core.Analytics;
using Portal.Core.Live;
using Portal.Tests.Analytics.Metrics;

namespace Portal.Tests.Live;

/// <summary>The live view's per-device window: bounds, sample rate, lean and acceleration, sessions.</summary>
[Trait("Category", "Live")]
public sealed class LiveDeviceBufferTests
{
    private const double G = 9.80665;
    private static readonly DateTimeOffset Origin = new(2026, 5, 3, 9, 15, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Received = new(2026, 11, 28, 10, 0, 0, TimeSpan.Zero);

    private static LiveDeviceBuffer NewBuffer(double windowS = 60, int capacity = 100_000, double idleS = 60) =>
        new(TimeSpan.FromSeconds(windowS), capacity, TimeSpan.FromSeconds(idleS));

    /// <summary>Level, straight riding at <paramref name="speedKmh"/>: one sample every 1/<paramref name="rateHz"/> s from <paramref name="fromS"/>.</summary>
    private static List<LiveReading> Straight(double fromS, double seconds, double rateHz, double speedKmh = 50) =>
        [.. Enumerable.Range(0, (int)Math.Round(seconds * rateHz)).Select(i => At(fromS + (i / rateHz), speedKmh))];

    private static LiveReading At(double seconds, double speedKmh = 50) =>
        new(Origin.AddSeconds(seconds).UtcTicks, 0.5, 0, G, 0, 0, 0, speedKmh);

    private static List<LiveReading> FromRide(IReadOnlyList<RideSample> samples) =>
        [.. samples.Select(s => new LiveReading(Origin.UtcTicks + (long)Math.Round(s.T * TimeSpan.TicksPerSecond), s.Ax, s.Ay, s.Az, s.Gx, s.Gy, s.Gz, s.Speed))];

    [Fact]
    public void Window_KeepsOnlyTheLastWindowOfDeviceTime_RelativeToTheNewestSample()
    {
        var buffer = NewBuffer(windowS: 10);

        buffer.Add(Straight(0, 30, 100), Received);

        var snapshot = buffer.Snapshot();
        Assert.Equal(1001, buffer.Count); // 20.00 s … 29.99 s and the sample exactly 10 s before the newest
        Assert.Equal(-10, snapshot.LongitudinalG.TimeS[0], 6);
        Assert.Equal(0, snapshot.LongitudinalG.TimeS[^1], 6);
        Assert.Equal(3000, snapshot.SamplesReceived);
    }

    [Fact]
    public void Capacity_BoundsTheSamples_KeepingTheNewest_WhateverTheRate()
    {
        var buffer = NewBuffer(windowS: 60, capacity: 100);

        buffer.Add(Straight(0, 10, 100), Received);

        var snapshot = buffer.Snapshot();
        Assert.Equal(100, buffer.Count);
        Assert.Equal(100, snapshot.SpeedKmh.Count);
        Assert.Equal(Origin.AddSeconds(9.99).UtcTicks, snapshot.LastSampleAt!.Value.UtcTicks);
        Assert.Equal(-0.99, snapshot.SpeedKmh.TimeS[0], 6);
    }

    [Fact]
    public void SampleRate_IsMeasuredOverTheNewestSeconds_SoARateChangeShowsQuickly()
    {
        var buffer = NewBuffer();
        buffer.Add(Straight(0, 20, 50), Received);
        Assert.Equal(50, buffer.Snapshot().SampleRateHz!.Value, 6);

        buffer.Add(Straight(20, 6, 200), Received);

        Assert.Equal(200, buffer.Snapshot().SampleRateHz!.Value, 6);
    }

    [Fact]
    public void SampleRate_IsUnknown_WithASingleSample()
    {
        var buffer = NewBuffer();

        buffer.Add([At(0)], Received);

        Assert.Null(buffer.Snapshot().SampleRateHz);
        Assert.True(buffer.Snapshot().HasSamples);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Lean_InASteadyLeftTurn_IsTheBalanceLean_WhicheverSignTheDeviceGivesTheRollRate(bool rollRateFlipped)
    {
        // 72 km/h at 20 °/s to the left: balance lean atan(20 m/s · 0.349 rad/s / g) = 35.4° to the left (negative).
        var expectedLean = -Math.Atan(20 * 20 * Math.PI / 180 / G) * 180 / Math.PI;
        var ride = new SyntheticRide { RollRateFlipped = rollRateFlipped }.Drive(8, 72, 0).Drive(8, 72, 20);
        var buffer = NewBuffer();

        // Stop mid-turn, where the rider holds the lean (the turn ramps out over its last 0.5 s).
        buffer.Add(FromRide([.. ride.Samples.Take(ride.Samples.Count - 100)]), Received);

        var snapshot = buffer.Snapshot();
        Assert.InRange(snapshot.LeanDeg.Latest!.Value, expectedLean - 2, expectedLean + 2);
        // Riding straight before the turn the lean stayed near upright.
        Assert.InRange(snapshot.LeanDeg.Values[(int)(snapshot.LeanDeg.Count * 0.3)], -3, 3);
    }

    [Fact]
    public void LateralAcceleration_InASteadyTurn_IsTheCentripetalOne_AndLongitudinalFollowsAx()
    {
        // 20 m/s at 20 °/s: v·ω = 6.98 m/s² = 0.71 g to the left; braking from 72 to 36 km/h over 8 s: −1.25 m/s².
        var ride = new SyntheticRide { AccelNoise = 0, GyroNoiseDps = 0 }.Drive(8, 72, 0).Drive(8, 72, 20);
        var buffer = NewBuffer();
        buffer.Add(FromRide([.. ride.Samples.Take(ride.Samples.Count - 100)]), Received);
        Assert.InRange(buffer.Snapshot().LateralG.Latest!.Value, 0.66, 0.76);

        var braking = new SyntheticRide { AccelNoise = 0, GyroNoiseDps = 0 }.Drive(8, 72, 0).Drive(8, 36, 0);
        var second = NewBuffer();
        second.Add(FromRide(braking.Samples), Received);
        Assert.Equal(-1.25 / G, second.Snapshot().LongitudinalG.Latest!.Value, 3);
    }

    [Fact]
    public void OlderOrRepeatedSamples_AreDropped_AndCounted_SoLeanIsIntegratedInTimeOrder()
    {
        var buffer = NewBuffer();
        buffer.Add(Straight(0, 1, 10), Received);

        var accepted = buffer.Add([At(0.5), At(0.9), At(1.0)], Received);

        Assert.Equal(1, accepted);
        var snapshot = buffer.Snapshot();
        Assert.Equal(2, snapshot.SamplesDropped);
        Assert.Equal(11, snapshot.SamplesReceived);
        Assert.Equal(Origin.AddSeconds(1), snapshot.LastSampleAt);
    }

    [Fact]
    public void SamplesWithoutImuChannels_KeepTheSpeed_ButAddNoLeanOrAcceleration()
    {
        var buffer = NewBuffer();

        buffer.Add([new LiveReading(Origin.UtcTicks, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, 42)], Received);

        var snapshot = buffer.Snapshot();
        Assert.Equal([42.0], snapshot.SpeedKmh.Values);
        Assert.Equal(0, snapshot.LeanDeg.Count);
        Assert.Equal(0, snapshot.LongitudinalG.Count);
        Assert.False(snapshot.HasSamples);
    }

    [Fact]
    public void StartEvent_ClearsTheWindow_AndTheSessionDurationCountsFromTheNewSessionsFirstSample()
    {
        var buffer = NewBuffer();
        buffer.Add(Straight(0, 5, 10), Received);
        Assert.False(buffer.Snapshot().SessionStartSeen);

        buffer.OnSessionEvent(LiveSessionEvent.Start, Received);
        buffer.Add(Straight(10, 3, 10), Received);

        var snapshot = buffer.Snapshot();
        Assert.True(snapshot.SessionStartSeen);
        Assert.Equal(30, buffer.Count);
        Assert.Equal(Origin.AddSeconds(10), snapshot.SessionStartedAt);
        Assert.Equal(2.9, snapshot.SessionDuration!.Value.TotalSeconds, 3);
    }

    [Fact]
    public void EndEvent_KeepsTheLastWindowOnShow_AndTheNextSampleStartsANewSession()
    {
        var buffer = NewBuffer();
        buffer.OnSessionEvent(LiveSessionEvent.Start, Received);
        buffer.Add(Straight(0, 5, 10), Received);

        buffer.OnSessionEvent(LiveSessionEvent.End, Received.AddSeconds(1));
        var ended = buffer.Snapshot();
        Assert.True(ended.SessionEnded);
        Assert.Equal(50, ended.LongitudinalG.Count);

        buffer.Add([At(20)], Received.AddSeconds(20));
        var next = buffer.Snapshot();
        Assert.False(next.SessionEnded);
        Assert.False(next.SessionStartSeen);
        Assert.Equal(1, next.LongitudinalG.Count);
        Assert.Equal(Origin.AddSeconds(20), next.SessionStartedAt);
    }

    [Fact]
    public void GapLongerThanTheIdleTimeout_StartsANewSession()
    {
        var buffer = NewBuffer(idleS: 30);
        buffer.Add(Straight(0, 5, 10), Received);

        buffer.Add(Straight(100, 2, 10), Received);

        var snapshot = buffer.Snapshot();
        Assert.Equal(20, buffer.Count);
        Assert.Equal(Origin.AddSeconds(100), snapshot.SessionStartedAt);
    }

    [Fact]
    public void Snapshot_IsOneSharedInstance_UntilAMessageArrives()
    {
        var buffer = NewBuffer();
        buffer.Add(Straight(0, 1, 10), Received);

        var first = buffer.Snapshot();
        Assert.Same(first, buffer.Snapshot());

        buffer.Add([At(2)], Received.AddSeconds(2));
        var second = buffer.Snapshot();
        Assert.NotSame(first, second);
        Assert.Equal(Received.AddSeconds(2), second.LastReceivedAt);
        Assert.Equal(10, first.SpeedKmh.Count); // the old snapshot is never changed under a page drawing it
    }
}
