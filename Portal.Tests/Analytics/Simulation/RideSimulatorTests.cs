using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using Portal.Core.Analytics;
using Portal.Core.Analytics.Reading;
using Portal.Core.Simulation;

namespace Portal.Tests.Analytics.Simulation;

[Trait("Category", "Analytics")]
public sealed class RideSimulatorTests
{
    private const double G = 9.80665;

    private static async Task<(byte[] File, RideGroundTruth Truth)> Simulate(SimulationOptions options, bool gzip = false, long? maxBytes = null)
    {
        using var file = new MemoryStream();
        var truth = await SimulatedRideCsvWriter.WriteAsync(file, options, gzip, maxBytes, CancellationToken.None);
        return (file.ToArray(), truth);
    }

    private static List<SimulatedSample> Samples(SimulationOptions options)
    {
        var simulator = new RideSimulator(options);
        var samples = new List<SimulatedSample>();
        while (simulator.TryNext(out var sample))
        {
            samples.Add(sample);
        }

        return samples;
    }

    [Fact]
    public async Task TheSameSeed_GivesTheSameBytes_AndAnotherSeedAnotherRide()
    {
        var options = new SimulationOptions { Scenario = RideScenario.Country, DurationSeconds = 90, Seed = 3 };

        var (first, firstTruth) = await Simulate(options);
        var (again, againTruth) = await Simulate(options);
        var (other, _) = await Simulate(options with { Seed = 4 });

        Assert.Equal(SHA256.HashData(first), SHA256.HashData(again));
        Assert.Equal(firstTruth.ToJson(), againTruth.ToJson());
        Assert.NotEqual(SHA256.HashData(first), SHA256.HashData(other));
    }

    [Theory]
    [InlineData(50, SimulatedTimeFormat.Iso)]
    [InlineData(100, SimulatedTimeFormat.EpochMilliseconds)]
    [InlineData(200, SimulatedTimeFormat.RelativeSeconds)]
    [InlineData(300, SimulatedTimeFormat.Iso)]
    [InlineData(300, SimulatedTimeFormat.RelativeSeconds)]
    [InlineData(400, SimulatedTimeFormat.EpochMilliseconds)]
    [InlineData(400, SimulatedTimeFormat.Iso)]
    public async Task AnyRate_GivesDurationTimesRateSamples_EvenlySpaced(double rate, SimulatedTimeFormat timeFormat)
    {
        var options = new SimulationOptions { Scenario = RideScenario.City, DurationSeconds = 30, RateHz = rate, Seed = 2, TimeFormat = timeFormat };
        var (file, truth) = await Simulate(options);
        var sink = new TimeSink();
        using var stream = new MemoryStream(file);

        var summary = await new RideFileReader().ReadAsync(stream, null, sink, null, CancellationToken.None);

        Assert.Null(summary.Rejection);
        Assert.Equal((long)(30 * rate) + 1, truth.Samples);
        Assert.Equal(truth.Samples, summary.Samples);
        Assert.Equal(30, sink.LastT, 3);
        Assert.InRange(sink.SmallestStep, 0.99 / rate, 1.01 / rate);
        Assert.InRange(sink.LargestStep, 0.99 / rate, 1.01 / rate);
    }

    [Fact]
    public void AtRestUpright_TheAccelerometerReadsPlusOneGOnZ()
    {
        var atRest = Samples(new SimulationOptions { Scenario = RideScenario.City, DurationSeconds = 3, Seed = 9 });

        Assert.All(atRest, s => Assert.Equal(0, s.State.SpeedMs));
        Assert.Equal(G, atRest.Average(s => s.Measured.Az), 1);
        Assert.Equal(0, atRest.Average(s => s.Measured.Ax), 1);
        Assert.Equal(0, atRest.Average(s => s.Measured.Ay), 1);
    }

