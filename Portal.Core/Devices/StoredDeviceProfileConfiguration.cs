using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Portal.Core.Devices;

internal sealed class StoredDeviceProfileConfiguration : IEntityTypeConfiguration<StoredDeviceProfile>
{
    public void Configure(EntityTypeBuilder<StoredDeviceProfile> profile)
    {
        profile.ToTable("DeviceProfiles");
        profile.HasKey(p => p.Id);
        profile.Property(p => p.Name).HasMaxLength(128);
        profile.HasIndex(p => p.Name).IsUnique();
        profile.Property(p => p.Description).HasMaxLength(1000);
        profile.Property(p => p.ProfileJson).HasMaxLength(16_000);
    }
}
