namespace Portal.Core.Analytics.Reading;

/// <summary>
/// A forward-only wrapper that lets the reader peek at the first bytes, and turns the ways a
/// hostile file can hurt a worker into flags instead of exceptions or memory: too many bytes,
/// an endless line, a gzip stream that fails to decompress. When a guard trips it reports end
/// of stream, so whatever reads on top (StreamReader, Sep) stops with bounded buffers.
/// </summary>
internal sealed class GuardedReadStream : Stream
{
    private readonly Stream _inner;
    private readonly long _maxBytes;
    private readonly int _maxLineBytes;
    private readonly bool _trapDecompressionErrors;
    private readonly Action<long>? _onBytesRead;
    private readonly byte[] _tail = new byte[8];
    private byte[] _prefix = [];
    private int _prefixPosition;
    private int _prefixLength;
    private long _currentLineBytes;
    private bool _innerEnded;

    public GuardedReadStream(Stream inner, long maxBytes, int maxLineBytes, bool trapDecompressionErrors, Action<long>? onBytesRead)
    {
        _inner = inner;
        _maxBytes = maxBytes;
        _maxLineBytes = maxLineBytes;
        _trapDecompressionErrors = trapDecompressionErrors;
        _onBytesRead = onBytesRead;
    }

    public long BytesRead { get; private set; }
    public bool LimitExceeded { get; private set; }
    public bool LineTooLong { get; private set; }
    public bool DecompressionFailed { get; private set; }
    public bool Halted => LimitExceeded || LineTooLong || DecompressionFailed;

    /// <summary>The last 8 bytes read from the inner stream (a gzip trailer once the stream is drained).</summary>
    public ReadOnlySpan<byte> Tail => _tail.AsSpan(8 - (int)Math.Min(8, BytesRead));

    /// <summary>Reads ahead up to <paramref name="count"/> bytes without consuming them.</summary>
    public ReadOnlySpan<byte> Peek(int count)
    {
        if (_prefix.Length < count)
        {
            Array.Resize(ref _prefix, count);
        }

        while (_prefixLength < count && !_innerEnded)
        {
            var n = ReadInner(_prefix.AsSpan(_prefixLength, count - _prefixLength));
            _prefixLength += n;
        }

        return _prefix.AsSpan(_prefixPosition, _prefixLength - _prefixPosition);
    }

    /// <summary>Reads and discards the rest of the inner stream (to reach a gzip trailer).</summary>
    public void Drain()
    {
        Span<byte> scratch = stackalloc byte[4096];
        while (!_innerEnded && ReadInner(scratch) > 0)
        {
        }
    }

    public override int Read(Span<byte> buffer)
    {
        if (Halted || buffer.IsEmpty)
        {
            return 0;
        }

        if (_maxLineBytes > 0 && buffer.Length > _maxLineBytes)
        {
            buffer = buffer[.._maxLineBytes]; // so a line can only span reads, never hide inside one
        }

        int n;
        if (_prefixPosition < _prefixLength)
        {
            n = Math.Min(buffer.Length, _prefixLength - _prefixPosition);
            _prefix.AsSpan(_prefixPosition, n).CopyTo(buffer);
            _prefixPosition += n;
        }
        else
        {
            n = ReadInner(buffer);
        }

        if (n > 0 && _maxLineBytes > 0 && !TrackLineLength(buffer[..n]))
        {
            LineTooLong = true;
            return 0;
        }

        return n;
    }

    private bool TrackLineLength(ReadOnlySpan<byte> chunk)
    {
        var first = chunk.IndexOf((byte)'\n');
        if (first < 0)
        {
            _currentLineBytes += chunk.Length;
            return _currentLineBytes <= _maxLineBytes;
        }

        if (_currentLineBytes + first > _maxLineBytes)
        {
            return false;
        }

        _currentLineBytes = chunk.Length - chunk.LastIndexOf((byte)'\n') - 1;
        return true;
    }

    private int ReadInner(Span<byte> buffer)
    {
        if (_innerEnded || Halted)
        {
            return 0;
        }

        int n;
        try
        {
            n = _inner.Read(buffer);
        }
        catch (InvalidDataException) when (_trapDecompressionErrors)
        {
            DecompressionFailed = true;
            _innerEnded = true;
            return 0;
        }

        if (n == 0)
        {
            _innerEnded = true;
            return 0;
        }

        BytesRead += n;
        RememberTail(buffer[..n]);
        _onBytesRead?.Invoke(BytesRead);
        if (BytesRead > _maxBytes)
        {
            LimitExceeded = true;
            return 0;
        }

        return n;
    }

    private void RememberTail(ReadOnlySpan<byte> chunk)
    {
        if (chunk.Length >= 8)
        {
            chunk[^8..].CopyTo(_tail);
            return;
        }

        _tail.AsSpan(chunk.Length).CopyTo(_tail);
        chunk.CopyTo(_tail.AsSpan(8 - chunk.Length));
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => BytesRead; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
