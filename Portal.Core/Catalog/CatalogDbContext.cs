using Microsoft.EntityFrameworkCore;

namespace Portal.Core.Catalog;

/// <summary>
/// The ride catalog: rides, riders' categories and teams, devices, notifications. Shared by the
/// portal and every worker process. Accounts and roles live in the portal's Identity context.
/// </summary>
public class CatalogDbContext(DbContextOptions options) : DbContext(options)
{
    public DbSet<RiderProfile> Riders => Set<RiderProfile>();
    public DbSet<Ride> Rides => Set<Ride>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<RiderProfile>(rider =>
        {
            rider.HasKey(r => r.UserId);
            rider.Property(r => r.Email).HasMaxLength(256);
            rider.Property(r => r.DisplayName).HasMaxLength(256);
            rider.Property(r => r.Category).HasConversion<string>().HasMaxLength(32);
            rider.HasIndex(r => r.TechnicianId);
        });

        modelBuilder.Entity<Ride>(ride =>
        {
            ride.HasKey(r => r.Id);
            ride.Property(r => r.FileName).HasMaxLength(512);
            ride.Property(r => r.Sha256).HasMaxLength(64);
            ride.Property(r => r.RawKey).HasMaxLength(512);
            ride.Property(r => r.DeviceId).HasMaxLength(128);
            ride.Property(r => r.ProfileName).HasMaxLength(128);
            ride.Property(r => r.Source).HasConversion<string>().HasMaxLength(16);
            ride.Property(r => r.Status).HasConversion<string>().HasMaxLength(16);
            ride.Property(r => r.FailureCode).HasMaxLength(64);
            ride.HasIndex(r => new { r.OwnerId, r.UploadedAt });
            ride.HasIndex(r => new { r.OwnerId, r.Sha256 });
            ride.HasIndex(r => r.Status);
        });
    }
}
