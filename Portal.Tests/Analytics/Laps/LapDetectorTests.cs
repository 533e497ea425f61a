using Portal.Core.Analytics;
using Portal.Core.Analytics.Laps;
using Portal.Core.Analytics.Metrics;
using Portal.Core.Simulation;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Analytics.Laps;

[Trait("Category", "Analytics")]
public sealed class LapDetectorTests
{
    private static readonly double[] SixLaps = [0.92, 0.97, 1.0, 0.99, 0.95, 0.9];

    [Fact]
    public void CircuitSession_GivesEveryLap_WithLapTimesWithinAFifthOfASecond()
    {
        var circuit = new SyntheticCircuit(SixLaps, seed: 7);

        var session = LapDetector.Detect(circuit.Traces);

        Assert.NotNull(session);
        var truth = circuit.LapsTimedAt(session.Line.Latitude, session.Line.Longitude);
        Assert.Equal(truth.Count, session.Laps.Count);
        Assert.InRange(session.Laps.Count, SixLaps.Length - 1, SixLaps.Length + 1);
        for (var i = 0; i < truth.Count; i++)
        {
            Assert.Equal(i + 1, session.Laps[i].Number);
            Assert.Equal(truth[i].StartS, session.Laps[i].StartS, 0.2);
            Assert.Equal(truth[i].EndS - truth[i].StartS, session.Laps[i].TimeS, 0.2);
            Assert.Equal(SyntheticCircuit.Length, session.Laps[i].DistanceM, SyntheticCircuit.Length * 0.03);
        }
    }

    [Fact]
    public void BestLap_IsTheFastestLapOfTheSession()
    {
        var circuit = new SyntheticCircuit([0.9, 0.95, 1.0, 0.94, 0.88], seed: 3);

        var session = LapDetector.Detect(circuit.Traces)!;

        var truth = circuit.LapsTimedAt(session.Line.Latitude, session.Line.Longitude);
        var fastest = truth.Select((lap, i) => (Time: lap.EndS - lap.StartS, Number: i + 1)).MinBy(l => l.Time).Number;
        Assert.Equal(fastest, session.BestLap.Number);
        var summaries = LapSummary.Summarize(session, circuit.Traces);
        Assert.Equal([fastest], summaries.Where(s => s.IsBest).Select(s => s.Lap.Number));
    }

    [Fact]
    public void SparseTrace_LikeALongSessionsDownsampledTraces_StillTimesLapsWithinHalfASecond()
    {
        // A long session's traces keep about one position every 1.3 s.
        var circuit = new SyntheticCircuit(SixLaps, gpsRateHz: 0.75, noiseM: 2.5, seed: 11);

        var session = LapDetector.Detect(circuit.Traces);

        Assert.NotNull(session);
        var truth = circuit.LapsTimedAt(session.Line.Latitude, session.Line.Longitude);
        Assert.Equal(truth.Count, session.Laps.Count);
        Assert.All(session.Laps.Zip(truth), pair => Assert.Equal(pair.Second.EndS - pair.Second.StartS, pair.First.TimeS, 0.5));
    }

    [Fact]
    public void LapsStartWhereTheRiderFirstPassesAtSpeed_AndAreRiddenInTheCircuitsDirection()
    {
        var circuit = new SyntheticCircuit(SixLaps, seed: 5);

        var session = LapDetector.Detect(circuit.Traces)!;

        // The rider waits 20 s, then rides out and is up to speed within a few seconds.
        Assert.InRange(session.Laps[0].StartS, 20, 30);
        var heading = SyntheticCircuit.HeadingAt(session.Line.Latitude, session.Line.Longitude);
        var difference = Math.Abs(((session.Line.HeadingDeg - heading + 540) % 360) - 180);
        Assert.InRange(difference, 0, 15);
    }

    [Fact]
    public void SingleLap_IsNoTrackSession()
    {
        var circuit = new SyntheticCircuit([1.0], seed: 2, rideOutM: 50);

        Assert.Null(LapDetector.Detect(circuit.Traces));
    }

    [Fact]
    public void LapSummaries_ReadMaximaWithinEachLap()
    {
        var circuit = new SyntheticCircuit(SixLaps, noiseM: 0, seed: 1);

        var session = LapDetector.Detect(circuit.Traces)!;
        var summaries = LapSummary.Summarize(session, circuit.Traces);

        var speed = circuit.Traces.Channels.Single(c => c.Name == TraceNames.Speed);
        foreach (var summary in summaries)
        {
            var inLap = speed.T.Select((t, i) => (t, v: speed.Values[i])).Where(p => p.t >= summary.Lap.StartS && p.t <= summary.Lap.EndS).Max(p => p.v);
            Assert.Equal(inLap, summary.MaxSpeedKmh!.Value, 1e-9);
            Assert.Equal(summary.Lap.DistanceM / summary.Lap.TimeS * 3.6, summary.AvgSpeedKmh, 1e-9);
            Assert.True(summary.MaxLeanLeftDeg > 10, "the hairpins turn left");
            Assert.Equal(0, summary.MaxLeanRightDeg);
        }

        // Faster laps reach higher top speeds: the pace differs by lap.
        Assert.NotEqual(summaries.Min(s => s.MaxSpeedKmh), summaries.Max(s => s.MaxSpeedKmh));
    }

