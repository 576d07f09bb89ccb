using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Paliad.Infrastructure.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class BindingErrorDetail : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "last_sync_error_detail",
                schema: "paliad",
                table: "calendar_bindings",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "error_detail",
                schema: "paliad",
                table: "caldav_sync_log",
                type: "character varying(4000)",
                maxLength: 4000,
                nullable: true);

            // What a binding said before is technical detail: it moves beside a plain sentence (the next sync says more).
            migrationBuilder.Sql("""
                UPDATE paliad.calendar_bindings SET last_sync_error_detail = last_sync_error, last_sync_error = 'The last sync failed.'
                WHERE last_sync_error IS NOT NULL;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                UPDATE paliad.calendar_bindings SET last_sync_error = coalesce(last_sync_error_detail, last_sync_error)
                WHERE last_sync_error IS NOT NULL;
                """);

            migrationBuilder.DropColumn(
                name: "last_sync_error_detail",
                schema: "paliad",
                table: "calendar_bindings");

            migrationBuilder.DropColumn(
                name: "error_detail",
                schema: "paliad",
                table: "caldav_sync_log");
        }
    }
}
