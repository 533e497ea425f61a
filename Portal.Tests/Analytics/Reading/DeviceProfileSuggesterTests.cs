using System.IO.Compression;
using System.Text;
using Portal.Core.Analytics;
using Portal.Core.Analytics.Reading;
using Portal.Core.Devices;

namespace Portal.Tests.Analytics.Reading;

/// <summary>The sample a profile is suggested from: bounded, cut at a line end, gzip inflated; the draft states what the reader decided.</summary>
[Trait("Category", "Analytics")]
public sealed class DeviceProfileSuggesterTests
{
    [Fact]
    public async Task LongSample_IsCutAtALineEndWithinTheLimit_AndMarkedTruncated()
    {
        var line = "0.010,0.1,0.2,9.8,0.01,0.02,0.03\n";
        var text = "timestamp,ax,ay,az,gx,gy,gz\n" + string.Concat(Enumerable.Repeat(line, DeviceProfileSuggester.MaxSampleBytes / line.Length + 100));

        var (bytes, truncated) = await DeviceProfileSuggester.ReadSampleAsync(new MemoryStream(Encoding.UTF8.GetBytes(text)), CancellationToken.None);

        Assert.True(truncated);
        Assert.True(bytes.Length <= DeviceProfileSuggester.MaxSampleBytes);
        Assert.Equal((byte)'\n', bytes[^1]);
    }

    [Fact]
    public async Task GzipSample_IsInflated()
    {
        var csv = "timestamp,ax,ay,az,gx,gy,gz\n0.00,0,0,9.81,0,0,0\n0.01,0,0,9.81,0,0,0\n";
        using var packed = new MemoryStream();
        await using (var gzip = new GZipStream(packed, CompressionLevel.Fastest, leaveOpen: true))
        {
            await gzip.WriteAsync(Encoding.UTF8.GetBytes(csv));
        }

        packed.Position = 0;
        var (bytes, truncated) = await DeviceProfileSuggester.ReadSampleAsync(packed, CancellationToken.None);

        Assert.False(truncated);
        Assert.Equal(csv, Encoding.UTF8.GetString(bytes));
    }

    [Fact]
    public async Task Suggestion_ForASensorLogSample_StatesItsDecisionsExplicitly()
    {
        var csv = "loggingTime(txt),accelerometerAccelerationX(G),accelerometerAccelerationY(G),accelerometerAccelerationZ(G),gyroRotationX(rad/s),gyroRotationY(rad/s),gyroRotationZ(rad/s),locationSpeed(m/s)\n"
                  + string.Concat(Enumerable.Range(0, 50).Select(i => $"2018-04-08 10:31:{37 + i / 10}.{i % 10}00,0,0,-1,0.01,0,0,10\n"));

        var suggestion = await new DeviceProfileSuggester(new RideAnalyzer()).SuggestAsync(Encoding.UTF8.GetBytes(csv), truncated: false, adjusted: null, CancellationToken.None);

        Assert.Null(suggestion.Rejection);
        Assert.Equal(50, suggestion.Metrics!.Samples);
        Assert.Equal(RideFileFormats.SensorLog, suggestion.Facts!.Format);
        Assert.Equal("loggingTime(txt)", suggestion.Draft.Columns!["timestamp"]);
        Assert.Equal((nameof(AccelerationUnit.G), nameof(AngularRateUnit.RadiansPerSecond), nameof(SpeedUnit.MetersPerSecond), nameof(TimeBase.Iso8601)),
            (suggestion.Draft.Acceleration, suggestion.Draft.AngularRate, suggestion.Draft.Speed, suggestion.Draft.Time));
        Assert.Equal(["10", "10", "10"], suggestion.Columns.Single(c => c.Channel == "speed").FirstValues);
    }
}
