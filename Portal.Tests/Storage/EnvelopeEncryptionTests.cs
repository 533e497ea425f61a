using System.Security.Cryptography;
using Portal.Core.Storage.FileSystem;
using static Portal.Tests.Storage.StorageTestSupport;

namespace Portal.Tests.Storage;

[Trait("Category", "Storage")]
public sealed class EnvelopeEncryptionTests
{
    // Small chunks make every boundary case cheap to reach.
    private const int ChunkSize = 64;

    private static readonly StorageKeyRing KeyRing = NewKeyRing("k1");

    private static async Task<byte[]> EncryptAsync(byte[] plaintext, StorageKeyRing keyRing, string contentType = "text/csv")
    {
        using var encrypted = new MemoryStream();
        var length = await EnvelopeEncryption.EncryptAsync(new MemoryStream(plaintext), encrypted, keyRing, contentType, CancellationToken.None, ChunkSize);
        Assert.Equal(plaintext.Length, length);
        return encrypted.ToArray();
    }

    private static async Task<byte[]> DecryptAsync(byte[] encrypted, StorageKeyRing keyRing)
    {
        await using var plain = await EnvelopeEncryption.OpenDecryptingAsync(new MemoryStream(encrypted), keyRing, CancellationToken.None);
        return await ReadAllAsync(plain);
    }

