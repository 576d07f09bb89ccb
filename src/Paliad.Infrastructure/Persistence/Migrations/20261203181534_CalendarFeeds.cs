using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Paliad.Infrastructure.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class CalendarFeeds : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "calendar_feeds",
                schema: "paliad",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    user_id = table.Column<Guid>(type: "uuid", nullable: false),
                    display_name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    scope = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    scope_id = table.Column<Guid>(type: "uuid", nullable: true),
                    secret_hash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    last_fetched_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    content_version = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    content_changed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_calendar_feeds", x => x.id);
                    table.CheckConstraint("ck_calendar_feeds_display_name_not_blank", "btrim(display_name) <> ''");
                    table.CheckConstraint("ck_calendar_feeds_scope", "scope IN ('all_visible', 'personal_only', 'project', 'client', 'litigation', 'patent', 'case')");
                    table.CheckConstraint("ck_calendar_feeds_scope_id", "(scope IN ('all_visible', 'personal_only')) = (scope_id IS NULL)");
                    table.CheckConstraint("ck_calendar_feeds_secret_hash", "secret_hash ~ '^[0-9a-f]{64}$'");
                    table.ForeignKey(
                        name: "fk_calendar_feeds_projects_scope_id",
                        column: x => x.scope_id,
                        principalSchema: "paliad",
                        principalTable: "projects",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_calendar_feeds_users_user_id",
                        column: x => x.user_id,
                        principalSchema: "paliad",
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_calendar_feeds_scope_id",
                schema: "paliad",
                table: "calendar_feeds",
                column: "scope_id");

            migrationBuilder.CreateIndex(
                name: "ix_calendar_feeds_user_id",
                schema: "paliad",
                table: "calendar_feeds",
                column: "user_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "calendar_feeds",
                schema: "paliad");
        }
    }
}
