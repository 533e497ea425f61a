using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Core.Hosting;
using Portal.Core.Storage.Azure;
using Portal.Core.Storage.FileSystem;
using Portal.Core.Storage.S3;

namespace Portal.Core.Storage;

public static class StorageHostingExtensions
{
    public const string HealthCheckName = "storage";

    /// <summary>
    /// Registers <see cref="IObjectStorage"/> for the configured Storage:Provider, validated at start, a
    /// background service that creates the buckets once the provider is reachable, and the "storage"
    /// health check (tag "ready").
    /// </summary>
    public static IHostApplicationBuilder AddObjectStorage(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<EmbeddedOptions>().BindConfiguration(EmbeddedOptions.Section);
        services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<StorageOptions>, StorageDefaultPaths>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<StorageOptions>, StorageOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);

        services.TryAddSingleton(provider =>
        {
            var fileSystem = provider.GetRequiredService<IOptions<StorageOptions>>().Value.FileSystem;
            return StorageKeyRing.FromOptions(fileSystem, fileSystem.KeyFile!, provider.GetRequiredService<ILoggerFactory>().CreateLogger<StorageKeyRing>());
        });
        services.TryAddSingleton<FileSystemObjectStorage>();
        services.TryAddSingleton<S3ObjectStorage>();
        services.TryAddSingleton<AzureBlobObjectStorage>();
        services.TryAddSingleton<IObjectStorage>(provider => provider.GetRequiredService<IOptions<StorageOptions>>().Value.Provider switch
        {
            StorageProvider.S3 => provider.GetRequiredService<S3ObjectStorage>(),
            StorageProvider.AzureBlob => provider.GetRequiredService<AzureBlobObjectStorage>(),
            _ => provider.GetRequiredService<FileSystemObjectStorage>(),
        });

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<StorageFullMonitor>();
        services.AddHostedService<StorageBucketsInitializer>();
        services.AddHealthChecks().AddCheck<StorageHealthCheck>(HealthCheckName, tags: ["ready"]);
        return builder;
    }
}

/// <summary>Fills the local-disk paths that default to places under Embedded:DataDir.</summary>
internal sealed class StorageDefaultPaths(IOptions<EmbeddedOptions> embedded) : IPostConfigureOptions<StorageOptions>
{
    public void PostConfigure(string? name, StorageOptions options)
    {
        // Relative paths resolve against the current directory, like Embedded:DataDir itself.
        var dataDir = Path.GetFullPath(embedded.Value.DataDir);
        var fileSystem = options.FileSystem;
        if (fileSystem.Root is null)
        {
            fileSystem.Root = Path.Combine(dataDir, "objects");
        }
        else if (!string.IsNullOrWhiteSpace(fileSystem.Root))
        {
            fileSystem.Root = Path.GetFullPath(fileSystem.Root);
        }

        fileSystem.KeyFile = string.IsNullOrWhiteSpace(fileSystem.KeyFile)
            ? Path.Combine(dataDir, "keys", "storage-key.json")
            : Path.GetFullPath(fileSystem.KeyFile);
    }
}
