using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Portal.Core.Catalog.Migrations.PostgreSql;

/// <summary>
/// The catalog watermark (<see cref="CatalogWatermark"/>): raised once per transaction that changed rides or team
/// memberships. Deferred constraint triggers run at commit, so the watermark row is the last lock a writer takes
/// (no deadlock with writers that touch several rides) and it changes together with the data it stands for.
/// </summary>
[DbContext(typeof(PostgresCatalogDbContext))]
[Migration("20261128140000_CatalogWatermark")]
public sealed class CatalogWatermarkMigration : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("""
            CREATE TABLE "CatalogWatermark" ("Id" integer PRIMARY KEY, "Value" bigint NOT NULL);
            INSERT INTO "CatalogWatermark" ("Id", "Value") VALUES (1, 0);

            CREATE FUNCTION catalog_watermark_raise() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF current_setting('portal.catalog_watermark_raised', true) IS DISTINCT FROM 'on' THEN
                    PERFORM set_config('portal.catalog_watermark_raised', 'on', true);
                    UPDATE "CatalogWatermark" SET "Value" = "Value" + 1 WHERE "Id" = 1;
                END IF;
                RETURN NULL;
            END
            $$;

            CREATE CONSTRAINT TRIGGER "Rides_CatalogWatermark" AFTER INSERT OR UPDATE OR DELETE ON "Rides"
                DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION catalog_watermark_raise();
            CREATE CONSTRAINT TRIGGER "Riders_CatalogWatermark" AFTER INSERT OR UPDATE OR DELETE ON "Riders"
                DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION catalog_watermark_raise();
            """);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("""
            DROP TRIGGER "Riders_CatalogWatermark" ON "Riders";
            DROP TRIGGER "Rides_CatalogWatermark" ON "Rides";
            DROP FUNCTION catalog_watermark_raise();
            DROP TABLE "CatalogWatermark";
            """);
    }
}
