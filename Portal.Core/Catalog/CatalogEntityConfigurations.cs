using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Portal.Core.Catalog;

internal sealed class RiderProfileConfiguration : IEntityTypeConfiguration<RiderProfile>
{
    public void Configure(EntityTypeBuilder<RiderProfile> rider)
    {
        rider.HasKey(r => r.UserId);
        rider.Property(r => r.Email).HasMaxLength(256);
        rider.Property(r => r.DisplayName).HasMaxLength(256);
        rider.Property(r => r.Category).HasConversion<string>().HasMaxLength(32);
        rider.HasIndex(r => r.TechnicianId);
        rider.Property(r => r.LastHomeVisitAt).AsUtc();
    }
}

internal sealed class RideConfiguration : IEntityTypeConfiguration<Ride>
{
    public void Configure(EntityTypeBuilder<Ride> ride)
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
        ride.Property(r => r.Title).HasMaxLength(RideLimits.TitleMaxLength);
        ride.Property(r => r.Notes).HasMaxLength(RideLimits.NotesMaxLength);
        ride.Property(r => r.PlaceName).HasMaxLength(128);
        // The list's default order (newest first, id breaks ties) for one owner, and for callers who see every ride.
        ride.HasIndex(r => new { r.OwnerId, r.UploadedAt, r.Id });
        ride.HasIndex(r => new { r.UploadedAt, r.Id });

        // The same orders by when the ride was ridden (lists, home totals, trends).
        ride.HasIndex(r => new { r.OwnerId, r.StartedAt, r.Id });
        ride.HasIndex(r => new { r.StartedAt, r.Id });

        // One ride per owner and content: concurrent uploads of the same bytes cannot both become rides.
        ride.HasIndex(r => new { r.OwnerId, r.Sha256 }).IsUnique();
        ride.HasIndex(r => r.Status);
    }
}
