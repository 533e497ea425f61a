using System.Buffers;
using System.Text;
using Portal.Jobs.Live;

namespace Portal.Tests.Live;

[Trait("Category", "Live")]
public sealed class TelemetryPayloadTests
{
    private static TelemetryParseResult Parse(string json) => TelemetryPayload.Parse(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(json)));

    [Fact]
    public void AliasesAndUnitSuffixes_AreNormalisedToCanonicalChannelsAndUnits()
    {
        var result = Parse("""{"time_ms":1777799702130,"accel_x_g":1,"acc_y":2,"Az (m/s²)":3,"gyro_x_rads":3.141592653589793,"gyr_y":5,"GZ":6,"mag_x":40,"speed_mps":10,"LAT":48.1,"lng":11.5,"altitude":520,"seq":42,"colour":"red"}""");

        var sample = Assert.Single(result.Samples);
        Assert.True(result.Accepted);
        Assert.Equal(new DateTimeOffset(2026, 5, 3, 9, 15, 2, 130, TimeSpan.Zero).UtcTicks, sample.TimestampTicks);
        Assert.Equal(9.80665, sample.Values[0]!.Value, 6);
        Assert.Equal(2, sample.Values[1]);
        Assert.Equal(3, sample.Values[2]);
        Assert.Equal(180, sample.Values[3]!.Value, 6);
        Assert.Equal(6, sample.Values[5]);
        Assert.Equal(40, sample.Values[6]);
        Assert.Null(sample.Values[7]);
        Assert.Equal(36, sample.Values[9]!.Value, 6);
        Assert.Equal(48.1, sample.Values[10]);
        Assert.Equal(11.5, sample.Values[11]);
        Assert.Equal(520, sample.Values[12]);
        Assert.Equal(42, sample.Seq);
    }

    [Fact]
    public void IsoTimestampsWithOffsets_AndEpochSeconds_AreConvertedToUtc()
    {
        var result = Parse("""[{"timestamp":"2026-05-03T11:15:02.130+02:00","ax":1},{"time_s":1777799702.13,"ax":2}]""");

        Assert.Equal(2, result.Samples.Count);
        Assert.All(result.Samples, s => Assert.Equal(new DateTimeOffset(2026, 5, 3, 9, 15, 2, 130, TimeSpan.Zero).UtcTicks, s.TimestampTicks));
    }

    [Theory]
    [InlineData("{\"ax\":", RejectReason.MalformedJson)]
    [InlineData("42", RejectReason.MalformedJson)]
    [InlineData("[1,2]", RejectReason.MalformedJson)]
    [InlineData("{\"colour\":\"red\"}", RejectReason.NoKnownKeys)]
    [InlineData("{\"timestamp\":\"yesterday\",\"ax\":1}", RejectReason.BadTimestamp)]
    [InlineData("{\"timestamp\":12345,\"ax\":1}", RejectReason.BadTimestamp)]
    public void BadPayloads_AreRejectedWithAReason(string json, string reason)
    {
        var result = Parse(json);

        Assert.False(result.Accepted);
        Assert.Equal(reason, result.RejectReason);
        Assert.Empty(result.Samples);
    }

    [Fact]
    public void SampleWithoutTimestamp_IsSkippedAndCounted_TheRestOfTheBatchIsKept()
    {
        var result = Parse("""[{"ax":1},{"timestamp":1777799702130,"ax":2}]""");

        Assert.True(result.Accepted);
        Assert.Equal(1, result.SkippedSamples);
        Assert.Equal(2, Assert.Single(result.Samples).Values[0]);
    }

    [Fact]
    public void IdenticalSamples_GiveIdenticalSpoolLines_SoRedeliveriesCanBeDropped()
    {
        const string json = """{"timestamp":1777799702130,"ax":0.1,"gz":-3.5,"seq":9}""";

        Assert.Equal(Parse(json).Samples[0].ToSpoolLine(), Parse(json).Samples[0].ToSpoolLine());
    }
}