    [Fact]
    public void InASteadyTurn_LeanIsAtanOfSpeedTimesYawRateOverG_AndTheSensorsAgree()
    {
        var samples = Samples(new SimulationOptions { Scenario = RideScenario.Track, DurationSeconds = 120, Seed = 6 });
        var steady = samples.Where(s => Math.Abs(s.State.LeanLeftDeg) > 30 && s.State.CrashType is null).ToList();

        Assert.NotEmpty(steady);
        foreach (var s in steady)
        {
            var yawRate = s.State.YawRateDps * Math.PI / 180;
            var expectedLean = Math.Atan(s.State.SpeedMs * yawRate / G) * 180 / Math.PI;
            Assert.Equal(expectedLean, s.State.LeanLeftDeg, 6);
        }

        // Body-frame gyro: yaw shows on z as ω·cos(lean) and on y as −ω·sin(lean); the heading rate rebuilt from both is ω.
        var heading = steady.Average(s => s.Measured.Gz * Math.Cos(s.State.LeanLeftDeg * Math.PI / 180) - s.Measured.Gy * Math.Sin(s.State.LeanLeftDeg * Math.PI / 180));
        Assert.Equal(steady.Average(s => s.State.YawRateDps), heading, 0);
        // In a coordinated turn the accelerometer still points "down" along body z: ay ≈ 0, az ≈ g / cos(lean).
        Assert.Equal(0, steady.Average(s => s.Measured.Ay), 0);
        Assert.Equal(steady.Average(s => G / Math.Cos(s.State.LeanLeftDeg * Math.PI / 180)), steady.Average(s => s.Measured.Az), 0);
    }

    /// <summary>
    /// Vibration belongs to the ride, not to the sample rate: a device's anti-alias filter passes the band below
    /// its Nyquist frequency, so a 400 Hz file carries √8 times the per-sample vibration of a 50 Hz file, and the
    /// 0.5 s mean of ride-format.md's smoothing is left with the same residual at every rate.
    /// </summary>
    [Fact]
    public void Vibration_IsBandLimitedByTheSampleRate_SoItsHalfSecondMeanIsTheSameAtEveryRate()
    {
        static (double PerSample, double HalfSecondMean) Vibration(double rateHz)
        {
            var residuals = Samples(new SimulationOptions { Scenario = RideScenario.Country, DurationSeconds = 150, Seed = 14, RateHz = rateHz })
                .Where(s => s.State.SpeedMs > 15 && s.State.CrashType is null)
                .Select(s => s.Measured.Ax - s.State.LongitudinalAcceleration)
                .ToList();
            var perBlock = (int)(rateHz / 2);
            var means = residuals.Chunk(perBlock).Where(c => c.Length == perBlock).Select(c => c.Average()).ToList();
            return (Rms(residuals), Rms(means));
        }

        static double Rms(IReadOnlyCollection<double> values) => Math.Sqrt(values.Sum(v => v * v) / values.Count);

        var at50 = Vibration(50);
        var at400 = Vibration(400);

        Assert.InRange(at400.PerSample / at50.PerSample, 2.4, 3.3);
        Assert.InRange(at400.HalfSecondMean / at50.HalfSecondMean, 0.8, 1.25);
    }

    [Fact]
    public void IntegratingTheRollRate_GivesTheLean_SoTheGyroIsConsistentWithTheAttitude()
    {
        var samples = Samples(new SimulationOptions { Scenario = RideScenario.Country, DurationSeconds = 120, Seed = 8 });
        var bias = samples.Take(300).Average(s => s.Measured.Gx); // the ride starts standing still and upright
        var lean = 0.0;
        var worst = 0.0;
        foreach (var s in samples.Skip(1))
        {
            lean += -(s.Measured.Gx - bias) / 100; // gx is the roll rate; leaning left is a negative rotation about x forward
            worst = Math.Max(worst, Math.Abs(lean - s.State.LeanLeftDeg));
        }

        Assert.True(worst < 3, $"integrated bias-corrected roll rate drifted {worst:F1}° from the lean");
    }

    [Fact]
    public async Task GroundTruth_MatchesWhatTheWrittenFileSays()
    {
        var (file, truth) = await Simulate(new SimulationOptions { Scenario = RideScenario.Country, DurationSeconds = 240, Seed = 12, GpsRateHz = 10 });
        var sink = new SpeedSink();
        using var stream = new MemoryStream(file);

        await new RideFileReader().ReadAsync(stream, null, sink, null, CancellationToken.None);

        Assert.InRange(sink.DistanceKm, truth.DistanceKm * 0.98, truth.DistanceKm * 1.02);
        Assert.InRange(sink.MaxSpeed, truth.MaxSpeedKmh * 0.97, truth.MaxSpeedKmh * 1.03);
        Assert.Equal(240, truth.DurationS, 3);
        Assert.True(truth.LeftTurns + truth.RightTurns > 0);
        Assert.False(truth.CrashDetected);
        Assert.Contains(truth.BaitEvents, e => e.Kind == "hard_braking");
        Assert.InRange(truth.MaxDecelMs2, 1.0 * G, 1.15 * G);
    }