    [Fact]
    public void LapTraces_StartAtTheLap_AndSpanItsTimeAndDistance()
    {
        var circuit = new SyntheticCircuit(SixLaps, seed: 4);
        var session = LapDetector.Detect(circuit.Traces)!;
        var lap = session.Laps[1];

        var sliced = LapTraces.Slice(circuit.Traces, lap);
        var byDistance = LapTraces.ByDistance(circuit.Traces, session, lap, TraceNames.Speed);

        var speed = sliced.Channels.Single(c => c.Name == TraceNames.Speed);
        Assert.InRange(speed.T[0], 0, 0.2 + 1e-9);
        Assert.InRange(speed.T[^1], lap.TimeS - 0.2, lap.TimeS);
        Assert.NotNull(byDistance);
        Assert.InRange(byDistance.Value.DistanceM[0], 0, 15);
        Assert.InRange(byDistance.Value.DistanceM[^1], lap.DistanceM - 15, lap.DistanceM + 1e-6);
        Assert.True(byDistance.Value.DistanceM.Zip(byDistance.Value.DistanceM.Skip(1)).All(p => p.Second >= p.First), "distance never decreases");
        Assert.Null(LapTraces.ByDistance(circuit.Traces, session, lap, "no_such_channel"));
    }

    public static TheoryData<string> NonTrackSamples()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(TestServices.SamplesDir, "*.csv").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(file));
        }

        return data;
    }

    /// <summary>None of the golden rides laps a circuit (the track sample is shorter than two laps of its corners).</summary>
    [Theory]
    [MemberData(nameof(NonTrackSamples))]
    public async Task GoldenSample_AnalysedTraces_HaveNoLaps(string fileName)
    {
        await using var stream = File.OpenRead(Path.Combine(TestServices.SamplesDir, fileName));
        var analysis = await new RideAnalyzer().AnalyzeAsync(stream, profile: null, progress: null, CancellationToken.None);

        Assert.NotNull(analysis.Traces);
        Assert.NotNull(analysis.Traces.Channels.FirstOrDefault(c => c.Name == TraceNames.Latitude));
        Assert.Null(LapDetector.Detect(analysis.Traces));
    }

    [Theory]
    [InlineData(RideScenario.City, 21)]
    [InlineData(RideScenario.City, 22)]
    [InlineData(RideScenario.Country, 23)]
    [InlineData(RideScenario.Country, 24)]
    [InlineData(RideScenario.Track, 25)] // the simulator repeats its corners, but their headings never add up to a closed loop
    public void SimulatedRideThatNeverClosesALoop_HasNoLaps(RideScenario scenario, int seed)
    {
        var (times, lats, lons) = SimulatedPositions(new SimulationOptions { Scenario = scenario, DurationSeconds = 1800, RateHz = 10, GpsRateHz = 1, Seed = seed });

        Assert.Null(LapDetector.Detect(times, lats, lons));
    }

    [Fact]
    public void OutAndBackOnTheSameRoad_HasNoLaps()
    {
        // Ride 2 km east and back twice: the same spots are passed, but never twice in the same direction a lap apart.
        var times = new List<double>();
        var lats = new List<double>();
        var lons = new List<double>();
        var metresPerDegreeLon = GeoMath.EarthRadiusM * GeoMath.DegToRad * Math.Cos(44.3 * GeoMath.DegToRad);
        for (var t = 0; t <= 400; t++)
        {
            var phase = t % 200;
            var x = phase <= 100 ? phase * 20.0 : (200 - phase) * 20.0;
            times.Add(t);
            lats.Add(44.3 + (t % 2 * 0.000005));
            lons.Add(11.1 + (x / metresPerDegreeLon));
        }

        Assert.Null(LapDetector.Detect(times, lats, lons));
    }

    [Fact]
    public void RideWithoutPosition_HasNoLaps()
    {
        var traces = new RideTraces([new Trace(TraceNames.Speed, "km/h", [0, 1, 2], [10, 20, 30])], []);

        Assert.Null(LapDetector.Detect(traces));
        Assert.Null(LapDetector.Detect(null));
        Assert.Null(LapDetector.Detect([0, 1, 2], [double.NaN, double.NaN, double.NaN], [double.NaN, double.NaN, double.NaN]));
    }

    [Fact]
    public void PositionArraysOfDifferentLengths_AreRefused()
    {
        var refused = Assert.Throws<ArgumentException>(() => LapDetector.Detect([0, 1], [44.3], [11.1, 11.2]));
        Assert.Contains("same length", refused.Message, StringComparison.Ordinal);
    }

    private static (double[] Times, double[] Lats, double[] Lons) SimulatedPositions(SimulationOptions options)
    {
        var simulator = new RideSimulator(options);
        var times = new List<double>();
        var lats = new List<double>();
        var lons = new List<double>();
        while (simulator.TryNext(out var sample))
        {
            if (sample.GpsFix)
            {
                times.Add(sample.Measured.T);
                lats.Add(sample.Measured.Lat);
                lons.Add(sample.Measured.Lon);
            }
        }

        return ([.. times], [.. lats], [.. lons]);
    }
}
