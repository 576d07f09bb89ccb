using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Paliad.Infrastructure.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class Mig101CalendarBindings : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "calendar_bindings",
                schema: "paliad",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    user_id = table.Column<Guid>(type: "uuid", nullable: false),
                    calendar_path = table.Column<string>(type: "character varying(1024)", maxLength: 1024, nullable: false),
                    display_name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    scope = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    scope_id = table.Column<Guid>(type: "uuid", nullable: true),
                    enabled = table.Column<bool>(type: "boolean", nullable: false),
                    sync_status = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    last_sync_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    last_sync_error = table.Column<string>(type: "text", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_calendar_bindings", x => x.id);
                    table.CheckConstraint("ck_calendar_bindings_calendar_path_not_blank", "btrim(calendar_path) <> ''");
                    table.CheckConstraint("ck_calendar_bindings_scope", "scope IN ('all_visible', 'personal_only', 'project', 'client', 'litigation', 'patent', 'case')");
                    table.CheckConstraint("ck_calendar_bindings_scope_id", "(scope IN ('all_visible', 'personal_only')) = (scope_id IS NULL)");
                    table.CheckConstraint("ck_calendar_bindings_sync_status", "sync_status IN ('pending', 'ok', 'error')");
                    table.ForeignKey(
                        name: "fk_calendar_bindings_projects_scope_id",
                        column: x => x.scope_id,
                        principalSchema: "paliad",
                        principalTable: "projects",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_calendar_bindings_users_user_id",
                        column: x => x.user_id,
                        principalSchema: "paliad",
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "appointment_targets",
                schema: "paliad",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    appointment_id = table.Column<Guid>(type: "uuid", nullable: false),
                    binding_id = table.Column<Guid>(type: "uuid", nullable: false),
                    caldav_uid = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    caldav_href = table.Column<string>(type: "character varying(2048)", maxLength: 2048, nullable: false),
                    caldav_etag = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true),
                    content_hash = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: true),
                    last_pushed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    last_pulled_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_appointment_targets", x => x.id);
                    table.CheckConstraint("ck_appointment_targets_uid_not_blank", "btrim(caldav_uid) <> ''");
                    table.ForeignKey(
                        name: "fk_appointment_targets_appointments_appointment_id",
                        column: x => x.appointment_id,
                        principalSchema: "paliad",
                        principalTable: "appointments",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_appointment_targets_calendar_bindings_binding_id",
                        column: x => x.binding_id,
                        principalSchema: "paliad",
                        principalTable: "calendar_bindings",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_appointment_targets_appointment_id_binding_id",
                schema: "paliad",
                table: "appointment_targets",
                columns: new[] { "appointment_id", "binding_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_appointment_targets_binding_id_caldav_uid",
                schema: "paliad",
                table: "appointment_targets",
                columns: new[] { "binding_id", "caldav_uid" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_calendar_bindings_scope_id",
                schema: "paliad",
                table: "calendar_bindings",
                column: "scope_id");

            migrationBuilder.CreateIndex(
                name: "ix_calendar_bindings_user_id_calendar_path",
                schema: "paliad",
                table: "calendar_bindings",
                columns: new[] { "user_id", "calendar_path" },
                unique: true);

            // Cut-over backfill: every configured Phase F user gets an all_visible binding on the legacy calendar,
            // and every event Phase F already pushed becomes a target in it, re-using its UID, ETag and the href
            // Phase F gave it (calendar_path + uid + ".ics", concatenated as Phase F did), so the first tick updates
            // instead of duplicating. A legacy calendar_path holding a full URL is reduced to its path (bindings
            // hold paths on the configured server). content_hash stays NULL: it is unknown, so the engine pushes
            // each such event once, with If-Match.
            migrationBuilder.Sql("""
                INSERT INTO paliad.calendar_bindings
                    (id, user_id, calendar_path, display_name, scope, scope_id, enabled, sync_status,
                     last_sync_at, last_sync_error, created_at, updated_at)
                SELECT gen_random_uuid(), c.user_id, legacy.path, NULL, 'all_visible', NULL, TRUE, 'pending',
                       c.last_sync_at, NULL, now(), now()
                FROM paliad.user_caldav_config c
                CROSS JOIN LATERAL (SELECT regexp_replace(btrim(c.calendar_path), '^https?://[^/]+', '', 'i') AS path) legacy
                WHERE c.calendar_path IS NOT NULL AND legacy.path <> ''
                ON CONFLICT (user_id, calendar_path) DO NOTHING;

                INSERT INTO paliad.appointment_targets
                    (id, appointment_id, binding_id, caldav_uid, caldav_href, caldav_etag, content_hash,
                     last_pushed_at, last_pulled_at)
                SELECT gen_random_uuid(), a.id, b.id, a.caldav_uid,
                       b.calendar_path || a.caldav_uid || '.ics',
                       a.caldav_etag, NULL, a.updated_at, NULL
                FROM paliad.appointments a
                JOIN paliad.calendar_bindings b ON b.user_id = a.owner_id AND b.scope = 'all_visible'
                WHERE a.caldav_uid IS NOT NULL AND btrim(a.caldav_uid) <> ''
                ON CONFLICT DO NOTHING;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "appointment_targets",
                schema: "paliad");

            migrationBuilder.DropTable(
                name: "calendar_bindings",
                schema: "paliad");
        }
    }
}