    [Theory]
    [InlineData(RideScenario.CrashLowside, "lowside")]
    [InlineData(RideScenario.CrashHighside, "highside")]
    public void CrashRides_RecordTheLossOfControl_AndEndLyingDown(RideScenario scenario, string kind)
    {
        var simulator = new RideSimulator(new SimulationOptions { Scenario = scenario, DurationSeconds = 180, Seed = 21 });
        SimulatedSample last = default;
        var speedBeforeCrash = 0.0;
        while (simulator.TryNext(out var sample))
        {
            if (sample.State.CrashType is null)
            {
                speedBeforeCrash = sample.State.SpeedMs;
            }

            last = sample;
        }

        var truth = simulator.GroundTruth();
        Assert.True(truth.CrashDetected);
        Assert.Equal(kind, truth.CrashType);
        Assert.InRange(truth.CrashTimeS!.Value, 60, 170);
        Assert.True(speedBeforeCrash * 3.6 > 30);
        Assert.Equal(0, last.State.SpeedMs);
        Assert.True(Math.Abs(Math.Cos(last.State.LeanLeftDeg * Math.PI / 180)) < 0.2 || Math.Cos(last.State.LeanLeftDeg * Math.PI / 180) < -0.8, "lying on a side or on the back");
    }

    [Theory]
    [InlineData(RideScenario.CrashLowside, 150)]
    [InlineData(RideScenario.CrashHighside, 150)]
    [InlineData(RideScenario.Drop, 150)]
    [InlineData(RideScenario.CrashLowside, 1200)]
    [InlineData(RideScenario.Drop, 900)]
    public void EveryEventRide_ContainsItsEvent_WhateverTheSeed(RideScenario scenario, double duration)
    {
        foreach (var seed in Enumerable.Range(100, 12))
        {
            var simulator = new RideSimulator(new SimulationOptions { Scenario = scenario, DurationSeconds = duration, RateHz = 50, Seed = seed });
            while (simulator.TryNext(out _))
            {
            }

            var truth = simulator.GroundTruth();
            if (scenario == RideScenario.Drop)
            {
                var drop = Assert.Single(truth.BaitEvents, e => e.Kind == "drop");
                Assert.True(drop.TimeS < duration - 5, $"seed {seed}: dropped at {drop.TimeS} s of {duration}");
            }
            else
            {
                Assert.True(truth.CrashDetected, $"seed {seed}: no crash in {duration} s");
                Assert.True(truth.CrashTimeS < duration - 15, $"seed {seed}: crash at {truth.CrashTimeS} s leaves no time to come to rest");
            }
        }
    }

