using Portal.Core.Analytics;
using Portal.Core.Analytics.Charts;

namespace Portal.Tests.Analytics.Charts;

/// <summary>The traces endpoint's windows: cut to the time range, thinned with peaks kept, positions kept as fixes.</summary>
[Trait("Category", "Analytics")]
public sealed class TraceWindowsTests
{
    private static RideTraces Ride(int count, double rateHz)
    {
        var t = Enumerable.Range(0, count).Select(i => i / rateHz).ToArray();
        var speed = t.Select(s => 100 + (20 * Math.Sin(s / 7))).ToArray();
        speed[count / 3] = 250; // one short peak
        speed[(2 * count) / 3] = -5;
        var lat = t.Select(s => 44 + (s * 1e-5)).ToArray();
        return new RideTraces(
            [new Trace("speed", "km/h", t, speed), new Trace("lat", "°", t, lat)],
            [new TurnMark(10, 12, "left", 90), new TurnMark(500, 510, "right", 90)]);
    }

    [Fact]
    public void Window_NarrowerThanTheStoredResolution_ReturnsEveryStoredPointInside_PlusOneEitherSide()
    {
        var ride = Ride(10_000, 10);

        var window = TraceWindows.Cut(ride, 100, 110, 2000);

        var speed = window.Channels[0];
        Assert.Equal(103, speed.T.Length); // 100.0 … 110.0 at 10 Hz, and 99.9 and 110.1
        Assert.Equal(99.9, speed.T[0], 9);
        Assert.Equal(110.1, speed.T[^1], 9);
        Assert.Equal(ride.Channels[0].Values[999..1102], speed.Values);
    }

    [Fact]
    public void WholeRide_ThinnedToTheBudget_KeepsTheGlobalPeakAndTrough()
    {
        var ride = Ride(100_000, 100);

        var window = TraceWindows.Cut(ride, null, null, 500);

        var speed = window.Channels[0];
        Assert.InRange(speed.T.Length, 400, 500);
        Assert.Equal(250, speed.Values.Max());
        Assert.Equal(-5, speed.Values.Min());
        Assert.True(speed.T.Zip(speed.T.Skip(1)).All(p => p.First < p.Second), "times strictly increase");
    }

    [Fact]
    public void Positions_AreThinnedAsFixesOfTheTrack_NotAsMinMaxPairs()
    {
        var ride = Ride(100_000, 100);

        var lat = TraceWindows.Cut(ride, null, null, 500).Channels[1];

        Assert.Equal(500, lat.T.Length);
        for (var i = 0; i < lat.T.Length; i++)
        {
            Assert.Equal(44 + (lat.T[i] * 1e-5), lat.Values[i], 9); // every point is a real fix at its own time
        }
    }

    [Fact]
    public void Turns_OutsideTheWindow_AreLeftOut()
    {
        var window = TraceWindows.Cut(Ride(10_000, 10), 0, 100, 1000);

        var turn = Assert.Single(window.Turns);
        Assert.Equal(10, turn.StartS);
    }

    [Theory]
    [InlineData(10.0, 5.0, null, "to (5) must be greater than from (10).")]
    [InlineData(null, null, 5, "points must be between 10 and 20000 (got 5).")]
    [InlineData(null, null, 20_001, "points must be between 10 and 20000 (got 20001).")]
    [InlineData(double.NaN, 5.0, null, "from and to are seconds from the ride's first sample (finite numbers).")]
    public void BadWindows_AreRefused_WithAReason(double? from, double? to, int? points, string reason)
    {
        Assert.Equal(reason, TraceWindows.Validate(from, to, points));
    }

    [Fact]
    public void GoodWindow_IsAccepted()
    {
        Assert.Null(TraceWindows.Validate(0, 60, 2000));
        Assert.Null(TraceWindows.Validate(null, null, null));
    }
}
