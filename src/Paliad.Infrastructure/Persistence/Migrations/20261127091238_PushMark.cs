using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Paliad.Infrastructure.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class PushMark : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "full_scans_requested",
                schema: "paliad",
                table: "calendar_bindings",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "pushed_through",
                schema: "paliad",
                table: "calendar_bindings",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "ix_appointments_owner_id_updated_at",
                schema: "paliad",
                table: "appointments",
                columns: new[] { "owner_id", "updated_at" });

            migrationBuilder.CreateIndex(
                name: "ix_appointments_project_id_updated_at",
                schema: "paliad",
                table: "appointments",
                columns: new[] { "project_id", "updated_at" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_appointments_owner_id_updated_at",
                schema: "paliad",
                table: "appointments");

            migrationBuilder.DropIndex(
                name: "ix_appointments_project_id_updated_at",
                schema: "paliad",
                table: "appointments");

            migrationBuilder.DropColumn(
                name: "full_scans_requested",
                schema: "paliad",
                table: "calendar_bindings");

            migrationBuilder.DropColumn(
                name: "pushed_through",
                schema: "paliad",
                table: "calendar_bindings");
        }
    }
}
