using Portal.Core.Analytics.Laps;

namespace Portal.Tests.Analytics.Laps;

/// <summary>Laps timed at a line the rider sets, delta time between laps, and why a ride has no laps.</summary>
[Trait("Category", "Analytics")]
public sealed class LapTimingTests
{
    private static readonly double[] FiveLaps = [0.92, 0.97, 1.0, 0.95, 0.9];

    [Fact]
    public void RiderSetLine_TimesEveryLap_Within5HundredthsOfTheTrueLapTime_At10HzGps()
    {
        // 0.5 m of position noise, as a 10 Hz GNSS lap timer has on a straight.
        var circuit = new SyntheticCircuit(FiveLaps, gpsRateHz: 10, noiseM: 0.5, seed: 5);
        var line = LineOnTheMainStraight(circuit);

        var session = LapDetector.TimeAt(circuit.Traces, line);

        Assert.NotNull(session);
        var truth = circuit.LapsTimedAt(line.Latitude, line.Longitude);
        Assert.Equal(truth.Count, session.Laps.Count);
        Assert.True(truth.Count >= FiveLaps.Length - 1, $"{truth.Count} laps");
        for (var i = 0; i < truth.Count; i++)
        {
            // The smoothed track crosses the line up to a few hundredths late or early, the same way on every lap.
            Assert.Equal(truth[i].StartS, session.Laps[i].StartS, 0.1);
            Assert.Equal(truth[i].EndS - truth[i].StartS, session.Laps[i].TimeS, 0.05);
        }
    }

    /// <summary>Where a rider puts the start/finish line: the middle of the longest straight (no lean), after the ride-out.</summary>
    private static StartFinishLine LineOnTheMainStraight(SyntheticCircuit circuit)
    {
        var channel = (string name) => circuit.Traces.Channels.First(c => c.Name == name);
        var (lean, lat, lon) = (channel("lean"), channel("lat"), channel("lon"));
        int bestStart = 0, bestLength = 0, runStart = -1;
        for (var i = 0; i < lean.T.Length; i++)
        {
            if (lean.T[i] > 60 && lean.Values[i] == 0)
            {
                runStart = runStart < 0 ? i : runStart;
                if (i - runStart + 1 > bestLength)
                {
                    (bestStart, bestLength) = (runStart, i - runStart + 1);
                }
            }
            else
            {
                runStart = -1;
            }
        }

        var middle = bestStart + (bestLength / 2);
        return new StartFinishLine(lat.Values[middle], lon.Values[middle], SyntheticCircuit.HeadingAt(lat.Values[middle], lon.Values[middle]));
    }

    [Fact]
    public void LineRiddenTheOtherWay_GivesNoLaps()
    {
        var circuit = new SyntheticCircuit(FiveLaps, gpsRateHz: 10, seed: 5);
        var detected = LapDetector.Detect(circuit.Traces)!;
        var reversed = new StartFinishLine(detected.Line.Latitude, detected.Line.Longitude, (detected.Line.HeadingDeg + 180) % 360);

        Assert.Null(LapDetector.TimeAt(circuit.Traces, reversed));
    }

    [Fact]
    public void DeltaTime_OfASlowerLap_GrowsAlongTheLap_ToTheDifferenceOfTheLapTimes()
    {
        var circuit = new SyntheticCircuit([1.0, 0.9, 1.0], gpsRateHz: 10, noiseM: 0.5, seed: 2);
        var session = LapDetector.Detect(circuit.Traces)!;
        var fast = session.Laps.MinBy(l => l.TimeS)!;
        var slow = session.Laps.MaxBy(l => l.TimeS)!;

        var delta = LapDelta.Compute(LapDelta.TimeByDistance(circuit.Traces, session, fast)!.Value, LapDelta.TimeByDistance(circuit.Traces, session, slow)!.Value);

        Assert.NotNull(delta);
        var (distance, deltaS) = delta.Value;
        Assert.Equal(0, deltaS[0], 0.01);
        Assert.Equal(slow.TimeS - fast.TimeS, deltaS[^1], 0.05);
        Assert.True(deltaS[distance.Length / 2] > 0.2 * (slow.TimeS - fast.TimeS), "the slower lap loses time on the way, not only at the end");
    }

    [Fact]
    public void NoLapsReason_SaysWhetherTheTrackNeverClosesALoop_OrHasNoPosition()
    {
        var noPosition = new Portal.Core.Analytics.RideTraces([new Portal.Core.Analytics.Trace("speed", "km/h", [0, 1], [10, 20])], []);
        Assert.Contains("no GPS positions", LapAbsence.Explain(noPosition), StringComparison.Ordinal);

        var t = Enumerable.Range(0, 600).Select(i => (double)i).ToArray();
        var straightRoad = new Portal.Core.Analytics.RideTraces(
        [
            new Portal.Core.Analytics.Trace("lat", "°", t, [.. t.Select(s => 44.3 + (s * 15 / 110_574))]),
            new Portal.Core.Analytics.Trace("lon", "°", t, [.. t.Select(_ => 11.1)]),
        ], []);
        Assert.Contains("never comes back", LapAbsence.Explain(straightRoad), StringComparison.Ordinal);

        var singleLap = new SyntheticCircuit([1.0], gpsRateHz: 5, seed: 3);
        Assert.Null(LapDetector.Detect(singleLap.Traces));
        Assert.Contains("comes back on itself", LapAbsence.Explain(singleLap.Traces), StringComparison.Ordinal);
    }
}
