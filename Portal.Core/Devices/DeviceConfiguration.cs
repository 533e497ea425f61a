using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Portal.Core.Devices;

internal sealed class DeviceConfiguration : IEntityTypeConfiguration<Device>
{
    public void Configure(EntityTypeBuilder<Device> device)
    {
        device.ToTable("Devices");
        device.HasKey(d => d.Id);
        device.Property(d => d.Id).HasMaxLength(64);
        device.Property(d => d.Name).HasMaxLength(200);
        device.Property(d => d.Model).HasMaxLength(200);
        device.Property(d => d.ProfileName).HasMaxLength(128);
        device.Property(d => d.SecretHash).HasMaxLength(256);
        device.HasIndex(d => d.RiderId);
    }
}
