using System.Text;
using Portal.Core.Analytics.Reading;
using static Portal.Tests.Analytics.Reading.ReadingTestSupport;

namespace Portal.Tests.Analytics.Reading;

/// <summary>
/// Every kind of broken or unusual file gets its documented rejection code, or is read correctly with
/// the bad rows counted; none throws.
/// </summary>
[Trait("Category", "Analytics")]
public sealed class BadInputCorpusTests
{
    public sealed record Case(string Name, Func<byte[]> Content, string? ExpectedCode, long? ExpectedSkipped = null, long? ExpectedSamples = null, RideReaderOptions? Options = null)
    {
        public override string ToString() => Name;
    }

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private static string WithBadRows(int rows, int badEvery, string badRow)
    {
        var text = new StringBuilder(CanonicalHeader).Append('\n');
        for (var i = 0; i < rows; i++)
        {
            text.Append(i % badEvery == badEvery - 1 ? badRow : CanonicalRows(1, i).TrimEnd('\n')).Append('\n');
        }

        return text.ToString();
    }

    public static TheoryData<Case> Corpus() =>
    [
        new("empty file", () => [], RideRejectionCodes.EmptyFile),
        new("random binary", () => { var b = new byte[5000]; new Random(3).NextBytes(b); return b; }, RideRejectionCodes.NotCsv),
        new("png image", () => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, 0x49, 0x48, 0x44, 0x52], RideRejectionCodes.NotCsv),
        new("zip archive (xlsx)", () => [0x50, 0x4B, 0x03, 0x04, 0x14, 0, 0, 0, 8, 0, 0x21, 0, 0x62, 0xEE], RideRejectionCodes.NotCsv),
        new("plain prose without commas", () => Utf8("Dear support\nmy ride did not upload\n"), RideRejectionCodes.NotCsv),
        new("no header row", () => Utf8(CanonicalRows(50)), RideRejectionCodes.NoHeader),
        new("no time column", () => Utf8("ax,ay,az,gx,gy,gz\n0.1,0.2,9.8,0,0,0\n0.1,0.2,9.8,0,0,0\n"), RideRejectionCodes.NoTimeColumn),
        new("no IMU columns (GPS logger)", () => Utf8("timestamp,speed,lat,lon\n0.00,10,44.3,11.1\n0.01,10,44.3,11.1\n"), RideRejectionCodes.NoImuColumns),
        new("accelerometer without gyroscope", () => Utf8("timestamp,ax,ay,az\n0.00,0.1,0.2,9.8\n0.01,0.1,0.2,9.8\n"), RideRejectionCodes.NoImuColumns),
        new("acceleration in an unknown unit", () => Utf8("timestamp,ax (furlongs),ay (furlongs),az (furlongs),gx,gy,gz\n0.00,0.1,0.2,9.8,0,0,0\n0.01,0.1,0.2,9.8,0,0,0\n"), RideRejectionCodes.NoImuColumns),
        new("header only", () => Utf8(CanonicalHeader + "\n"), RideRejectionCodes.TooFewRows),
        new("one data row", () => Utf8(CanonicalFile(1)), RideRejectionCodes.TooFewRows),
        new("all rows non-numeric", () => Utf8(CanonicalHeader + "\n" + string.Concat(Enumerable.Repeat("a,b,c,d,e,f,g,h,i,j,k,l,m\n", 100))), RideRejectionCodes.TooManyBadRows),
        new("6 % bad rows", () => Utf8(WithBadRows(1000, 16, "0.5,abc,0,0,0,0,0,0,0,0,0,0,0")), RideRejectionCodes.TooManyBadRows),
        new("4 % bad rows are skipped and counted", () => Utf8(WithBadRows(1000, 25, "0.5,abc,0,0,0,0,0,0,0,0,0,0,0")), null, ExpectedSkipped: 40, ExpectedSamples: 960),
        new("exactly 5 % bad rows are accepted", () => Utf8(WithBadRows(1000, 20, "x")), null, ExpectedSkipped: 50, ExpectedSamples: 950),
        new("NaN and Infinity in a few rows", () => Utf8(WithBadRows(200, 50, "9.99,NaN,0,9.8,0,0,0,Infinity,1,1,0,44,11")), null, ExpectedSkipped: 4, ExpectedSamples: 196),
        new("NaN everywhere", () => Utf8(CanonicalHeader + "\n" + string.Concat(Enumerable.Range(0, 100).Select(i => FormattableString.Invariant($"{i * 0.01:F2},NaN,NaN,NaN,0,0,0,,,,,,\n")))), RideRejectionCodes.TooManyBadRows),
        new("one timestamp going backwards", () => Utf8(CanonicalHeader + "\n" + CanonicalRows(10) + CanonicalRows(1, 3) + CanonicalRows(10, 10)), null, ExpectedSkipped: 1, ExpectedSamples: 20),
        new("duplicate timestamps", () => Utf8(CanonicalHeader + "\n" + CanonicalRows(50) + CanonicalRows(1, 49) + CanonicalRows(1, 49) + CanonicalRows(50, 50)), null, ExpectedSkipped: 2, ExpectedSamples: 100),
        new("timestamps decreasing throughout", () => Utf8(CanonicalHeader + "\n" + string.Concat(Enumerable.Range(0, 100).Reverse().Select(i => CanonicalRows(1, i)))), RideRejectionCodes.TimestampsNotIncreasing),
        new("a few rows with the wrong field count", () => Utf8(WithBadRows(300, 100, "1.5,0.1,0.2")), null, ExpectedSkipped: 3, ExpectedSamples: 297),
        new("a trailing comma on every data row is tolerated", () => Utf8(CanonicalHeader + "\n" + CanonicalRows(100).Replace("\n", ",\n")), null, ExpectedSkipped: 0, ExpectedSamples: 100),
        new("every row with an extra field", () => Utf8(CanonicalHeader + "\n" + CanonicalRows(100).Replace("\n", ",5\n")), RideRejectionCodes.TooManyBadRows),
        new("decimal commas split every row", () => Utf8(CanonicalHeader + "\n" + CanonicalRows(100).Replace("9.81", "9,81")), RideRejectionCodes.TooManyBadRows),
        new("truncated gzip", () => { var gz = Gzip(Utf8(CanonicalFile(5000))); return gz[..(gz.Length / 2)]; }, RideRejectionCodes.TruncatedGzip),
        new("gzip missing only its trailer", () => { var gz = Gzip(Utf8(CanonicalFile(5000))); return gz[..^6]; }, RideRejectionCodes.TruncatedGzip),
        new("corrupt gzip", () => { var gz = Gzip(Utf8(CanonicalFile(5000))); for (var i = 20; i < 60; i++) { gz[i] = 0xFF; } return gz; }, RideRejectionCodes.CorruptGzip),
        new("gzip of nothing", () => Gzip([]), RideRejectionCodes.EmptyFile),
        new("gzip ride is read", () => Gzip(Utf8(CanonicalFile(500))), null, ExpectedSkipped: 0, ExpectedSamples: 500),
        new("UTF-16 LE with byte order mark", () => Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes(CanonicalFile(20))).ToArray(), RideRejectionCodes.UnsupportedEncoding),
        new("UTF-16 BE with byte order mark", () => Encoding.BigEndianUnicode.GetPreamble().Concat(Encoding.BigEndianUnicode.GetBytes(CanonicalFile(20))).ToArray(), RideRejectionCodes.UnsupportedEncoding),
        new("UTF-16 LE without byte order mark", () => Encoding.Unicode.GetBytes(CanonicalFile(20)), RideRejectionCodes.UnsupportedEncoding),
        new("semicolon-separated spreadsheet export", () => Utf8(CanonicalFile(20).Replace(',', ';')), RideRejectionCodes.UnsupportedSeparator),
        new("tab-separated", () => Utf8(CanonicalFile(20).Replace(',', '\t')), RideRejectionCodes.UnsupportedSeparator),
        new("quoted header and values are read", () => Utf8(string.Join('\n', CanonicalFile(50).Split('\n').Select(line => string.Join(',', line.Split(',').Select(cell => cell.Length == 0 ? cell : $"\"{cell}\""))))), null, ExpectedSkipped: 0, ExpectedSamples: 50),
        new("an unbalanced quote does not swallow the file", () => Utf8(CanonicalHeader + "\n" + CanonicalRows(50) + "\"0.6,1,2\n" + CanonicalRows(50, 61)), null, ExpectedSkipped: 1, ExpectedSamples: 100),
        new("UTF-8 byte order mark", () => Encoding.UTF8.GetPreamble().Concat(Utf8(CanonicalFile(30))).ToArray(), null, ExpectedSkipped: 0, ExpectedSamples: 30),
        new("CRLF line endings", () => Utf8(CanonicalFile(30, "\r\n")), null, ExpectedSkipped: 0, ExpectedSamples: 30),
        new("blank lines are ignored", () => Utf8(CanonicalHeader + "\n\n" + CanonicalRows(10) + "\n\n" + CanonicalRows(10, 10) + "\n"), null, ExpectedSkipped: 0, ExpectedSamples: 20),
        new("no newline at the end", () => Utf8(CanonicalFile(30).TrimEnd('\n')), null, ExpectedSkipped: 0, ExpectedSamples: 30),
        new("garbage in a timestamp cell", () => Utf8(CanonicalHeader + "\n" + CanonicalRows(30) + "yesterday,0.1,-0.05,9.81,0.5,-0.2,0.1,23.0,0.1,-41.0,36.0,44.3,11.1\n" + CanonicalRows(30, 30)), null, ExpectedSkipped: 1, ExpectedSamples: 60),
        new("garbage in an optional GPS cell", () => Utf8(CanonicalHeader + "\n" + CanonicalRows(30) + "0.305,0.1,-0.05,9.81,0.5,-0.2,0.1,23.0,0.1,-41.0,fast,44.3,11.1\n" + CanonicalRows(30, 31)), null, ExpectedSkipped: 1, ExpectedSamples: 60),
        new("file over the size limit", () => Utf8(CanonicalFile(2000)), RideRejectionCodes.FileTooLarge, Options: new RideReaderOptions { MaxFileBytes = 50_000 }),
        new("gzip that inflates over the limit", () => Gzip(Utf8(CanonicalFile(20_000))), RideRejectionCodes.FileTooLarge, Options: new RideReaderOptions { MaxContentBytes = 100_000 }),
        new("a line longer than the limit", () => Utf8(CanonicalHeader + "\n" + CanonicalRows(10) + new string('7', 200_000) + "\n" + CanonicalRows(10, 10)), RideRejectionCodes.LineTooLong),
    ];

    [Theory]
    [MemberData(nameof(Corpus))]
    public async Task EveryBadInput_GetsItsDocumentedCode_OrIsReadWithBadRowsCounted(Case input)
    {
        var (summary, sink) = await ReadAsync(input.Content(), options: input.Options);

        Assert.Equal(input.ExpectedCode, summary.Rejection?.Code);
        if (input.ExpectedCode is not null)
        {
            Assert.True(RideRejectionCodes.Descriptions.ContainsKey(input.ExpectedCode));
            Assert.StartsWith(RideRejectionCodes.Descriptions[input.ExpectedCode], summary.Rejection!.Message, StringComparison.Ordinal);
        }

        if (input.ExpectedSkipped is { } skipped)
        {
            Assert.Equal(skipped, summary.RowsSkipped);
        }

        if (input.ExpectedSamples is { } samples)
        {
            Assert.Equal(samples, summary.Samples);
            Assert.Equal(samples, sink.Samples.Count);
            Assert.All(sink.Samples.Zip(sink.Samples.Skip(1)), pair => Assert.True(pair.Second.T > pair.First.T));
        }
    }

    [Fact]
    public void TheCorpus_CoversAtLeastThirtyKinds_AndEveryCode()
    {
        var corpus = ((IEnumerable<object[]>)Corpus()).Select(row => (Case)row[0]).ToArray();

        Assert.True(corpus.Length >= 30, $"{corpus.Length} kinds");
        Assert.Empty(RideRejectionCodes.Descriptions.Keys.Except(corpus.Select(c => c.ExpectedCode).OfType<string>()));
    }

    [Fact]
    public async Task AHundredMegabyteSingleLine_IsRejected_AfterReadingOnlyAboutTheLineLimit()
    {
        using var stream = new SingleLongLineStream(100L * 1024 * 1024);
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();

        var summary = await new RideFileReader().ReadAsync(stream, null, new CountingSink(), null, CancellationToken.None);

        var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        Assert.Equal(RideRejectionCodes.LineTooLong, summary.Rejection?.Code);
        Assert.True(stream.BytesServed < 2 * 1024 * 1024, $"read {stream.BytesServed:N0} bytes of a 100 MB line");
        Assert.True(allocated < 8 * 1024 * 1024, $"allocated {allocated:N0} bytes");
    }

    [Fact]
    public void EveryCode_HasASentence_AndTheDocumentationListsIt()
    {
        var docs = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "analytics.md"));

        foreach (var (code, sentence) in RideRejectionCodes.Descriptions)
        {
            Assert.False(string.IsNullOrWhiteSpace(sentence));
            Assert.Contains($"`{code}`", docs, StringComparison.Ordinal);
        }
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Portal.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Portal.sln was not found above the test binaries.");
    }
}
