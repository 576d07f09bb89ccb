using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Paliad.Infrastructure.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class PhaseFBaseline : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.EnsureSchema(
                name: "paliad");

            migrationBuilder.CreateTable(
                name: "projects",
                schema: "paliad",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    parent_id = table.Column<Guid>(type: "uuid", nullable: true),
                    kind = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    path = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false, collation: "C"),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_projects", x => x.id);
                    table.CheckConstraint("ck_projects_client_is_root", "(kind = 'client') = (parent_id IS NULL)");
                    table.CheckConstraint("ck_projects_kind", "kind IN ('client', 'litigation', 'patent', 'case')");
                    table.CheckConstraint("ck_projects_name_not_blank", "btrim(name) <> ''");
                    table.ForeignKey(
                        name: "fk_projects_projects_parent_id",
                        column: x => x.parent_id,
                        principalSchema: "paliad",
                        principalTable: "projects",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "users",
                schema: "paliad",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    email = table.Column<string>(type: "character varying(320)", maxLength: 320, nullable: false),
                    display_name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_users", x => x.id);
                    table.CheckConstraint("ck_users_email_has_at", "position('@' in email) > 1");
                });

            migrationBuilder.CreateTable(
                name: "appointments",
                schema: "paliad",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    owner_id = table.Column<Guid>(type: "uuid", nullable: false),
                    project_id = table.Column<Guid>(type: "uuid", nullable: true),
                    title = table.Column<string>(type: "text", nullable: false),
                    description = table.Column<string>(type: "character varying(10000)", maxLength: 10000, nullable: true),
                    location = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    starts_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ends_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    all_day = table.Column<bool>(type: "boolean", nullable: false),
                    time_zone = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    version = table.Column<int>(type: "integer", nullable: false),
                    caldav_uid = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true),
                    caldav_etag = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_appointments", x => x.id);
                    table.CheckConstraint("ck_appointments_ends_not_before_starts", "ends_at >= starts_at");
                    table.CheckConstraint("ck_appointments_time_zone_not_blank", "btrim(time_zone) <> ''");
                    table.CheckConstraint("ck_appointments_title_length", "char_length(title) BETWEEN 1 AND 500");
                    table.ForeignKey(
                        name: "fk_appointments_projects_project_id",
                        column: x => x.project_id,
                        principalSchema: "paliad",
                        principalTable: "projects",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_appointments_users_owner_id",
                        column: x => x.owner_id,
                        principalSchema: "paliad",
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "caldav_sync_log",
                schema: "paliad",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    user_id = table.Column<Guid>(type: "uuid", nullable: false),
                    started_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    finished_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    status = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    error = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true),
                    conflicts = table.Column<int>(type: "integer", nullable: false),
                    deleted = table.Column<int>(type: "integer", nullable: false),
                    pulled = table.Column<int>(type: "integer", nullable: false),
                    pushed = table.Column<int>(type: "integer", nullable: false),
                    restored = table.Column<int>(type: "integer", nullable: false),
                    updated = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_caldav_sync_log", x => x.id);
                    table.CheckConstraint("ck_caldav_sync_log_counts_not_negative", "pushed >= 0 AND updated >= 0 AND deleted >= 0 AND pulled >= 0 AND conflicts >= 0 AND restored >= 0");
                    table.CheckConstraint("ck_caldav_sync_log_finished_after_started", "finished_at IS NULL OR finished_at >= started_at");
                    table.CheckConstraint("ck_caldav_sync_log_status", "status IN ('ok', 'partial', 'error')");
                    table.ForeignKey(
                        name: "fk_caldav_sync_log_users_user_id",
                        column: x => x.user_id,
                        principalSchema: "paliad",
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "project_members",
                schema: "paliad",
                columns: table => new
                {
                    project_id = table.Column<Guid>(type: "uuid", nullable: false),
                    user_id = table.Column<Guid>(type: "uuid", nullable: false),
                    role = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    added_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_project_members", x => new { x.project_id, x.user_id });
                    table.CheckConstraint("ck_project_members_role", "role IN ('owner', 'editor', 'viewer')");
                    table.ForeignKey(
                        name: "fk_project_members_projects_project_id",
                        column: x => x.project_id,
                        principalSchema: "paliad",
                        principalTable: "projects",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_project_members_users_user_id",
                        column: x => x.user_id,
                        principalSchema: "paliad",
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "user_caldav_config",
                schema: "paliad",
                columns: table => new
                {
                    user_id = table.Column<Guid>(type: "uuid", nullable: false),
                    server_url = table.Column<string>(type: "character varying(2048)", maxLength: 2048, nullable: false),
                    username = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    password = table.Column<string>(type: "text", nullable: true),
                    calendar_path = table.Column<string>(type: "character varying(1024)", maxLength: 1024, nullable: true),
                    sync_enabled = table.Column<bool>(type: "boolean", nullable: false),
                    sync_interval_minutes = table.Column<int>(type: "integer", nullable: false),
                    last_sync_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    last_sync_error = table.Column<string>(type: "text", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_user_caldav_config", x => x.user_id);
                    table.CheckConstraint("ck_user_caldav_config_server_url_http", "server_url ~* '^https?://[^/]+'");
                    table.CheckConstraint("ck_user_caldav_config_sync_interval", "sync_interval_minutes BETWEEN 1 AND 1440");
                    table.ForeignKey(
                        name: "fk_user_caldav_config_users_user_id",
                        column: x => x.user_id,
                        principalSchema: "paliad",
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_appointments_owner_id_starts_at",
                schema: "paliad",
                table: "appointments",
                columns: new[] { "owner_id", "starts_at" });

            migrationBuilder.CreateIndex(
                name: "ix_appointments_project_id_starts_at",
                schema: "paliad",
                table: "appointments",
                columns: new[] { "project_id", "starts_at" });

            migrationBuilder.CreateIndex(
                name: "ix_caldav_sync_log_user_id_started_at",
                schema: "paliad",
                table: "caldav_sync_log",
                columns: new[] { "user_id", "started_at" },
                descending: new[] { false, true });

            migrationBuilder.CreateIndex(
                name: "ix_project_members_user_id",
                schema: "paliad",
                table: "project_members",
                column: "user_id");

            migrationBuilder.CreateIndex(
                name: "ix_projects_parent_id",
                schema: "paliad",
                table: "projects",
                column: "parent_id");

            migrationBuilder.CreateIndex(
                name: "ix_projects_path",
                schema: "paliad",
                table: "projects",
                column: "path",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_users_email",
                schema: "paliad",
                table: "users",
                column: "email",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "appointments",
                schema: "paliad");

            migrationBuilder.DropTable(
                name: "caldav_sync_log",
                schema: "paliad");

            migrationBuilder.DropTable(
                name: "project_members",
                schema: "paliad");

            migrationBuilder.DropTable(
                name: "user_caldav_config",
                schema: "paliad");

            migrationBuilder.DropTable(
                name: "projects",
                schema: "paliad");

            migrationBuilder.DropTable(
                name: "users",
                schema: "paliad");
        }
    }
}
