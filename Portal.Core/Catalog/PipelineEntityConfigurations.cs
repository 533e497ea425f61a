using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Portal.Core.Catalog;

/// <summary>
/// Stores instants as UTC date-times: PostgreSQL keeps timestamptz, and SQLite (which cannot compare or
/// order DateTimeOffset) gets sortable text, so deadline and idle-time queries run in the database on both.
/// </summary>
internal static class UtcTimestamps
{
    private static readonly ValueConverter<DateTimeOffset, DateTime> Converter =
        new(value => value.UtcDateTime, value => new DateTimeOffset(DateTime.SpecifyKind(value, DateTimeKind.Utc)));

    public static PropertyBuilder<DateTimeOffset> AsUtc(this PropertyBuilder<DateTimeOffset> property) => property.HasConversion(Converter);

    public static PropertyBuilder<DateTimeOffset?> AsUtc(this PropertyBuilder<DateTimeOffset?> property) => property.HasConversion(Converter);
}

/// <summary>
/// The ride's instants the pipeline filters and sorts on (retention deadline, upload date), stored as UTC
/// like the pipeline's own entities. Only conversions: the rest of the ride's mapping is in RideConfiguration.
/// </summary>
internal sealed class RideTimestampsConfiguration : IEntityTypeConfiguration<Ride>
{
    public void Configure(EntityTypeBuilder<Ride> ride)
    {
        ride.Property(r => r.UploadedAt).AsUtc();
        ride.Property(r => r.AnalyzedAt).AsUtc();
        ride.Property(r => r.RawRetainUntil).AsUtc();
        ride.Property(r => r.RawDeletedAt).AsUtc();
        ride.Property(r => r.StartedAt).AsUtc();
    }
}

internal sealed class UploadSessionConfiguration : IEntityTypeConfiguration<UploadSession>
{
    public void Configure(EntityTypeBuilder<UploadSession> session)
    {
        session.HasKey(s => s.Id);
        session.Property(s => s.FileName).HasMaxLength(512);
        session.Property(s => s.DeviceId).HasMaxLength(128);
        session.Property(s => s.ProfileName).HasMaxLength(128);
        session.Property(s => s.Source).HasConversion<string>().HasMaxLength(16);
        session.Property(s => s.Status).HasConversion<string>().HasMaxLength(16);
        session.HasMany(s => s.Parts).WithOne().HasForeignKey(p => p.SessionId).OnDelete(DeleteBehavior.Cascade);
        session.HasIndex(s => new { s.Status, s.LastActivityAt });
        session.HasIndex(s => s.UploaderId);
        session.Property(s => s.CreatedAt).AsUtc();
        session.Property(s => s.LastActivityAt).AsUtc();
    }
}

internal sealed class UploadPartConfiguration : IEntityTypeConfiguration<UploadPart>
{
    public void Configure(EntityTypeBuilder<UploadPart> part)
    {
        part.HasKey(p => new { p.SessionId, p.Number });
        part.Property(p => p.Sha256).HasMaxLength(64);
        part.Property(p => p.ReceivedAt).AsUtc();
    }
}

internal sealed class CrashRecordConfiguration : IEntityTypeConfiguration<CrashRecord>
{
    public void Configure(EntityTypeBuilder<CrashRecord> crash)
    {
        crash.HasKey(c => c.Id);
        crash.HasIndex(c => c.RideId).IsUnique();
        crash.HasIndex(c => c.DetectedAt);
        crash.HasIndex(c => c.RiderId);
        crash.Property(c => c.Kind).HasMaxLength(64);
        crash.Property(c => c.Explanation).HasMaxLength(2000);
        crash.Property(c => c.RawCopyKey).HasMaxLength(512);
        crash.Property(c => c.WindowKey).HasMaxLength(512);
        crash.Property(c => c.Label).HasConversion<string>().HasMaxLength(16);
        crash.Property(c => c.Notes).HasMaxLength(4000);
        crash.Property(c => c.DetectedAt).AsUtc();
        crash.Property(c => c.LabelledAt).AsUtc();
    }
}

internal sealed class NotificationConfiguration : IEntityTypeConfiguration<Notification>
{
    public void Configure(EntityTypeBuilder<Notification> notification)
    {
        notification.HasKey(n => n.Id);
        notification.Property(n => n.Role).HasMaxLength(64);
        notification.Property(n => n.Kind).HasConversion<string>().HasMaxLength(32);
        notification.Property(n => n.Title).HasMaxLength(256);
        notification.Property(n => n.Body).HasMaxLength(2000);
        notification.Property(n => n.DedupeKey).HasMaxLength(160);
        notification.HasIndex(n => n.DedupeKey).IsUnique();
        notification.HasIndex(n => new { n.UserId, n.CreatedAt });
        notification.HasIndex(n => new { n.Role, n.CreatedAt });
        notification.Property(n => n.CreatedAt).AsUtc();
        notification.Property(n => n.ReadAt).AsUtc();
    }
}

internal sealed class NotificationReceiptConfiguration : IEntityTypeConfiguration<NotificationReceipt>
{
    public void Configure(EntityTypeBuilder<NotificationReceipt> receipt)
    {
        receipt.HasKey(r => new { r.NotificationId, r.UserId });
        receipt.Property(r => r.ReadAt).AsUtc();
        receipt.HasOne<Notification>().WithMany().HasForeignKey(r => r.NotificationId).OnDelete(DeleteBehavior.Cascade);
    }
}
