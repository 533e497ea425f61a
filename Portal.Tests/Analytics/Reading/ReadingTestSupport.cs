using System.Buffers.Text;
using System.IO.Compression;
using System.Text;
using Portal.Core.Analytics;
using Portal.Core.Analytics.Reading;

namespace Portal.Tests.Analytics.Reading;

/// <summary>Keeps what the reader emitted (small files only) so tests can look at the samples.</summary>
internal sealed class CollectingSink : IRideSampleSink
{
    public RideChannels? Channels { get; private set; }
    public List<RideSample> Samples { get; } = [];

    public void Begin(RideChannels channels) => Channels = channels;

    public void Add(in RideSample sample) => Samples.Add(sample);
}

/// <summary>Counts samples and checks time order without keeping them (for big files).</summary>
internal sealed class CountingSink : IRideSampleSink
{
    public long Count { get; private set; }
    public double LastT { get; private set; } = double.NegativeInfinity;
    public bool TimeAlwaysIncreased { get; private set; } = true;

    public void Begin(RideChannels channels) { }

    public void Add(in RideSample sample)
    {
        TimeAlwaysIncreased &= sample.T > LastT;
        LastT = sample.T;
        Count++;
    }
}

internal static class ReadingTestSupport
{
    public const string CanonicalHeader = "timestamp,ax,ay,az,gx,gy,gz,mx,my,mz,speed,lat,lon";

    public static async Task<(RideReadSummary Summary, CollectingSink Sink)> ReadAsync(byte[] bytes, DeviceProfile? profile = null, RideReaderOptions? options = null)
    {
        var sink = new CollectingSink();
        using var stream = new MemoryStream(bytes);
        var summary = await new RideFileReader(options).ReadAsync(stream, profile, sink, null, CancellationToken.None);
        return (summary, sink);
    }

    public static Task<(RideReadSummary Summary, CollectingSink Sink)> ReadAsync(string text, DeviceProfile? profile = null, RideReaderOptions? options = null) =>
        ReadAsync(Encoding.UTF8.GetBytes(text), profile, options);

    /// <summary>A valid canonical ride at 100 Hz, relative seconds: rest with az ≈ 9.81, GPS at the given cells.</summary>
    public static string CanonicalRows(int rows, int startIndex = 0, string newline = "\n")
    {
        var text = new StringBuilder();
        for (var i = startIndex; i < startIndex + rows; i++)
        {
            text.Append(FormattableString.Invariant($"{i * 0.01:F3},0.10,-0.05,9.81,0.5,-0.2,0.1,23.0,0.1,-41.0,36.0,44.3000000,11.1000000")).Append(newline);
        }

        return text.ToString();
    }

    public static string CanonicalFile(int rows, string newline = "\n") => CanonicalHeader + newline + CanonicalRows(rows, 0, newline);

    public static byte[] Gzip(byte[] content)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(content);
        }

        return output.ToArray();
    }
}

/// <summary>
/// A non-seekable ride CSV produced on the fly (never held in memory) that fails the test if the reader
/// asks for more than <see cref="MaxRequestBytes"/> in one read — so a reader that tried to slurp the
/// file, or buffer it whole, is caught.
/// </summary>
internal sealed class GeneratedRideStream(long totalBytes, int maxRequestBytes) : Stream
{
    private static readonly byte[] RowTail = ",0.1234,-0.0567,9.8123,0.4567,-0.2345,0.1234,22.9876,0.1234,-40.9876,36.00,44.3000000,11.1000000\n"u8.ToArray();
    private readonly byte[] _pending = new byte[256];
    private int _pendingLength;
    private int _pendingPosition;
    private long _produced;
    private long _row;
    private bool _headerWritten;

    public int MaxRequestBytes => maxRequestBytes;
    public long Rows => _row;
    public long LargestRequest { get; private set; }

    public override int Read(Span<byte> buffer)
    {
        LargestRequest = Math.Max(LargestRequest, buffer.Length);
        if (buffer.Length > maxRequestBytes)
        {
            throw new InvalidOperationException($"The reader asked for {buffer.Length:N0} bytes in one read; the limit is {maxRequestBytes:N0}.");
        }

        var written = 0;
        while (written < buffer.Length && _produced < totalBytes)
        {
            if (_pendingPosition == _pendingLength)
            {
                NextRow();
            }

            var n = (int)Math.Min(Math.Min(buffer.Length - written, _pendingLength - _pendingPosition), totalBytes - _produced);
            _pending.AsSpan(_pendingPosition, n).CopyTo(buffer[written..]);
            _pendingPosition += n;
            written += n;
            _produced += n;
        }

        return written;
    }

    private void NextRow()
    {
        _pendingPosition = 0;
        if (!_headerWritten)
        {
            _headerWritten = true;
            var header = "timestamp,ax,ay,az,gx,gy,gz,mx,my,mz,speed,lat,lon\n"u8;
            header.CopyTo(_pending);
            _pendingLength = header.Length;
            return;
        }

        // Epoch milliseconds at 100 Hz: cheap to format, strictly increasing.
        Utf8Formatter.TryFormat(1_778_808_572_000L + _row * 10, _pending, out var length);
        RowTail.CopyTo(_pending.AsSpan(length));
        _pendingLength = length + RowTail.Length;
        _row++;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _produced; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>A header and then one line of <c>lineBytes</c> digits and commas with no newline, produced on the fly.</summary>
internal sealed class SingleLongLineStream(long lineBytes) : Stream
{
    private static readonly byte[] Header = "timestamp,ax,ay,az,gx,gy,gz\n"u8.ToArray();
    private long _position;

    public long BytesServed => _position;

    public override int Read(Span<byte> buffer)
    {
        var total = Header.Length + lineBytes;
        var n = (int)Math.Min(buffer.Length, total - _position);
        for (var i = 0; i < n; i++)
        {
            var at = _position + i;
            buffer[i] = at < Header.Length ? Header[at] : (at % 7 == 0 ? (byte)',' : (byte)'7');
        }

        _position += n;
        return n;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _position; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
