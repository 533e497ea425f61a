using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Core.Catalog.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class RideStartTimeAndTitle : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Notes",
                table: "Rides",
                type: "character varying(4000)",
                maxLength: 4000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "PlaceName",
                table: "Rides",
                type: "character varying(128)",
                maxLength: 128,
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "StartedAt",
                table: "Rides",
                type: "timestamp with time zone",
                nullable: false,
                defaultValue: new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified));

            migrationBuilder.AddColumn<bool>(
                name: "StartedAtIsUploadTime",
                table: "Rides",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "Title",
                table: "Rides",
                type: "character varying(120)",
                maxLength: 120,
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "LastHomeVisitAt",
                table: "Riders",
                type: "timestamp with time zone",
                nullable: true);

            // Rides stored before rides had their own time: the upload time, flagged as such, until they are analysed again.
            migrationBuilder.Sql("UPDATE \"Rides\" SET \"StartedAt\" = \"UploadedAt\", \"StartedAtIsUploadTime\" = TRUE;");

            migrationBuilder.CreateIndex(
                name: "IX_Rides_OwnerId_StartedAt_Id",
                table: "Rides",
                columns: new[] { "OwnerId", "StartedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Rides_StartedAt_Id",
                table: "Rides",
                columns: new[] { "StartedAt", "Id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Rides_OwnerId_StartedAt_Id",
                table: "Rides");

            migrationBuilder.DropIndex(
                name: "IX_Rides_StartedAt_Id",
                table: "Rides");

            migrationBuilder.DropColumn(
                name: "Notes",
                table: "Rides");

            migrationBuilder.DropColumn(
                name: "PlaceName",
                table: "Rides");

            migrationBuilder.DropColumn(
                name: "StartedAt",
                table: "Rides");

            migrationBuilder.DropColumn(
                name: "StartedAtIsUploadTime",
                table: "Rides");

            migrationBuilder.DropColumn(
                name: "Title",
                table: "Rides");

            migrationBuilder.DropColumn(
                name: "LastHomeVisitAt",
                table: "Riders");
        }
    }
}
