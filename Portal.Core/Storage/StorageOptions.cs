namespace Portal.Core.Storage;

public enum StorageProvider
{
    FileSystem,
    S3,
    AzureBlob,
}

/// <summary>Configuration section <c>Storage</c>; the key names are an operator-facing interface.</summary>
public sealed class StorageOptions
{
    public const string Section = "Storage";

    public StorageProvider Provider { get; set; } = StorageProvider.FileSystem;

    public FileSystemStorageOptions FileSystem { get; set; } = new();

    public S3StorageOptions S3 { get; set; } = new();

    public AzureStorageOptions Azure { get; set; } = new();

    public BucketNames Buckets { get; set; } = new();
}

public sealed class FileSystemStorageOptions
{
    /// <summary>Directory holding one sub-directory per bucket; defaults to <c>{Embedded:DataDir}/objects</c>.</summary>
    public string? Root { get; set; }

    /// <summary>Key-encryption keys; objects name the key that wrapped their data key, so old keys keep reading.</summary>
    public List<StorageEncryptionKey> EncryptionKeys { get; set; } = [];

    /// <summary>The key new objects are wrapped with; may be omitted when exactly one key is configured.</summary>
    public string? ActiveKeyId { get; set; }

    /// <summary>
    /// Where a generated key is kept when no key is configured (embedded run); defaults to
    /// <c>{Embedded:DataDir}/keys/storage-key.json</c>.
    /// </summary>
    public string? KeyFile { get; set; }
}

public sealed class StorageEncryptionKey
{
    public string Id { get; set; } = "";

    /// <summary>Base64 of 32 random bytes (AES-256).</summary>
    public string Key { get; set; } = "";
}

public sealed class S3StorageOptions
{
    /// <summary>host[:port] without a scheme, e.g. <c>s3.eu-central-1.amazonaws.com</c> or <c>minio:9000</c>.</summary>
    public string? Endpoint { get; set; }

    public string? AccessKey { get; set; }

    public string? SecretKey { get; set; }

    public bool UseSsl { get; set; } = true;

    /// <summary>Set explicitly so the SDK never has to ask the server for the bucket's region.</summary>
    public string Region { get; set; } = "us-east-1";

    /// <summary>Asks the server to encrypt every object at rest with its own keys (SSE-S3, AES256).</summary>
    public bool ServerSideEncryption { get; set; } = true;
}

public sealed class AzureStorageOptions
{
    public string? ConnectionString { get; set; }
}

public sealed class BucketNames
{
    public string Raw { get; set; } = "raw";

    public string Analytics { get; set; } = "analytics";

    public string Crash { get; set; } = "crash";

    public string For(BucketKind bucket) => bucket switch
    {
        BucketKind.Raw => Raw,
        BucketKind.Analytics => Analytics,
        BucketKind.Crash => Crash,
        _ => throw new ArgumentOutOfRangeException(nameof(bucket), bucket, "Unknown bucket."),
    };
}
