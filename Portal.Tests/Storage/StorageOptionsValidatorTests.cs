using Portal.Core.Storage;

namespace Portal.Tests.Storage;

[Trait("Category", "Storage")]
public sealed class StorageOptionsValidatorTests
{
    private static readonly string ValidKey = Convert.ToBase64String(new byte[32]);

    private static IReadOnlyList<string> Failures(StorageOptions options)
    {
        var result = new StorageOptionsValidator().Validate(null, options);
        return result.Failed ? result.Failures.ToList() : [];
    }

    private static StorageOptions ValidS3() => new()
    {
        Provider = StorageProvider.S3,
        S3 = new S3StorageOptions { Endpoint = "minio:9000", AccessKey = "portal", SecretKey = "secret" },
    };

    [Fact]
    public void Defaults_AreValid()
    {
        Assert.Empty(Failures(new StorageOptions()));
    }

    [Fact]
    public void CompleteS3AndAzureSettings_AreValid()
    {
        Assert.Empty(Failures(ValidS3()));
        Assert.Empty(Failures(new StorageOptions { Provider = StorageProvider.AzureBlob, Azure = { ConnectionString = "UseDevelopmentStorage=true" } }));
    }

    [Fact]
    public void S3_WithoutEndpoint_NamesTheEndpointKey()
    {
        var options = ValidS3();
        options.S3.Endpoint = null;

        Assert.Equal(["Storage:S3:Endpoint is required when Storage:Provider is S3."], Failures(options));
    }

    [Fact]
    public void S3_EndpointWithAScheme_NamesTheEndpointKey()
    {
        var options = ValidS3();
        options.S3.Endpoint = "https://s3.example.com";

        var failure = Assert.Single(Failures(options));
        Assert.StartsWith("Storage:S3:Endpoint 'https://s3.example.com' must be host[:port]", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void S3_WithoutCredentials_NamesBothKeys()
    {
        var options = ValidS3();
        options.S3.AccessKey = "";
        options.S3.SecretKey = null;

        Assert.Equal(
            ["Storage:S3:AccessKey is required when Storage:Provider is S3.", "Storage:S3:SecretKey is required when Storage:Provider is S3."],
            Failures(options));
    }

    [Fact]
    public void S3_WithBlankRegion_NamesTheRegionKey()
    {
        var options = ValidS3();
        options.S3.Region = " ";

        Assert.StartsWith("Storage:S3:Region", Assert.Single(Failures(options)), StringComparison.Ordinal);
    }

    [Fact]
    public void S3Settings_AreNotRequired_WhenAnotherProviderIsChosen()
    {
        Assert.Empty(Failures(new StorageOptions { Provider = StorageProvider.FileSystem, S3 = { Endpoint = null } }));
    }

    [Fact]
    public void Azure_WithoutConnectionString_NamesTheConnectionStringKey()
    {
        Assert.Equal(
            ["Storage:Azure:ConnectionString is required when Storage:Provider is AzureBlob."],
            Failures(new StorageOptions { Provider = StorageProvider.AzureBlob }));
    }

    [Theory]
    [InlineData("Raw_Bucket", "use only lowercase letters, digits and hyphens")]
    [InlineData("Raw", "use only lowercase letters, digits and hyphens")]
    [InlineData("ab", "3 to 63 characters")]
    [InlineData("rides.raw", "use only lowercase letters, digits and hyphens")]
    [InlineData("-raw", "use only lowercase letters, digits and hyphens")]
    [InlineData("raw--files", "two hyphens in a row")]
    [InlineData("", "a bucket name is required")]
    public void InvalidBucketName_NamesTheBucketKeyAndTheRule(string name, string rule)
    {
        var failure = Assert.Single(Failures(new StorageOptions { Buckets = { Raw = name } }));

        Assert.StartsWith($"Storage:Buckets:Raw '{name}' is not a valid bucket name: ", failure, StringComparison.Ordinal);
        Assert.Contains(rule, failure, StringComparison.Ordinal);
    }

    [Fact]
    public void InvalidBucketNames_AreReportedForEachKey()
    {
        var failures = Failures(new StorageOptions { Buckets = { Analytics = "A", Crash = new string('c', 64) } });

        Assert.Equal(2, failures.Count);
        Assert.StartsWith("Storage:Buckets:Analytics 'A'", failures[0], StringComparison.Ordinal);
        Assert.StartsWith("Storage:Buckets:Crash 'ccc", failures[1], StringComparison.Ordinal);
    }

    [Fact]
    public void TwoBucketsWithTheSameName_NameTheLaterKey()
    {
        Assert.Equal(
            ["Storage:Buckets:Crash 'raw' is the same as Storage:Buckets:Raw: the three buckets must differ."],
            Failures(new StorageOptions { Buckets = { Crash = "raw" } }));
    }

    [Fact]
    public void EncryptionKey_ThatIsNot32BytesOfBase64_NamesItsIndex_WithoutEchoingTheSecret()
    {
        var options = new StorageOptions();
        options.FileSystem.EncryptionKeys.Add(new StorageEncryptionKey { Id = "k1", Key = "c2hvcnQta2V5" });

        var failure = Assert.Single(Failures(options));

        Assert.StartsWith("Storage:FileSystem:EncryptionKeys:0:Key must be the base64 encoding of exactly 32 bytes", failure, StringComparison.Ordinal);
        Assert.DoesNotContain("c2hvcnQta2V5", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void EncryptionKeys_WithADuplicateOrBadId_NameTheIdKey()
    {
        var options = new StorageOptions();
        options.FileSystem.EncryptionKeys.Add(new StorageEncryptionKey { Id = "k1", Key = ValidKey });
        options.FileSystem.EncryptionKeys.Add(new StorageEncryptionKey { Id = "k1", Key = ValidKey });
        options.FileSystem.EncryptionKeys.Add(new StorageEncryptionKey { Id = "has space", Key = ValidKey });
        options.FileSystem.ActiveKeyId = "k1";

        Assert.Equal(
            [
                "Storage:FileSystem:EncryptionKeys:1:Id 'k1' is used by another key.",
                "Storage:FileSystem:EncryptionKeys:2:Id 'has space' must be 1 to 64 letters, digits, '.', '_' or '-'.",
            ],
            Failures(options));
    }

    [Fact]
    public void ActiveKeyId_ThatNamesNoConfiguredKey_NamesTheActiveKeyIdKey()
    {
        var options = new StorageOptions();
        options.FileSystem.EncryptionKeys.Add(new StorageEncryptionKey { Id = "k1", Key = ValidKey });
        options.FileSystem.ActiveKeyId = "k2";

        Assert.Equal(
            ["Storage:FileSystem:ActiveKeyId 'k2' names no key in Storage:FileSystem:EncryptionKeys."],
            Failures(options));
    }

    [Fact]
    public void SeveralKeys_WithoutActiveKeyId_NameTheActiveKeyIdKey()
    {
        var options = new StorageOptions();
        options.FileSystem.EncryptionKeys.Add(new StorageEncryptionKey { Id = "k1", Key = ValidKey });
        options.FileSystem.EncryptionKeys.Add(new StorageEncryptionKey { Id = "k2", Key = ValidKey });

        Assert.Equal(
            ["Storage:FileSystem:ActiveKeyId is required when Storage:FileSystem:EncryptionKeys has more than one key."],
            Failures(options));
    }

    [Fact]
    public void BlankRoot_NamesTheRootKey()
    {
        Assert.StartsWith(
            "Storage:FileSystem:Root must not be blank",
            Assert.Single(Failures(new StorageOptions { FileSystem = { Root = "  " } })),
            StringComparison.Ordinal);
    }
}
