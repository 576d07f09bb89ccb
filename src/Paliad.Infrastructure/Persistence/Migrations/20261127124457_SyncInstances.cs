using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Paliad.Infrastructure.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class SyncInstances : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "sync_instances",
                schema: "paliad",
                columns: table => new
                {
                    instance_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    last_tick_finished_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    seen_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_sync_instances", x => x.instance_id);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "sync_instances",
                schema: "paliad");
        }
    }
}
