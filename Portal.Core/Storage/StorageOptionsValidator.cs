using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Portal.Core.Storage.FileSystem;

namespace Portal.Core.Storage;

/// <summary>Checks the Storage section at start; every message names the configuration key to fix.</summary>
public sealed partial class StorageOptionsValidator : IValidateOptions<StorageOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageOptions options)
    {
        var failures = new List<string>();
        ValidateBuckets(options.Buckets, failures);
        switch (options.Provider)
        {
            case StorageProvider.FileSystem:
                ValidateFileSystem(options.FileSystem, failures);
                break;
            case StorageProvider.S3:
                ValidateS3(options.S3, failures);
                break;
            case StorageProvider.AzureBlob:
                if (string.IsNullOrWhiteSpace(options.Azure.ConnectionString))
                {
                    failures.Add("Storage:Azure:ConnectionString is required when Storage:Provider is AzureBlob.");
                }

                break;
            default:
                failures.Add($"Storage:Provider '{options.Provider}' is not one of FileSystem, S3, AzureBlob.");
                break;
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>
    /// The rules S3 buckets and Azure containers share, so a name that works on one provider works on all.
    /// </summary>
    public static string? DescribeInvalidBucketName(string? bucketName)
    {
        if (string.IsNullOrEmpty(bucketName))
        {
            return "a bucket name is required";
        }

        if (bucketName.Length is < 3 or > 63)
        {
            return "it must be 3 to 63 characters long";
        }

        if (!BucketNamePattern().IsMatch(bucketName))
        {
            return "use only lowercase letters, digits and hyphens, starting and ending with a letter or digit";
        }

        return bucketName.Contains("--", StringComparison.Ordinal) ? "it must not contain two hyphens in a row" : null;
    }

    private static void ValidateBuckets(BucketNames buckets, List<string> failures)
    {
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in new[] { ("Raw", buckets.Raw), ("Analytics", buckets.Analytics), ("Crash", buckets.Crash) })
        {
            if (DescribeInvalidBucketName(value) is { } problem)
            {
                failures.Add($"Storage:Buckets:{key} '{value}' is not a valid bucket name: {problem} (S3 bucket and Azure container rules).");
            }
            else if (seen.TryGetValue(value, out var other))
            {
                failures.Add($"Storage:Buckets:{key} '{value}' is the same as Storage:Buckets:{other}: the three buckets must differ.");
            }
            else
            {
                seen.Add(value, key);
            }
        }
    }

    private static void ValidateFileSystem(FileSystemStorageOptions fileSystem, List<string> failures)
    {
        if (fileSystem.Root is not null && string.IsNullOrWhiteSpace(fileSystem.Root))
        {
            failures.Add("Storage:FileSystem:Root must not be blank; omit it to use {Embedded:DataDir}/objects.");
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var index = 0; index < fileSystem.EncryptionKeys.Count; index++)
        {
            var key = fileSystem.EncryptionKeys[index];
            var prefix = $"Storage:FileSystem:EncryptionKeys:{index}";
            if (!KeyIdPattern().IsMatch(key.Id ?? ""))
            {
                failures.Add($"{prefix}:Id '{key.Id}' must be 1 to 64 letters, digits, '.', '_' or '-'.");
            }
            else if (!ids.Add(key.Id!))
            {
                failures.Add($"{prefix}:Id '{key.Id}' is used by another key.");
            }

            if (StorageKeyRing.TryDecodeKey(key.Key) is null)
            {
                // Never echo the value: it is a secret.
                failures.Add($"{prefix}:Key must be the base64 encoding of exactly 32 bytes (openssl rand -base64 32).");
            }
        }

        if (fileSystem.ActiveKeyId is { } active)
        {
            if (!ids.Contains(active))
            {
                failures.Add($"Storage:FileSystem:ActiveKeyId '{active}' names no key in Storage:FileSystem:EncryptionKeys.");
            }
        }
        else if (fileSystem.EncryptionKeys.Count > 1)
        {
            failures.Add("Storage:FileSystem:ActiveKeyId is required when Storage:FileSystem:EncryptionKeys has more than one key.");
        }
    }

    private static void ValidateS3(S3StorageOptions s3, List<string> failures)
    {
        if (string.IsNullOrWhiteSpace(s3.Endpoint))
        {
            failures.Add("Storage:S3:Endpoint is required when Storage:Provider is S3.");
        }
        else if (s3.Endpoint.Contains("://", StringComparison.Ordinal) || s3.Endpoint.Contains('/', StringComparison.Ordinal))
        {
            failures.Add($"Storage:S3:Endpoint '{s3.Endpoint}' must be host[:port] without a scheme or path; choose https with Storage:S3:UseSsl.");
        }

        if (string.IsNullOrWhiteSpace(s3.AccessKey))
        {
            failures.Add("Storage:S3:AccessKey is required when Storage:Provider is S3.");
        }

        if (string.IsNullOrWhiteSpace(s3.SecretKey))
        {
            failures.Add("Storage:S3:SecretKey is required when Storage:Provider is S3.");
        }

        if (string.IsNullOrWhiteSpace(s3.Region))
        {
            failures.Add("Storage:S3:Region must not be blank (us-east-1 when the server does not care).");
        }
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]*[a-z0-9]$")]
    private static partial Regex BucketNamePattern();

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex KeyIdPattern();
}
