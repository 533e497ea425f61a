using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Portal.Core.Catalog;

/// <summary>The catalog on SQLite (embedded run); its migrations live in Catalog/Migrations/Sqlite.</summary>
public sealed class SqliteCatalogDbContext(DbContextOptions<SqliteCatalogDbContext> options) : CatalogDbContext(options)
{
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // SQLite has no DateTimeOffset type and cannot ORDER BY or compare it; UTC ticks sort correctly.
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<DateTimeOffsetToUtcTicksConverter>();
    }
}

/// <summary>The catalog on PostgreSQL; its migrations live in Catalog/Migrations/PostgreSql.</summary>
public sealed class PostgresCatalogDbContext(DbContextOptions<PostgresCatalogDbContext> options) : CatalogDbContext(options)
{
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Npgsql writes only UTC offsets to timestamptz; callers may hand any offset (the instant is kept).
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<DateTimeOffsetToUtcConverter>();
    }
}

/// <summary>Stores an instant as UTC ticks; reads it back with a zero offset (the instant is what matters).</summary>
public sealed class DateTimeOffsetToUtcTicksConverter() : ValueConverter<DateTimeOffset, long>(
    value => value.UtcTicks,
    ticks => new DateTimeOffset(ticks, TimeSpan.Zero));

/// <summary>Normalises an instant to offset zero; the instant itself is unchanged.</summary>
public sealed class DateTimeOffsetToUtcConverter() : ValueConverter<DateTimeOffset, DateTimeOffset>(
    value => value.ToUniversalTime(),
    value => value);
