using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Core.Catalog.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "Riders",
                columns: table => new
                {
                    UserId = table.Column<Guid>(type: "uuid", nullable: false),
                    Email = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    DisplayName = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    Category = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    TechnicianId = table.Column<Guid>(type: "uuid", nullable: true),
                    TeamMembershipApproved = table.Column<bool>(type: "boolean", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Riders", x => x.UserId);
                });

            migrationBuilder.CreateTable(
                name: "Rides",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    OwnerId = table.Column<Guid>(type: "uuid", nullable: false),
                    UploaderId = table.Column<Guid>(type: "uuid", nullable: false),
                    Source = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    DeviceId = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: true),
                    ProfileName = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: true),
                    FileName = table.Column<string>(type: "character varying(512)", maxLength: 512, nullable: false),
                    SizeBytes = table.Column<long>(type: "bigint", nullable: false),
                    Sha256 = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    RawKey = table.Column<string>(type: "character varying(512)", maxLength: 512, nullable: false),
                    Compressed = table.Column<bool>(type: "boolean", nullable: false),
                    UploadedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    ProgressPercent = table.Column<int>(type: "integer", nullable: false),
                    FailureCode = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    FailureMessage = table.Column<string>(type: "text", nullable: true),
                    AnalyzedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    AnalysisVersion = table.Column<int>(type: "integer", nullable: true),
                    MetricsJson = table.Column<string>(type: "text", nullable: true),
                    DurationS = table.Column<double>(type: "double precision", nullable: true),
                    DistanceKm = table.Column<double>(type: "double precision", nullable: true),
                    MaxSpeedKmh = table.Column<double>(type: "double precision", nullable: true),
                    MaxLeanDeg = table.Column<double>(type: "double precision", nullable: true),
                    MaxDecelMs2 = table.Column<double>(type: "double precision", nullable: true),
                    RowsSkipped = table.Column<long>(type: "bigint", nullable: false),
                    CrashDetected = table.Column<bool>(type: "boolean", nullable: false),
                    CrashTimeS = table.Column<double>(type: "double precision", nullable: true),
                    RawRetainUntil = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    RawDeletedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Rides", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Riders_TechnicianId",
                table: "Riders",
                column: "TechnicianId");

            migrationBuilder.CreateIndex(
                name: "IX_Rides_OwnerId_Sha256",
                table: "Rides",
                columns: new[] { "OwnerId", "Sha256" });

            migrationBuilder.CreateIndex(
                name: "IX_Rides_OwnerId_UploadedAt",
                table: "Rides",
                columns: new[] { "OwnerId", "UploadedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Rides_Status",
                table: "Rides",
                column: "Status");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "Riders");

            migrationBuilder.DropTable(
                name: "Rides");
        }
    }
}
