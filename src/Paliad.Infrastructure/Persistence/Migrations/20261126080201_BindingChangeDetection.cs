using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Paliad.Infrastructure.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class BindingChangeDetection : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "ctag",
                schema: "paliad",
                table: "calendar_bindings",
                type: "character varying(1024)",
                maxLength: 1024,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "sync_token",
                schema: "paliad",
                table: "calendar_bindings",
                type: "character varying(1024)",
                maxLength: 1024,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "ticks_since_full_reconcile",
                schema: "paliad",
                table: "calendar_bindings",
                type: "integer",
                nullable: false,
                defaultValue: 0);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "ctag",
                schema: "paliad",
                table: "calendar_bindings");

            migrationBuilder.DropColumn(
                name: "sync_token",
                schema: "paliad",
                table: "calendar_bindings");

            migrationBuilder.DropColumn(
                name: "ticks_since_full_reconcile",
                schema: "paliad",
                table: "calendar_bindings");
        }
    }
}
