using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Paliad.Infrastructure.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class CalDavActivity : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "foreign_parts",
                schema: "paliad",
                table: "appointment_targets",
                type: "character varying(65536)",
                maxLength: 65536,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "caldav_activity",
                schema: "paliad",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    user_id = table.Column<Guid>(type: "uuid", nullable: false),
                    at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    kind = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    appointment_id = table.Column<Guid>(type: "uuid", nullable: false),
                    appointment_title = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    binding_id = table.Column<Guid>(type: "uuid", nullable: true),
                    calendar_path = table.Column<string>(type: "character varying(1024)", maxLength: 1024, nullable: false),
                    detail = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_caldav_activity", x => x.id);
                    table.CheckConstraint("ck_caldav_activity_kind", "kind IN ('remote_edit_applied', 'remote_edit_overwritten', 'remote_deletion_reverted', 'remote_series_reverted')");
                    table.ForeignKey(
                        name: "fk_caldav_activity_calendar_bindings_binding_id",
                        column: x => x.binding_id,
                        principalSchema: "paliad",
                        principalTable: "calendar_bindings",
                        principalColumn: "id",
                        onDelete: ReferentialAction.SetNull);
                    table.ForeignKey(
                        name: "fk_caldav_activity_users_user_id",
                        column: x => x.user_id,
                        principalSchema: "paliad",
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_caldav_activity_at",
                schema: "paliad",
                table: "caldav_activity",
                column: "at");

            migrationBuilder.CreateIndex(
                name: "ix_caldav_activity_binding_id",
                schema: "paliad",
                table: "caldav_activity",
                column: "binding_id");

            migrationBuilder.CreateIndex(
                name: "ix_caldav_activity_user_id_at_id",
                schema: "paliad",
                table: "caldav_activity",
                columns: new[] { "user_id", "at", "id" },
                descending: new[] { false, true, true });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "caldav_activity",
                schema: "paliad");

            migrationBuilder.DropColumn(
                name: "foreign_parts",
                schema: "paliad",
                table: "appointment_targets");
        }
    }
}
