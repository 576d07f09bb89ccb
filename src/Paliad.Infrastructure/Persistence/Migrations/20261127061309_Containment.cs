using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Paliad.Infrastructure.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class Containment : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "parked_at",
                schema: "paliad",
                table: "outbox_messages",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "parked_for_user_id",
                schema: "paliad",
                table: "outbox_messages",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "consecutive_failures",
                schema: "paliad",
                table: "calendar_bindings",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "next_attempt_at",
                schema: "paliad",
                table: "calendar_bindings",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "ix_outbox_messages_parked",
                schema: "paliad",
                table: "outbox_messages",
                column: "parked_for_user_id",
                filter: "parked_at IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_calendar_bindings_next_attempt_at",
                schema: "paliad",
                table: "calendar_bindings",
                column: "next_attempt_at",
                filter: "next_attempt_at IS NOT NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_outbox_messages_parked",
                schema: "paliad",
                table: "outbox_messages");

            migrationBuilder.DropIndex(
                name: "ix_calendar_bindings_next_attempt_at",
                schema: "paliad",
                table: "calendar_bindings");

            migrationBuilder.DropColumn(
                name: "parked_at",
                schema: "paliad",
                table: "outbox_messages");

            migrationBuilder.DropColumn(
                name: "parked_for_user_id",
                schema: "paliad",
                table: "outbox_messages");

            migrationBuilder.DropColumn(
                name: "consecutive_failures",
                schema: "paliad",
                table: "calendar_bindings");

            migrationBuilder.DropColumn(
                name: "next_attempt_at",
                schema: "paliad",
                table: "calendar_bindings");
        }
    }
}
