using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Portal.Identity;

namespace Portal.Data;

/// <summary>
/// Accounts and roles, used refresh tokens and (when shared) the data-protection key ring; in the same database as
/// the catalog, with its own migrations history.
/// </summary>
public class PortalIdentityDbContext(DbContextOptions options)
    : IdentityDbContext<PortalUser, IdentityRole<Guid>, Guid>(options), IDataProtectionKeyContext
{
    public const string MigrationsHistoryTable = "__IdentityMigrations";

    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    public DbSet<UsedRefreshToken> UsedRefreshTokens => Set<UsedRefreshToken>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.Entity<DataProtectionKey>();
        builder.Entity<UsedRefreshToken>(token =>
        {
            token.HasKey(t => t.TokenHash);
            token.Property(t => t.TokenHash).HasMaxLength(64);
            token.HasIndex(t => t.ExpiresAtUnixSeconds);
        });
    }
}

/// <summary>Migrations in Data/Migrations/Sqlite.</summary>
public sealed class SqlitePortalIdentityDbContext(DbContextOptions<SqlitePortalIdentityDbContext> options) : PortalIdentityDbContext(options);

/// <summary>Migrations in Data/Migrations/PostgreSql.</summary>
public sealed class PostgresPortalIdentityDbContext(DbContextOptions<PostgresPortalIdentityDbContext> options) : PortalIdentityDbContext(options);

// `dotnet ef migrations add` (scripts/add-migration.sh) uses these; generating migrations never connects.

internal sealed class SqliteIdentityDesignTimeFactory : IDesignTimeDbContextFactory<SqlitePortalIdentityDbContext>
{
    public SqlitePortalIdentityDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqlitePortalIdentityDbContext>()
            .UseSqlite("Data Source=design-time.db", o => o.MigrationsHistoryTable(PortalIdentityDbContext.MigrationsHistoryTable))
            .Options);
}

internal sealed class PostgresIdentityDesignTimeFactory : IDesignTimeDbContextFactory<PostgresPortalIdentityDbContext>
{
    public PostgresPortalIdentityDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresPortalIdentityDbContext>()
            .UseNpgsql("Host=localhost;Database=design_time", o => o.MigrationsHistoryTable(PortalIdentityDbContext.MigrationsHistoryTable))
            .Options);
}
