using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Paliad.Infrastructure.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class BindingLeases : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "lease_expires_at",
                schema: "paliad",
                table: "calendar_bindings",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "lease_owner",
                schema: "paliad",
                table: "calendar_bindings",
                type: "character varying(200)",
                maxLength: 200,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "lease_expires_at",
                schema: "paliad",
                table: "calendar_bindings");

            migrationBuilder.DropColumn(
                name: "lease_owner",
                schema: "paliad",
                table: "calendar_bindings");
        }
    }
}
