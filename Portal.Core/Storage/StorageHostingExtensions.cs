using Microsoft.Extensions.Hosting;

namespace Portal.Core.Storage;

public static class StorageHostingExtensions
{
    /// <summary>Registers <see cref="IObjectStorage"/> for the configured Storage:Provider.</summary>
    public static IHostApplicationBuilder AddObjectStorage(this IHostApplicationBuilder builder)
    {
        // TODO(storage): FileSystem | S3 | AzureBlob.
        return builder;
    }
}
