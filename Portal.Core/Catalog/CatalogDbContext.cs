using Microsoft.EntityFrameworkCore;

namespace Portal.Core.Catalog;

/// <summary>
/// The ride catalog: rides, riders' categories and teams, devices, notifications. Shared by the
/// portal and every worker process. Accounts and roles live in the portal's Identity context.
/// Each feature maps its own entities with an <see cref="IEntityTypeConfiguration{TEntity}"/> beside them.
/// </summary>
public class CatalogDbContext(DbContextOptions options) : DbContext(options)
{
    public DbSet<RiderProfile> Riders => Set<RiderProfile>();
    public DbSet<Ride> Rides => Set<Ride>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(CatalogDbContext).Assembly);
}
