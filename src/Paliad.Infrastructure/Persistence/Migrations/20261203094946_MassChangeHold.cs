using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Paliad.Infrastructure.Persistence.Migrations
{
    /// <summary>A binding may hold a calendar's mass change (sync_status 'held', held_changes, the user's
    /// held_decision); the activity feed gets lines about a whole binding (appointment_id null). Down puts held
    /// bindings back to pending and drops the binding-level lines, which the older schema cannot hold.</summary>
    public partial class MassChangeHold : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropCheckConstraint(
                name: "ck_calendar_bindings_sync_status",
                schema: "paliad",
                table: "calendar_bindings");

            migrationBuilder.DropCheckConstraint(
                name: "ck_caldav_activity_kind",
                schema: "paliad",
                table: "caldav_activity");

            migrationBuilder.AddColumn<int>(
                name: "held_changes",
                schema: "paliad",
                table: "calendar_bindings",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string>(
                name: "held_decision",
                schema: "paliad",
                table: "calendar_bindings",
                type: "character varying(32)",
                maxLength: 32,
                nullable: true);

            migrationBuilder.AlterColumn<Guid>(
                name: "appointment_id",
                schema: "paliad",
                table: "caldav_activity",
                type: "uuid",
                nullable: true,
                oldClrType: typeof(Guid),
                oldType: "uuid");

            migrationBuilder.AddCheckConstraint(
                name: "ck_calendar_bindings_held_changes_not_negative",
                schema: "paliad",
                table: "calendar_bindings",
                sql: "held_changes >= 0");

            migrationBuilder.AddCheckConstraint(
                name: "ck_calendar_bindings_held_decision",
                schema: "paliad",
                table: "calendar_bindings",
                sql: "held_decision IS NULL OR held_decision IN ('apply', 'revert')");

            migrationBuilder.AddCheckConstraint(
                name: "ck_calendar_bindings_sync_status",
                schema: "paliad",
                table: "calendar_bindings",
                sql: "sync_status IN ('pending', 'ok', 'error', 'held')");

            migrationBuilder.AddCheckConstraint(
                name: "ck_caldav_activity_kind",
                schema: "paliad",
                table: "caldav_activity",
                sql: "kind IN ('remote_edit_applied', 'remote_edit_overwritten', 'remote_deletion_reverted', 'remote_series_reverted', 'remote_edits_held', 'held_edits_applied', 'held_edits_reverted')");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropCheckConstraint(
                name: "ck_calendar_bindings_held_changes_not_negative",
                schema: "paliad",
                table: "calendar_bindings");

            migrationBuilder.DropCheckConstraint(
                name: "ck_calendar_bindings_held_decision",
                schema: "paliad",
                table: "calendar_bindings");

            migrationBuilder.DropCheckConstraint(
                name: "ck_calendar_bindings_sync_status",
                schema: "paliad",
                table: "calendar_bindings");

            migrationBuilder.DropCheckConstraint(
                name: "ck_caldav_activity_kind",
                schema: "paliad",
                table: "caldav_activity");

            migrationBuilder.Sql("UPDATE paliad.calendar_bindings SET sync_status = 'pending' WHERE sync_status = 'held';");
            migrationBuilder.Sql("DELETE FROM paliad.caldav_activity WHERE appointment_id IS NULL;");

            migrationBuilder.DropColumn(
                name: "held_changes",
                schema: "paliad",
                table: "calendar_bindings");

            migrationBuilder.DropColumn(
                name: "held_decision",
                schema: "paliad",
                table: "calendar_bindings");

            migrationBuilder.AlterColumn<Guid>(
                name: "appointment_id",
                schema: "paliad",
                table: "caldav_activity",
                type: "uuid",
                nullable: false,
                defaultValue: new Guid("00000000-0000-0000-0000-000000000000"),
                oldClrType: typeof(Guid),
                oldType: "uuid",
                oldNullable: true);

            migrationBuilder.AddCheckConstraint(
                name: "ck_calendar_bindings_sync_status",
                schema: "paliad",
                table: "calendar_bindings",
                sql: "sync_status IN ('pending', 'ok', 'error')");

            migrationBuilder.AddCheckConstraint(
                name: "ck_caldav_activity_kind",
                schema: "paliad",
                table: "caldav_activity",
                sql: "kind IN ('remote_edit_applied', 'remote_edit_overwritten', 'remote_deletion_reverted', 'remote_series_reverted')");
        }
    }
}
