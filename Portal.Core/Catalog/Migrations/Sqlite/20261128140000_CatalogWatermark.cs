using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Portal.Core.Catalog.Migrations.Sqlite;

/// <summary>
/// The catalog watermark (<see cref="CatalogWatermark"/>), raised by every statement that changes rides or team
/// memberships. SQLite writes one transaction at a time, so plain triggers are enough. A later migration that
/// rebuilds one of these tables must create its triggers again.
/// </summary>
[DbContext(typeof(SqliteCatalogDbContext))]
[Migration("20261128140000_CatalogWatermark")]
public sealed class CatalogWatermarkMigration : Migration
{
    private static readonly string[] WatchedTables = ["Rides", "Riders"];
    private static readonly string[] Events = ["INSERT", "UPDATE", "DELETE"];

    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("""
            CREATE TABLE "CatalogWatermark" ("Id" INTEGER NOT NULL PRIMARY KEY, "Value" INTEGER NOT NULL);
            INSERT INTO "CatalogWatermark" ("Id", "Value") VALUES (1, 0);
            """);
        foreach (var table in WatchedTables)
        {
            foreach (var change in Events)
            {
                migrationBuilder.Sql($"""
                    CREATE TRIGGER "{table}_CatalogWatermark_{change}" AFTER {change} ON "{table}"
                    BEGIN UPDATE "CatalogWatermark" SET "Value" = "Value" + 1 WHERE "Id" = 1; END;
                    """);
            }
        }
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        foreach (var table in WatchedTables)
        {
            foreach (var change in Events)
            {
                migrationBuilder.Sql($"""DROP TRIGGER "{table}_CatalogWatermark_{change}";""");
            }
        }

        migrationBuilder.Sql("""DROP TABLE "CatalogWatermark";""");
    }
}
