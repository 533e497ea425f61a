using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Portal.Core.Hosting;

namespace Portal.Core.Catalog;

// `dotnet ef migrations add` (scripts/add-migration.sh) builds the contexts through these, without a host;
// the connection strings are placeholders: generating migrations never connects.

internal sealed class SqliteCatalogDesignTimeFactory : IDesignTimeDbContextFactory<SqliteCatalogDbContext>
{
    public SqliteCatalogDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteCatalogDbContext>()
            .UseSqlite("Data Source=design-time.db", o => o.MigrationsHistoryTable(CatalogHostingExtensions.MigrationsHistoryTable))
            .Options);
}

internal sealed class PostgresCatalogDesignTimeFactory : IDesignTimeDbContextFactory<PostgresCatalogDbContext>
{
    public PostgresCatalogDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresCatalogDbContext>()
            .UseNpgsql("Host=localhost;Database=design_time", o => o.MigrationsHistoryTable(CatalogHostingExtensions.MigrationsHistoryTable))
            .Options);
}