    private static int HeaderLength(byte[] encrypted) =>
        EnvelopeEncryption.EnvelopeHeader.ReadAsync(new MemoryStream(encrypted), CancellationToken.None).GetAwaiter().GetResult().Length;

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(ChunkSize - 1)]
    [InlineData(ChunkSize)]
    [InlineData(ChunkSize + 1)]
    [InlineData((3 * ChunkSize) + 17)]
    [InlineData(4 * ChunkSize)]
    public async Task RoundTrip_ReturnsThePlaintext_AndItsLengthIsKnownFromTheFileSize(int length)
    {
        var plaintext = RandomNumberGenerator.GetBytes(length);

        var encrypted = await EncryptAsync(plaintext, KeyRing);

        Assert.Equal(plaintext, await DecryptAsync(encrypted, KeyRing));
        var header = await EnvelopeEncryption.EnvelopeHeader.ReadAsync(new MemoryStream(encrypted), CancellationToken.None);
        Assert.Equal(length, EnvelopeEncryption.PlaintextLength(header, encrypted.Length));
        Assert.Equal("k1", header.KeyId);
        Assert.Equal("text/csv", header.ContentType);
    }

    [Fact]
    public async Task SamePlaintextTwice_GivesDifferentCiphertexts()
    {
        var plaintext = new byte[200];

        var first = await EncryptAsync(plaintext, KeyRing);
        var second = await EncryptAsync(plaintext, KeyRing);

        Assert.NotEqual(first, second);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(ChunkSize + 20)]
    [InlineData(-1)]
    public async Task FlippedBitInTheContent_IsDetected(int offsetFromHeader)
    {
        var encrypted = await EncryptAsync(RandomNumberGenerator.GetBytes(3 * ChunkSize), KeyRing);
        var position = offsetFromHeader >= 0 ? HeaderLength(encrypted) + offsetFromHeader : encrypted.Length - 1;
        encrypted[position] ^= 0x01;

        await Assert.ThrowsAsync<InvalidDataException>(() => DecryptAsync(encrypted, KeyRing));
    }

    [Fact]
    public async Task TruncationAtAChunkBoundary_IsDetected()
    {
        var encrypted = await EncryptAsync(RandomNumberGenerator.GetBytes((3 * ChunkSize) + 10), KeyRing);
        var twoChunks = HeaderLength(encrypted) + (2 * (ChunkSize + 16));

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => DecryptAsync(encrypted[..twoChunks], KeyRing));
        Assert.Contains("truncated", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TruncationInsideAChunk_IsDetected()
    {
        var encrypted = await EncryptAsync(RandomNumberGenerator.GetBytes(3 * ChunkSize), KeyRing);

        await Assert.ThrowsAsync<InvalidDataException>(() => DecryptAsync(encrypted[..(HeaderLength(encrypted) + ChunkSize + 40)], KeyRing));
    }

    [Fact]
    public async Task TruncationOfTheEmptyFinalChunk_IsDetected()
    {
        // An exact multiple of the chunk size ends with an empty final chunk: dropping it must not go unnoticed.
        var encrypted = await EncryptAsync(RandomNumberGenerator.GetBytes(2 * ChunkSize), KeyRing);

        await Assert.ThrowsAsync<InvalidDataException>(() => DecryptAsync(encrypted[..^16], KeyRing));
    }

    [Fact]
    public async Task BytesAppendedAfterTheFinalChunk_AreDetected()
    {
        var encrypted = await EncryptAsync(RandomNumberGenerator.GetBytes(100), KeyRing);

        await Assert.ThrowsAsync<InvalidDataException>(() => DecryptAsync([.. encrypted, 0], KeyRing));
    }

    [Fact]
    public async Task SwappedChunks_AreDetected()
    {
        var encrypted = await EncryptAsync(RandomNumberGenerator.GetBytes(3 * ChunkSize), KeyRing);
        var first = HeaderLength(encrypted);
        var chunk = ChunkSize + 16;
        var swapped = encrypted.ToArray();
        encrypted.AsSpan(first, chunk).CopyTo(swapped.AsSpan(first + chunk));
        encrypted.AsSpan(first + chunk, chunk).CopyTo(swapped.AsSpan(first));

        await Assert.ThrowsAsync<InvalidDataException>(() => DecryptAsync(swapped, KeyRing));
    }

    [Fact]
    public async Task TamperedContentTypeInTheHeader_IsDetected()
    {
        var encrypted = await EncryptAsync(new byte[10], KeyRing, contentType: "text/csv");
        var at = encrypted.AsSpan().IndexOf("text/csv"u8);
        "text/htm"u8.CopyTo(encrypted.AsSpan(at));

        await Assert.ThrowsAsync<InvalidDataException>(() => DecryptAsync(encrypted, KeyRing));
    }

    [Fact]
    public async Task ObjectFromAnotherKeyRing_WithTheSameKeyId_IsRejected()
    {
        var encrypted = await EncryptAsync(new byte[10], NewKeyRing("k1"));

        await Assert.ThrowsAsync<InvalidDataException>(() => DecryptAsync(encrypted, NewKeyRing("k1")));
    }

    [Fact]
    public async Task ObjectWrappedWithAnUnconfiguredKey_NamesTheMissingKey()
    {
        var encrypted = await EncryptAsync(new byte[10], NewKeyRing("retired-2025"));

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => DecryptAsync(encrypted, NewKeyRing("current")));
        Assert.Contains("'retired-2025'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NotAnEncryptedObject_IsRejected()
    {
        await Assert.ThrowsAsync<InvalidDataException>(() => DecryptAsync("time,speed\n0,1\n"u8.ToArray(), KeyRing));
        await Assert.ThrowsAsync<InvalidDataException>(() => DecryptAsync([], KeyRing));
    }

    [Fact]
    public async Task AfterRotation_OldObjectsStillRead_AndNewOnesUseTheNewKey()
    {
        var oldKey = RandomNumberGenerator.GetBytes(32);
        var newKey = RandomNumberGenerator.GetBytes(32);
        var before = new StorageKeyRing([KeyValuePair.Create("2025", oldKey)], "2025");
        var after = new StorageKeyRing([KeyValuePair.Create("2025", oldKey), KeyValuePair.Create("2026", newKey)], "2026");
        var oldPlaintext = RandomNumberGenerator.GetBytes(300);
        var oldObject = await EncryptAsync(oldPlaintext, before);

        var newObject = await EncryptAsync(new byte[5], after);

        Assert.Equal(oldPlaintext, await DecryptAsync(oldObject, after));
        Assert.Equal("2026", (await EnvelopeEncryption.EnvelopeHeader.ReadAsync(new MemoryStream(newObject), CancellationToken.None)).KeyId);
    }

    [Fact]
    public async Task Rewrap_MovesAnObjectToTheActiveKey_SoTheOldKeyCanBeRetired()
    {
        var oldKey = RandomNumberGenerator.GetBytes(32);
        var newKey = RandomNumberGenerator.GetBytes(32);
        var rotating = new StorageKeyRing([KeyValuePair.Create("2025", oldKey), KeyValuePair.Create("2026", newKey)], "2026");
        var plaintext = RandomNumberGenerator.GetBytes(500);
        var oldObject = await EncryptAsync(plaintext, new StorageKeyRing([KeyValuePair.Create("2025", oldKey)], "2025"));

        using var rewrapped = new MemoryStream();
        Assert.True(await EnvelopeEncryption.RewrapAsync(new MemoryStream(oldObject), rewrapped, rotating, CancellationToken.None));

        var onlyNewKey = new StorageKeyRing([KeyValuePair.Create("2026", newKey)], "2026");
        Assert.Equal(plaintext, await DecryptAsync(rewrapped.ToArray(), onlyNewKey));
        using var unchanged = new MemoryStream();
        Assert.False(await EnvelopeEncryption.RewrapAsync(new MemoryStream(rewrapped.ToArray()), unchanged, rotating, CancellationToken.None));
        Assert.Equal(0, unchanged.Length);
    }

    [Fact]
    public void KeyRing_RejectsKeysThatAreNot32Bytes_AndAnActiveIdItDoesNotHold()
    {
        Assert.Throws<ArgumentException>(() => new StorageKeyRing([KeyValuePair.Create("short", new byte[16])], "short"));
        Assert.Throws<ArgumentException>(() => new StorageKeyRing([KeyValuePair.Create("k1", new byte[32])], "k2"));
    }
}
