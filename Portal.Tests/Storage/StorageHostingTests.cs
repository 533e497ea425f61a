using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Minio;
using Portal.Core.Storage;
using Portal.Core.Storage.Azure;
using Portal.Core.Storage.FileSystem;
using Portal.Core.Storage.S3;
using Portal.Tests.Infrastructure;
using static Portal.Tests.Storage.StorageTestSupport;

namespace Portal.Tests.Storage;

/// <summary>AddObjectStorage as the portal and the worker call it: configuration keys, defaults, health.</summary>
[Trait("Category", "Storage")]
public sealed class StorageHostingTests : IDisposable
{
    private readonly string dataDir = Path.Combine(Path.GetTempPath(), "portal-data-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(dataDir))
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }

    private static IHost BuildHost(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddLogging();
        builder.AddObjectStorage();
        return builder.Build();
    }

    private static async Task<HealthReportEntry> CheckStorageHealthAsync(IHost host)
    {
        var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(
            registration => registration.Tags.Contains("ready"), CancellationToken.None);
        return report.Entries[StorageHostingExtensions.HealthCheckName];
    }

    [Fact]
    public async Task EmbeddedDefaults_StoreEncryptedObjectsUnderTheDataDir_WithAGeneratedKeyThatSurvivesARestart()
    {
        var settings = new Dictionary<string, string?> { ["Embedded:DataDir"] = dataDir };
        using (var host = BuildHost(settings))
        {
            var storage = host.Services.GetRequiredService<IObjectStorage>();
            Assert.IsType<FileSystemObjectStorage>(storage);
            await storage.EnsureBucketsAsync(CancellationToken.None);
            await storage.PutAsync(BucketKind.Raw, "rides/1.csv", Text("time,speed\n"), "text/csv", CancellationToken.None);
        }

        var keyFile = Path.Combine(dataDir, "keys", "storage-key.json");
        Assert.True(File.Exists(keyFile));
        Assert.True(File.Exists(Path.Combine(dataDir, "objects", "raw", "rides", "1.csv")));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));
        }

        var keyBefore = await File.ReadAllTextAsync(keyFile);
        using (var restarted = BuildHost(settings))
        {
            var storage = restarted.Services.GetRequiredService<IObjectStorage>();
            await using var read = await storage.OpenReadAsync(BucketKind.Raw, "rides/1.csv", CancellationToken.None);
            Assert.Equal("time,speed\n", System.Text.Encoding.UTF8.GetString(await ReadAllAsync(read)));
        }

        Assert.Equal(keyBefore, await File.ReadAllTextAsync(keyFile));
    }

    [Fact]
    public async Task ConfiguredKeys_AreUsed_AndNoKeyFileIsGenerated()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Embedded:DataDir"] = dataDir,
            ["Storage:FileSystem:Root"] = Path.Combine(dataDir, "elsewhere"),
            ["Storage:FileSystem:EncryptionKeys:0:Id"] = "ops-2026",
            ["Storage:FileSystem:EncryptionKeys:0:Key"] = Convert.ToBase64String(new byte[32]),
        };
        using var host = BuildHost(settings);

        Assert.Equal("ops-2026", host.Services.GetRequiredService<StorageKeyRing>().ActiveKeyId);
        var storage = host.Services.GetRequiredService<IObjectStorage>();
        await storage.EnsureBucketsAsync(CancellationToken.None);
        await storage.PutAsync(BucketKind.Analytics, "a.json", Text("{}"), "application/json", CancellationToken.None);

        Assert.True(File.Exists(Path.Combine(dataDir, "elsewhere", "analytics", "a.json")));
        Assert.False(Directory.Exists(Path.Combine(dataDir, "keys")));
    }

    [Theory]
    [InlineData("S3", typeof(S3ObjectStorage))]
    [InlineData("AzureBlob", typeof(AzureBlobObjectStorage))]
    [InlineData("FileSystem", typeof(FileSystemObjectStorage))]
    public void StorageProvider_SelectsTheAdapter(string provider, Type expected)
    {
        using var host = BuildHost(new Dictionary<string, string?>
        {
            ["Embedded:DataDir"] = dataDir,
            ["Storage:Provider"] = provider,
            ["Storage:S3:Endpoint"] = "127.0.0.1:9000",
            ["Storage:S3:AccessKey"] = "a",
            ["Storage:S3:SecretKey"] = "b",
            ["Storage:Azure:ConnectionString"] = "UseDevelopmentStorage=true",
        });

        Assert.IsType(expected, host.Services.GetRequiredService<IObjectStorage>());
    }

    [Fact]
    public async Task InvalidConfiguration_StopsTheStart_NamingTheWrongKeys()
    {
        using var host = BuildHost(new Dictionary<string, string?>
        {
            ["Embedded:DataDir"] = dataDir,
            ["Storage:Provider"] = "S3",
            ["Storage:Buckets:Raw"] = "Raw_Bucket",
        });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("Storage:S3:Endpoint is required when Storage:Provider is S3.", error.Failures);
        Assert.Contains(error.Failures, failure => failure.StartsWith("Storage:Buckets:Raw 'Raw_Bucket' is not a valid bucket name", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Start_CreatesTheBuckets_AndTheHealthCheckTurnsHealthy()
    {
        using var host = BuildHost(new Dictionary<string, string?> { ["Embedded:DataDir"] = dataDir });
        Assert.Equal(HealthStatus.Unhealthy, (await CheckStorageHealthAsync(host)).Status);

        await host.StartAsync();
        var initializer = host.Services.GetServices<IHostedService>().OfType<StorageBucketsInitializer>().Single();
        await initializer.ExecuteTask!.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(HealthStatus.Healthy, (await CheckStorageHealthAsync(host)).Status);
        await host.StopAsync();
    }

    [Fact]
    public async Task HealthCheck_IsUnhealthy_WhenTheS3ServerCannotBeReached()
    {
        using var host = BuildHost(new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "S3",
            ["Storage:S3:Endpoint"] = "127.0.0.1:9",
            ["Storage:S3:AccessKey"] = "a",
            ["Storage:S3:SecretKey"] = "b",
            ["Storage:S3:UseSsl"] = "false",
        });

        var health = await CheckStorageHealthAsync(host);

        Assert.Equal(HealthStatus.Unhealthy, health.Status);
        Assert.IsType<StorageUnavailableException>(health.Exception);
    }

    [Fact]
    public async Task HealthCheck_IsHealthy_OnTheS3Emulator_OnceTheBucketsExist()
    {
        var buckets = UniqueBuckets(StorageProvider.S3).Buckets;
        using var host = BuildHost(new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "S3",
            ["Storage:S3:Endpoint"] = TestServices.S3Endpoint,
            ["Storage:S3:AccessKey"] = TestServices.S3AccessKey,
            ["Storage:S3:SecretKey"] = TestServices.S3SecretKey,
            ["Storage:S3:UseSsl"] = "false",
            ["Storage:Buckets:Raw"] = buckets.Raw,
            ["Storage:Buckets:Analytics"] = buckets.Analytics,
            ["Storage:Buckets:Crash"] = buckets.Crash,
        });
        var health = await CheckStorageHealthAsync(host);
        Assert.Equal(HealthStatus.Unhealthy, health.Status);
        Assert.Contains("does not exist", health.Description, StringComparison.Ordinal);

        var storage = (S3ObjectStorage)host.Services.GetRequiredService<IObjectStorage>();
        await storage.EnsureBucketsAsync(CancellationToken.None);

        Assert.Equal(HealthStatus.Healthy, (await CheckStorageHealthAsync(host)).Status);
        using var client = new MinioClient().WithEndpoint(TestServices.S3Endpoint)
            .WithCredentials(TestServices.S3AccessKey, TestServices.S3SecretKey).WithRegion("us-east-1").Build();
        foreach (var bucket in new[] { buckets.Raw, buckets.Analytics, buckets.Crash })
        {
            await client.RemoveBucketAsync(new Minio.DataModel.Args.RemoveBucketArgs().WithBucket(bucket));
        }
    }
}
