using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Portal.Core.Storage.FileSystem;

/// <summary>
/// The operator's key-encryption keys for local-disk objects. New objects are wrapped with the active key;
/// any configured key unwraps, so rotating is: add a key, make it active, optionally re-wrap old objects.
/// </summary>
public sealed class StorageKeyRing
{
    public const int KeyLength = 32;

    private readonly Dictionary<string, byte[]> keys;

    public StorageKeyRing(IEnumerable<KeyValuePair<string, byte[]>> keys, string activeKeyId)
    {
        this.keys = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (id, key) in keys)
        {
            if (key.Length != KeyLength)
            {
                throw new ArgumentException($"Key '{id}' has {key.Length} bytes; AES-256 needs {KeyLength}.", nameof(keys));
            }

            this.keys.Add(id, key.ToArray());
        }

        if (!this.keys.ContainsKey(activeKeyId))
        {
            throw new ArgumentException($"The active key '{activeKeyId}' is not in the key ring.", nameof(activeKeyId));
        }

        ActiveKeyId = activeKeyId;
    }

    public string ActiveKeyId { get; }

    public IReadOnlyCollection<string> KeyIds => keys.Keys;

    internal byte[] ActiveKey => keys[ActiveKeyId];

    internal bool TryGetKey(string keyId, out byte[] key) => keys.TryGetValue(keyId, out key!);

    /// <summary>The 32 key bytes, or null when <paramref name="base64"/> is not base64 of exactly 32 bytes.</summary>
    public static byte[]? TryDecodeKey(string? base64)
    {
        if (string.IsNullOrWhiteSpace(base64))
        {
            return null;
        }

        var buffer = new byte[KeyLength + 3];
        return Convert.TryFromBase64String(base64.Trim(), buffer, out var written) && written == KeyLength ? buffer[..KeyLength] : null;
    }

    /// <summary>
    /// The configured keys, or (none configured) the key file, generated on first start. A generated key
    /// protects data at rest on this machine only as well as the key file itself is protected: production
    /// operators configure their own keys.
    /// </summary>
    public static StorageKeyRing FromOptions(FileSystemStorageOptions options, string keyFile, ILogger logger)
    {
        if (options.EncryptionKeys.Count > 0)
        {
            return new StorageKeyRing(
                options.EncryptionKeys.Select(key => KeyValuePair.Create(key.Id, TryDecodeKey(key.Key)
                    ?? throw new InvalidOperationException($"Storage:FileSystem:EncryptionKeys '{key.Id}' is not base64 of 32 bytes."))),
                options.ActiveKeyId ?? options.EncryptionKeys[0].Id);
        }

        if (!File.Exists(keyFile))
        {
            GenerateKeyFile(keyFile);
            logger.LogWarning(
                "Generated a storage encryption key in {KeyFile}. Back it up with the data directory: objects cannot be read without it. " +
                "In production configure Storage:FileSystem:EncryptionKeys and Storage:FileSystem:ActiveKeyId instead.", keyFile);
        }

        return ReadKeyFile(keyFile);
    }

    private static void GenerateKeyFile(string keyFile)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(keyFile)!);
        var file = new KeyFileContent
        {
            ActiveKeyId = "generated-1",
            EncryptionKeys = [new StorageEncryptionKey { Id = "generated-1", Key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(KeyLength)) }],
        };
        var staging = keyFile + "." + Guid.NewGuid().ToString("N") + ".tmp";
        var streamOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            streamOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(staging, streamOptions))
        {
            JsonSerializer.Serialize(stream, file, KeyFileJson);
            stream.Flush(flushToDisk: true);
        }

        try
        {
            // No overwrite: when the portal and a worker start together, the first key wins and both use it.
            File.Move(staging, keyFile, overwrite: false);
        }
        catch (IOException) when (File.Exists(keyFile))
        {
            File.Delete(staging);
        }
    }

    private static StorageKeyRing ReadKeyFile(string keyFile)
    {
        using var stream = File.OpenRead(keyFile);
        var content = JsonSerializer.Deserialize<KeyFileContent>(stream, KeyFileJson)
            ?? throw new InvalidOperationException($"The storage key file {keyFile} is empty.");
        if (content.EncryptionKeys.Count == 0 || content.EncryptionKeys.Any(key => TryDecodeKey(key.Key) is null))
        {
            throw new InvalidOperationException($"The storage key file {keyFile} must hold keys of 32 bytes in base64.");
        }

        return new StorageKeyRing(
            content.EncryptionKeys.Select(key => KeyValuePair.Create(key.Id, TryDecodeKey(key.Key)!)),
            content.ActiveKeyId ?? content.EncryptionKeys[0].Id);
    }

    private static readonly JsonSerializerOptions KeyFileJson = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>Same shape as the Storage:FileSystem configuration, so the file can be moved into configuration as is.</summary>
    private sealed class KeyFileContent
    {
        public string? ActiveKeyId { get; set; }

        public List<StorageEncryptionKey> EncryptionKeys { get; set; } = [];
    }
}
