using System.Security.Cryptography;

namespace Portal.Core.Rides;

/// <summary>
/// A read-only pass-through over an upload body that hashes (SHA-256) and counts what the storage
/// provider reads, and throws <see cref="UploadTooLargeException"/> as soon as the count passes the
/// limit, so an oversized body is refused while streaming instead of after it was stored.
/// </summary>
public sealed class HashingLimitedStream(Stream inner, long limitBytes, string limitCode = UploadErrorCodes.FileTooLarge) : Stream
{
    private readonly IncrementalHash hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private string? finalHash;

    public long BytesRead { get; private set; }

    /// <summary>Lower-case hex SHA-256 of everything read; call once the body was read to its end.</summary>
    public string GetSha256Hex() => finalHash ??= Convert.ToHexStringLower(hash.GetHashAndReset());

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => BytesRead; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var read = inner.Read(buffer);
        Account(buffer[..read]);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken);
        Account(buffer.Span[..read]);
        return read;
    }

    private void Account(ReadOnlySpan<byte> data)
    {
        if (finalHash is not null && data.Length > 0)
        {
            throw new InvalidOperationException("The stream was read after its hash was taken.");
        }

        BytesRead += data.Length;
        if (BytesRead > limitBytes)
        {
            throw new UploadTooLargeException(limitBytes, limitCode);
        }

        hash.AppendData(data);
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            hash.Dispose();
        }

        base.Dispose(disposing);
    }
}
