using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Core.Catalog.Migrations.Sqlite
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
                    UserId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Email = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    DisplayName = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    Category = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    TechnicianId = table.Column<Guid>(type: "TEXT", nullable: true),
                    TeamMembershipApproved = table.Column<bool>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Riders", x => x.UserId);
                });

            migrationBuilder.CreateTable(
                name: "Rides",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    OwnerId = table.Column<Guid>(type: "TEXT", nullable: false),
                    UploaderId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Source = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    DeviceId = table.Column<string>(type: "TEXT", maxLength: 128, nullable: true),
                    ProfileName = table.Column<string>(type: "TEXT", maxLength: 128, nullable: true),
                    FileName = table.Column<string>(type: "TEXT", maxLength: 512, nullable: false),
                    SizeBytes = table.Column<long>(type: "INTEGER", nullable: false),
                    Sha256 = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    RawKey = table.Column<string>(type: "TEXT", maxLength: 512, nullable: false),
                    Compressed = table.Column<bool>(type: "INTEGER", nullable: false),
                    UploadedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    ProgressPercent = table.Column<int>(type: "INTEGER", nullable: false),
                    FailureCode = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    FailureMessage = table.Column<string>(type: "TEXT", nullable: true),
                    AnalyzedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    AnalysisVersion = table.Column<int>(type: "INTEGER", nullable: true),
                    MetricsJson = table.Column<string>(type: "TEXT", nullable: true),
                    DurationS = table.Column<double>(type: "REAL", nullable: true),
                    DistanceKm = table.Column<double>(type: "REAL", nullable: true),
                    MaxSpeedKmh = table.Column<double>(type: "REAL", nullable: true),
                    MaxLeanDeg = table.Column<double>(type: "REAL", nullable: true),
                    MaxDecelMs2 = table.Column<double>(type: "REAL", nullable: true),
                    RowsSkipped = table.Column<long>(type: "INTEGER", nullable: false),
                    CrashDetected = table.Column<bool>(type: "INTEGER", nullable: false),
                    CrashTimeS = table.Column<double>(type: "REAL", nullable: true),
                    RawRetainUntil = table.Column<long>(type: "INTEGER", nullable: true),
                    RawDeletedAt = table.Column<long>(type: "INTEGER", nullable: true)
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
