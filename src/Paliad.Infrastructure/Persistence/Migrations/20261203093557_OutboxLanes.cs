using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Paliad.Infrastructure.Persistence.Migrations
{
    /// <summary>Outbox lanes as a column, so claims can take one message per user lane in flight, lane by lane. Messages
    /// already written get the lane the processor used to derive from their payload (the user they concern), else
    /// their own id.</summary>
    public partial class OutboxLanes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "lane",
                schema: "paliad",
                table: "outbox_messages",
                type: "uuid",
                nullable: false,
                defaultValue: new Guid("00000000-0000-0000-0000-000000000000"));

            migrationBuilder.Sql("""
                UPDATE paliad.outbox_messages
                SET lane = COALESCE(
                    (payload->>'ownerId')::uuid, (payload->>'userId')::uuid, (payload->'subject'->>'userId')::uuid,
                    (payload->>'creatorId')::uuid, id);
                """);

            migrationBuilder.CreateIndex(
                name: "ix_outbox_messages_lane_pending",
                schema: "paliad",
                table: "outbox_messages",
                columns: new[] { "lane", "occurred_at" },
                filter: "processed_at IS NULL AND dead_at IS NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_outbox_messages_lane_pending",
                schema: "paliad",
                table: "outbox_messages");

            migrationBuilder.DropColumn(
                name: "lane",
                schema: "paliad",
                table: "outbox_messages");
        }
    }
}
