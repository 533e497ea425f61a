using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Portal.Core.Storage.FileSystem;

/// <summary>
/// On-disk format of a local object: a header naming the key-encryption key and holding the object's
/// random data key wrapped with it (AES-256-GCM, the header as associated data), then the content in
/// AES-256-GCM chunks. Each chunk has its own nonce (its index) and tag, and the last chunk is marked
/// final, so reading streams and detects tampering, reordering and truncation.
/// </summary>
/// <remarks>
/// Header: "RPOE" · version 1 · chunk size (int32 LE) · key id length (u8) · key id · content type
/// length (u16 LE) · content type · wrap nonce (12) · wrapped data key (32) · wrap tag (16).
/// Chunk i: ciphertext · tag (16); nonce = 4 zero bytes · i (uint64 BE); associated data = final flag.
/// Every chunk but the last holds exactly chunk-size bytes; the last holds fewer (possibly none).
/// </remarks>
public static class EnvelopeEncryption
{
    public const int DefaultChunkSize = 64 * 1024;
    internal const int TagSize = 16;
    internal const int NonceSize = 12;
    private const int MaxContentTypeBytes = 1024;
    private static readonly byte[] Magic = "RPOE"u8.ToArray();
    private const byte Version = 1;

    /// <summary>Encrypts <paramref name="source"/> into <paramref name="destination"/>; returns the plaintext length.</summary>
    public static async Task<long> EncryptAsync(
        Stream source, Stream destination, StorageKeyRing keyRing, string contentType, CancellationToken cancellationToken, int chunkSize = DefaultChunkSize)
    {
        var dataKey = RandomNumberGenerator.GetBytes(StorageKeyRing.KeyLength);
        var plain = ArrayPool<byte>.Shared.Rent(chunkSize);
        var cipher = ArrayPool<byte>.Shared.Rent(chunkSize + TagSize);
        try
        {
            var header = EnvelopeHeader.Create(keyRing.ActiveKeyId, contentType, chunkSize).Seal(keyRing.ActiveKey, dataKey);
            await destination.WriteAsync(header, cancellationToken);

            using var aes = new AesGcm(dataKey, TagSize);
            long total = 0;
            for (ulong index = 0; ; index++)
            {
                var read = await source.ReadAtLeastAsync(plain.AsMemory(0, chunkSize), chunkSize, throwOnEndOfStream: false, cancellationToken);
                var isFinal = read < chunkSize;
                EncryptChunk(aes, index, isFinal, plain.AsSpan(0, read), cipher.AsSpan(0, read + TagSize));
                await destination.WriteAsync(cipher.AsMemory(0, read + TagSize), cancellationToken);
                total += read;
                if (isFinal)
                {
                    return total;
                }
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
            ArrayPool<byte>.Shared.Return(plain, clearArray: true);
            ArrayPool<byte>.Shared.Return(cipher);
        }
    }

    /// <summary>Opens a decrypting view of an encrypted object; takes ownership of <paramref name="encrypted"/>.</summary>
    public static async Task<Stream> OpenDecryptingAsync(Stream encrypted, StorageKeyRing keyRing, CancellationToken cancellationToken)
    {
        try
        {
            var header = await EnvelopeHeader.ReadAsync(encrypted, cancellationToken);
            var dataKey = header.Unwrap(keyRing);
            return new EnvelopeDecryptingStream(encrypted, dataKey, header.ChunkSize);
        }
        catch
        {
            await encrypted.DisposeAsync();
            throw;
        }
    }

    /// <summary>The plaintext length of an encrypted object of <paramref name="fileLength"/> bytes.</summary>
    public static long PlaintextLength(EnvelopeHeader header, long fileLength)
    {
        var body = fileLength - header.Length - TagSize;
        if (body < 0)
        {
            throw new InvalidDataException("The encrypted object is truncated.");
        }

        var fullChunks = body / (header.ChunkSize + TagSize);
        var last = body % (header.ChunkSize + TagSize);
        if (last >= header.ChunkSize)
        {
            throw new InvalidDataException("The encrypted object is truncated.");
        }

        return (fullChunks * header.ChunkSize) + last;
    }

    /// <summary>
    /// Copies the object to <paramref name="destination"/> with its data key wrapped under the active key;
    /// the content chunks are copied unchanged. Returns false (writing nothing) when already under the active key.
    /// </summary>
    public static async Task<bool> RewrapAsync(Stream encrypted, Stream destination, StorageKeyRing keyRing, CancellationToken cancellationToken)
    {
        var header = await EnvelopeHeader.ReadAsync(encrypted, cancellationToken);
        if (header.KeyId == keyRing.ActiveKeyId)
        {
            return false;
        }

        var dataKey = header.Unwrap(keyRing);
        try
        {
            var rewrapped = EnvelopeHeader.Create(keyRing.ActiveKeyId, header.ContentType, header.ChunkSize).Seal(keyRing.ActiveKey, dataKey);
            await destination.WriteAsync(rewrapped, cancellationToken);
            await encrypted.CopyToAsync(destination, cancellationToken);
            return true;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }

    internal static void EncryptChunk(AesGcm aes, ulong index, bool isFinal, ReadOnlySpan<byte> plain, Span<byte> cipherAndTag)
    {
        Span<byte> nonce = stackalloc byte[NonceSize];
        ChunkNonce(index, nonce);
        ReadOnlySpan<byte> associated = [isFinal ? (byte)1 : (byte)0];
        aes.Encrypt(nonce, plain, cipherAndTag[..plain.Length], cipherAndTag.Slice(plain.Length, TagSize), associated);
    }

    internal static void DecryptChunk(AesGcm aes, ulong index, bool isFinal, ReadOnlySpan<byte> cipherAndTag, Span<byte> plain)
    {
        Span<byte> nonce = stackalloc byte[NonceSize];
        ChunkNonce(index, nonce);
        ReadOnlySpan<byte> associated = [isFinal ? (byte)1 : (byte)0];
        var length = cipherAndTag.Length - TagSize;
        try
        {
            aes.Decrypt(nonce, cipherAndTag[..length], cipherAndTag.Slice(length, TagSize), plain[..length], associated);
        }
        catch (AuthenticationTagMismatchException e)
        {
            throw new InvalidDataException($"The encrypted object is corrupt, truncated or was tampered with (chunk {index}).", e);
        }
    }

    private static void ChunkNonce(ulong index, Span<byte> nonce)
    {
        nonce[..4].Clear();
        BinaryPrimitives.WriteUInt64BigEndian(nonce[4..], index);
    }

    /// <summary>The parsed header of an encrypted object.</summary>
    public sealed class EnvelopeHeader
    {
        private byte[] sealedHeader = [];

        private EnvelopeHeader(string keyId, string contentType, int chunkSize)
        {
            KeyId = keyId;
            ContentType = contentType;
            ChunkSize = chunkSize;
        }

        public string KeyId { get; }

        public string ContentType { get; }

        public int ChunkSize { get; }

        /// <summary>Header length in bytes: where the first chunk starts.</summary>
        public int Length => sealedHeader.Length;

        private int AssociatedLength => sealedHeader.Length - NonceSize - StorageKeyRing.KeyLength - TagSize;

        internal static EnvelopeHeader Create(string keyId, string contentType, int chunkSize)
        {
            if (Encoding.UTF8.GetByteCount(contentType) > MaxContentTypeBytes)
            {
                throw new ArgumentException($"The content type is longer than {MaxContentTypeBytes} bytes.", nameof(contentType));
            }

            return new EnvelopeHeader(keyId, contentType, chunkSize);
        }

        internal byte[] Seal(byte[] keyEncryptionKey, byte[] dataKey)
        {
            var keyId = Encoding.UTF8.GetBytes(KeyId);
            var contentType = Encoding.UTF8.GetBytes(ContentType);
            var associatedLength = Magic.Length + 1 + 4 + 1 + keyId.Length + 2 + contentType.Length;
            var header = new byte[associatedLength + NonceSize + StorageKeyRing.KeyLength + TagSize];
            var writer = header.AsSpan();
            Magic.CopyTo(writer);
            writer[Magic.Length] = Version;
            BinaryPrimitives.WriteInt32LittleEndian(writer[(Magic.Length + 1)..], ChunkSize);
            writer[Magic.Length + 5] = checked((byte)keyId.Length);
            keyId.CopyTo(writer[(Magic.Length + 6)..]);
            BinaryPrimitives.WriteUInt16LittleEndian(writer[(Magic.Length + 6 + keyId.Length)..], checked((ushort)contentType.Length));
            contentType.CopyTo(writer[(Magic.Length + 8 + keyId.Length)..]);

            var nonce = writer.Slice(associatedLength, NonceSize);
            RandomNumberGenerator.Fill(nonce);
            using var aes = new AesGcm(keyEncryptionKey, TagSize);
            aes.Encrypt(
                nonce,
                dataKey,
                writer.Slice(associatedLength + NonceSize, StorageKeyRing.KeyLength),
                writer.Slice(associatedLength + NonceSize + StorageKeyRing.KeyLength, TagSize),
                writer[..associatedLength]);
            sealedHeader = header;
            return header;
        }

        internal byte[] Unwrap(StorageKeyRing keyRing)
        {
            if (!keyRing.TryGetKey(KeyId, out var keyEncryptionKey))
            {
                throw new InvalidDataException(
                    $"The object's data key is wrapped with key '{KeyId}', which is not configured in Storage:FileSystem:EncryptionKeys.");
            }

            var header = sealedHeader.AsSpan();
            var associated = AssociatedLength;
            var dataKey = new byte[StorageKeyRing.KeyLength];
            try
            {
                using var aes = new AesGcm(keyEncryptionKey, TagSize);
                aes.Decrypt(
                    header.Slice(associated, NonceSize),
                    header.Slice(associated + NonceSize, StorageKeyRing.KeyLength),
                    header.Slice(associated + NonceSize + StorageKeyRing.KeyLength, TagSize),
                    dataKey,
                    header[..associated]);
                return dataKey;
            }
            catch (AuthenticationTagMismatchException e)
            {
                throw new InvalidDataException($"The encrypted object's header is corrupt or was tampered with (key '{KeyId}').", e);
            }
        }

        /// <summary>Reads the header, leaving <paramref name="stream"/> at the first chunk.</summary>
        public static async Task<EnvelopeHeader> ReadAsync(Stream stream, CancellationToken cancellationToken)
        {
            try
            {
                var fixedPart = new byte[Magic.Length + 6];
                await stream.ReadExactlyAsync(fixedPart, cancellationToken);
                if (!fixedPart.AsSpan(0, Magic.Length).SequenceEqual(Magic) || fixedPart[Magic.Length] != Version)
                {
                    throw new InvalidDataException("The object is not in the encrypted object format (bad magic or version).");
                }

                var chunkSize = BinaryPrimitives.ReadInt32LittleEndian(fixedPart.AsSpan(Magic.Length + 1));
                if (chunkSize is < 16 or > 16 * 1024 * 1024)
                {
                    throw new InvalidDataException($"The encrypted object's chunk size {chunkSize} is out of range.");
                }

                var keyId = new byte[fixedPart[^1]];
                await stream.ReadExactlyAsync(keyId, cancellationToken);
                var contentTypeLength = new byte[2];
                await stream.ReadExactlyAsync(contentTypeLength, cancellationToken);
                var contentType = new byte[BinaryPrimitives.ReadUInt16LittleEndian(contentTypeLength)];
                await stream.ReadExactlyAsync(contentType, cancellationToken);
                var wrapped = new byte[NonceSize + StorageKeyRing.KeyLength + TagSize];
                await stream.ReadExactlyAsync(wrapped, cancellationToken);

                return new EnvelopeHeader(Encoding.UTF8.GetString(keyId), Encoding.UTF8.GetString(contentType), chunkSize)
                {
                    sealedHeader = [.. fixedPart, .. keyId, .. contentTypeLength, .. contentType, .. wrapped],
                };
            }
            catch (EndOfStreamException e)
            {
                throw new InvalidDataException("The encrypted object's header is truncated.", e);
            }
        }
    }
}

/// <summary>Decrypts chunk by chunk; holds one chunk in memory.</summary>
internal sealed class EnvelopeDecryptingStream : Stream
{
    private readonly Stream encrypted;
    private readonly AesGcm aes;
    private readonly int chunkSize;
    private readonly byte[] cipher;
    private readonly byte[] plain;
    private int plainOffset;
    private int plainLength;
    private ulong chunkIndex;
    private bool finalChunkRead;
    private bool disposed;

    public EnvelopeDecryptingStream(Stream encrypted, byte[] dataKey, int chunkSize)
    {
        this.encrypted = encrypted;
        this.chunkSize = chunkSize;
        aes = new AesGcm(dataKey, EnvelopeEncryption.TagSize);
        CryptographicOperations.ZeroMemory(dataKey);
        cipher = ArrayPool<byte>.Shared.Rent(chunkSize + EnvelopeEncryption.TagSize + 1);
        plain = ArrayPool<byte>.Shared.Rent(chunkSize);
    }

    public override bool CanRead => !disposed;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (buffer.IsEmpty)
        {
            return 0;
        }

        if (plainOffset == plainLength && !finalChunkRead)
        {
            var read = encrypted.ReadAtLeast(cipher.AsSpan(0, chunkSize + EnvelopeEncryption.TagSize), chunkSize + EnvelopeEncryption.TagSize, throwOnEndOfStream: false);
            var trailing = read == chunkSize + EnvelopeEncryption.TagSize ? 0 : encrypted.Read(cipher.AsSpan(chunkSize + EnvelopeEncryption.TagSize, 1));
            DecryptChunk(read, trailing);
        }

        return CopyOut(buffer);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (buffer.IsEmpty)
        {
            return 0;
        }

        if (plainOffset == plainLength && !finalChunkRead)
        {
            var full = chunkSize + EnvelopeEncryption.TagSize;
            var read = await encrypted.ReadAtLeastAsync(cipher.AsMemory(0, full), full, throwOnEndOfStream: false, cancellationToken);
            var trailing = read == full ? 0 : await encrypted.ReadAsync(cipher.AsMemory(full, 1), cancellationToken);
            DecryptChunk(read, trailing);
        }

        return CopyOut(buffer.Span);
    }

    private void DecryptChunk(int read, int trailing)
    {
        if (read < EnvelopeEncryption.TagSize)
        {
            throw new InvalidDataException("The encrypted object is truncated: its final chunk is missing.");
        }

        // A short chunk must be the last one: bytes after it mean the file was tampered with.
        var isFinal = read < chunkSize + EnvelopeEncryption.TagSize;
        if (isFinal && trailing > 0)
        {
            throw new InvalidDataException("The encrypted object has data after its final chunk.");
        }

        EnvelopeEncryption.DecryptChunk(aes, chunkIndex, isFinal, cipher.AsSpan(0, read), plain);
        chunkIndex++;
        plainOffset = 0;
        plainLength = read - EnvelopeEncryption.TagSize;
        finalChunkRead = isFinal;
    }

    private int CopyOut(Span<byte> buffer)
    {
        var count = Math.Min(buffer.Length, plainLength - plainOffset);
        plain.AsSpan(plainOffset, count).CopyTo(buffer);
        plainOffset += count;
        return count;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && !disposed)
        {
            disposed = true;
            aes.Dispose();
            encrypted.Dispose();
            ArrayPool<byte>.Shared.Return(plain, clearArray: true);
            ArrayPool<byte>.Shared.Return(cipher);
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        if (!disposed)
        {
            await encrypted.DisposeAsync();
        }

        await base.DisposeAsync();
    }
}
