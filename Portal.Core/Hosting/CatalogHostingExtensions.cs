using Microsoft.Extensions.Hosting;

namespace Portal.Core.Hosting;

public static class CatalogHostingExtensions
{
    /// <summary>Registers the catalog DbContext on SQLite (embedded) or PostgreSQL (Database:Provider).</summary>
    public static IHostApplicationBuilder AddCatalog(this IHostApplicationBuilder builder)
    {
        // TODO(foundation): provider selection, options validation.
        return builder;
    }
}