    [Fact]
    public void ACrashRideTooShortToContainItsCrash_IsRefused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new RideSimulator(new SimulationOptions { Scenario = RideScenario.CrashHighside, DurationSeconds = 60 }));

    [Fact]
    public void DroppedSuit_IsNotACrash_ButHasAFreeFallAndAnImpact()
    {
        var samples = Samples(new SimulationOptions { Scenario = RideScenario.Drop, DurationSeconds = 200, Seed = 5 });
        var simulator = new RideSimulator(new SimulationOptions { Scenario = RideScenario.Drop, DurationSeconds = 200, Seed = 5 });
        while (simulator.TryNext(out _))
        {
        }

        var truth = simulator.GroundTruth();
        Assert.False(truth.CrashDetected);
        var drop = Assert.Single(truth.BaitEvents, e => e.Kind == "drop");
        var around = samples.Where(s => Math.Abs(s.State.T - drop.TimeS) < 2).ToList();
        Assert.All(around, s => Assert.Equal(0, s.State.SpeedMs));
        Assert.Contains(around, s => Math.Sqrt(s.Measured.Ax * s.Measured.Ax + s.Measured.Ay * s.Measured.Ay + s.Measured.Az * s.Measured.Az) < 2);
        Assert.Contains(around, s => s.Measured.Az > 5 * G || Math.Abs(s.Measured.Ay) > 5 * G);
        Assert.True(truth.MaxLeanLeftDeg < 30 && truth.MaxLeanRightDeg < 30, "carrying the suit is not riding lean");
    }

    [Fact]
    public async Task Potholes_AreShortSpikesOfThreeToFourG()
    {
        var options = new SimulationOptions { Scenario = RideScenario.City, DurationSeconds = 600, Seed = 1 };
        var samples = Samples(options);
        var (_, truth) = await Simulate(options);

        var potholes = truth.BaitEvents.Where(e => e.Kind == "pothole").ToList();
        Assert.NotEmpty(potholes);
        foreach (var pothole in potholes)
        {
            var peak = samples.Where(s => Math.Abs(s.State.T - pothole.TimeS) < 0.2).Max(s => s.Measured.Az) / G;
            Assert.InRange(peak, 2.7, 4.3);
        }
    }

    [Fact]
    public async Task GzipOutput_InflatesToTheSameCsv()
    {
        var options = new SimulationOptions { Scenario = RideScenario.City, DurationSeconds = 30, Seed = 4 };
        var (plain, _) = await Simulate(options);
        var (compressed, _) = await Simulate(options, gzip: true);

        using var inflated = new MemoryStream();
        await using (var gzip = new GZipStream(new MemoryStream(compressed), CompressionMode.Decompress))
        {
            await gzip.CopyToAsync(inflated);
        }

        Assert.True(compressed.Length < plain.Length);
        Assert.Equal(plain, inflated.ToArray());
    }

    [Fact]
    public async Task ASizeTarget_StopsTheFileJustPastTheTarget_WithTheTruthOfTheRowsWritten()
    {
        var (file, truth) = await Simulate(new SimulationOptions { Scenario = RideScenario.Track, DurationSeconds = 100_000, Seed = 2 }, maxBytes: 2_000_000);

        Assert.InRange(file.Length, 2_000_000, 2_000_000 + 1024);
        Assert.Equal(file.Count(b => b == (byte)'\n') - 1, truth.Samples);
    }

    [Fact]
    public void Telemetry_IsJsonBatchesWithCsvKeys_AndIsoOrEpochTimestamps()
    {
        var options = new SimulationOptions { Scenario = RideScenario.City, DurationSeconds = 10, RateHz = 50, GpsGaps = GpsGapStyle.Empty, Seed = 3 };

        var iso = SimulatedTelemetry.Batches(options, 25, epochMillisecondTimestamps: false).ToList();
        var epoch = SimulatedTelemetry.Batches(options, 1, epochMillisecondTimestamps: true).First();

        Assert.Equal(501, iso.Sum(payload => JsonDocument.Parse(payload).RootElement.GetArrayLength()));
        var first = JsonDocument.Parse(iso[0]).RootElement[0];
        Assert.Equal(JsonValueKind.String, first.GetProperty("timestamp").ValueKind);
        Assert.True(DateTimeOffset.TryParse(first.GetProperty("timestamp").GetString(), System.Globalization.CultureInfo.InvariantCulture, out _));
        foreach (var key in new[] { "ax", "ay", "az", "gx", "gy", "gz", "mx", "my", "mz", "speed", "lat", "lon" })
        {
            Assert.True(first.TryGetProperty(key, out _), key);
        }

        Assert.False(JsonDocument.Parse(iso[0]).RootElement[1].TryGetProperty("lat", out _)); // between GPS fixes
        using var single = JsonDocument.Parse(epoch);
        Assert.Equal(JsonValueKind.Object, single.RootElement.ValueKind);
        Assert.Equal(JsonValueKind.Number, single.RootElement.GetProperty("timestamp").ValueKind);
    }

    private sealed class TimeSink : IRideSampleSink
    {
        public double LastT { get; private set; }
        public double LargestStep { get; private set; }
        public double SmallestStep { get; private set; } = double.MaxValue;

        public void Begin(RideChannels channels) { }

        public void Add(in RideSample sample)
        {
            if (sample.T > 0)
            {
                LargestStep = Math.Max(LargestStep, sample.T - LastT);
                SmallestStep = Math.Min(SmallestStep, sample.T - LastT);
            }

            LastT = sample.T;
        }
    }

    /// <summary>Distance and top speed from the file's GPS speed column, as an analyser would see them.</summary>
    private sealed class SpeedSink : IRideSampleSink
    {
        private double _lastT;
        public double DistanceKm { get; private set; }
        public double MaxSpeed { get; private set; }

        public void Begin(RideChannels channels) { }

        public void Add(in RideSample sample)
        {
            DistanceKm += sample.Speed / 3600 * (sample.T - _lastT);
            MaxSpeed = Math.Max(MaxSpeed, sample.Speed);
            _lastT = sample.T;
        }
    }
}
