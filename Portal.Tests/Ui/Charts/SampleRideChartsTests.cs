using Portal.Core.Analytics.Metrics;
using System.Globalization;
using System.Text.Json;
using Bunit;
using nietras.SeparatedValues;
using Portal.Components.Charts;
using Portal.Core.Analytics;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Ui.Charts;

/// <summary>
/// The ride charts fed from a golden sample (crash-highside, 21 802 rows at 100 Hz). Set
/// PORTAL_CHART_ARTIFACTS to a folder to also get the rendered HTML there for a look in a browser.
/// </summary>
[Trait("Category", "Ui")]
public sealed class SampleRideChartsTests : ChartTestContext
{
    private const string Sample = "crash-highside-iso-100hz";
    private static readonly Lazy<SampleRide> Ride = new(() => SampleRide.Read(Sample));

    [Fact]
    public void RideTraces_OfTheCrashSample_DrawEveryPanel_WithinAFewHundredKilobytes()
    {
        var ride = Ride.Value;

        var cut = Render<RideTracesChart>(p => p.Add(c => c.Traces, ride.Traces).Add(c => c.CrashTimeS, ride.ExpectedCrashTimeS));

        Assert.Empty(cut.FindAll(".svg-chart-empty"));
        Assert.Equal(3, cut.FindAll(".svg-chart-wide svg").Count);
        Assert.All(cut.FindAll("figure"), figure => Assert.Contains("Crash", SvgTexts(figure)));
        Assert.True(cut.Markup.Length < 3 * 250_000, $"{cut.Markup.Length} characters for three panels of {ride.Samples.Count} samples");
        SaveArtifact("ride-traces", cut.Markup);
    }

    [Fact]
    public void TrackMap_OfTheCrashSample_ShowsSeveralSpeedBands_AndTheCrashPoint()
    {
        var ride = Ride.Value;
        var crash = ride.Samples.First(s => s.T >= ride.ExpectedCrashTimeS && double.IsFinite(s.Lat));

        var cut = Render<TrackMap>(p => p
            .Add(c => c.Traces, ride.Traces)
            .Add(c => c.HighlightLatitude, crash.Lat)
            .Add(c => c.HighlightLongitude, crash.Lon));

        var texts = SvgTexts(cut.Find("figure"));
        Assert.True(texts.Count(text => text.EndsWith("(km/h)", StringComparison.Ordinal)) >= 3, string.Join(" | ", texts));
        Assert.Contains("Crash", texts);
        SaveArtifact("track-map", cut.Markup);
    }

    [Fact]
    public void GgDiagram_And_CrashWindow_OfTheCrashSample_Render()
    {
        var ride = Ride.Value;
        var window = ride.Samples.Where(s => Math.Abs(s.T - ride.ExpectedCrashTimeS) <= 10).ToList();
        var (accel, rate, speed) = CrashWindowTraces.FromSamples(window);

        var gg = Render<GgDiagram>(p => p.Add(c => c.Traces, ride.Traces));
        var crashWindow = Render<CrashWindowChart>(p => p
            .Add(c => c.AccelerationMagnitude, accel)
            .Add(c => c.AngularRateMagnitude, rate)
            .Add(c => c.Lean, ride.Traces.Find(RideTraceNames.Lean))
            .Add(c => c.Speed, speed)
            .Add(c => c.CrashTimeS, ride.ExpectedCrashTimeS));

        Assert.Single(gg.FindAll(".svg-chart-wide svg"));
        Assert.Equal(4, crashWindow.FindAll(".svg-chart-wide svg").Count);
        Assert.True(accel.Values.Max() > 2, "a highside peaks well above 1 g");
        SaveArtifact("gg-diagram", gg.Markup);
        SaveArtifact("crash-window", crashWindow.Markup);
    }

    private static void SaveArtifact(string name, string markup)
    {
        var folder = Environment.GetEnvironmentVariable("PORTAL_CHART_ARTIFACTS");
        if (string.IsNullOrEmpty(folder))
        {
            return;
        }

        Directory.CreateDirectory(folder);
        File.WriteAllText(
            Path.Combine(folder, name + ".html"),
            $"<!DOCTYPE html><html><head><meta name=\"viewport\" content=\"width=device-width\"></head><body style=\"margin:8px\">{markup}</body></html>");
    }

    private sealed record SampleRide(List<RideSample> Samples, RideTraces Traces, double ExpectedCrashTimeS)
    {
        public static SampleRide Read(string name)
        {
            var expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(TestServices.SamplesDir, name + ".expected.json")));
            var crashTime = expected.RootElement.GetProperty("crash_time_s").GetDouble();
            var samples = new List<RideSample>();
            using (var reader = Sep.Reader().FromFile(Path.Combine(TestServices.SamplesDir, name + ".csv")))
            {
                var header = reader.Header;
                int time = header.IndexOf("timestamp"), ax = header.IndexOf("ax"), ay = header.IndexOf("ay"), az = header.IndexOf("az");
                int gx = header.IndexOf("gx"), gy = header.IndexOf("gy"), gz = header.IndexOf("gz");
                int speed = header.IndexOf("speed"), lat = header.IndexOf("lat"), lon = header.IndexOf("lon");
                DateTimeOffset? start = null;
                foreach (var row in reader)
                {
                    var at = DateTimeOffset.Parse(row[time].Span, CultureInfo.InvariantCulture);
                    start ??= at;
                    samples.Add(new RideSample
                    {
                        T = (at - start.Value).TotalSeconds,
                        Ax = Number(row[ax].Span), Ay = Number(row[ay].Span), Az = Number(row[az].Span),
                        Gx = Number(row[gx].Span), Gy = Number(row[gy].Span), Gz = Number(row[gz].Span),
                        Speed = Number(row[speed].Span), Lat = Number(row[lat].Span), Lon = Number(row[lon].Span),
                    });
                }
            }

            var t = samples.Select(s => s.T).ToArray();

            // A rough lean (atan(v·ω/g)) is enough to look at; the real one comes from the analytics engine.
            var lean = samples.Select(s => Math.Atan(s.Speed / 3.6 * s.Gz * Math.PI / 180 / 9.80665) * 180 / Math.PI).ToArray();
            var traces = new RideTraces(
                [
                    new Trace("speed", "km/h", t, samples.Select(s => s.Speed).ToArray()),
                    new Trace(TraceNames.LongitudinalAcceleration, "m/s²", t, samples.Select(s => s.Ax).ToArray()),
                    new Trace(TraceNames.LateralAcceleration, "m/s²", t, samples.Select(s => s.Ay).ToArray()),
                    new Trace("lean", "°", t, lean),
                    new Trace("lat", "°", t, samples.Select(s => s.Lat).ToArray()),
                    new Trace("lon", "°", t, samples.Select(s => s.Lon).ToArray()),
                ],
                [new TurnMark(30, 38, "left", 90), new TurnMark(60, 66, "right", 75)]);
            return new SampleRide(samples, traces, crashTime);
        }

        private static double Number(ReadOnlySpan<char> cell) =>
            cell.IsEmpty ? double.NaN : double.Parse(cell, NumberStyles.Float, CultureInfo.InvariantCulture);
    }
}
