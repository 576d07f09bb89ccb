using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Paliad.Infrastructure.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class IdempotencyKeys : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The model also maps PostgreSQL's xmin system column (the row version behind the API's ETags) on
            // calendar_bindings, user_caldav_config, projects and calendar_feeds: a system column, nothing to create.
            migrationBuilder.CreateTable(
                name: "idempotency_keys",
                schema: "paliad",
                columns: table => new
                {
                    user_id = table.Column<Guid>(type: "uuid", nullable: false),
                    key = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    fingerprint = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    started_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    completed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    status = table.Column<int>(type: "integer", nullable: true),
                    content_type = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    location = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    etag = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    body = table.Column<byte[]>(type: "bytea", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_idempotency_keys", x => new { x.user_id, x.key });
                    table.CheckConstraint("ck_idempotency_keys_answer_when_completed", "(completed_at IS NULL) = (status IS NULL)");
                    table.CheckConstraint("ck_idempotency_keys_fingerprint", "char_length(fingerprint) = 64");
                    table.CheckConstraint("ck_idempotency_keys_key_length", "char_length(key) BETWEEN 1 AND 255");
                    table.CheckConstraint("ck_idempotency_keys_status", "status IS NULL OR status BETWEEN 100 AND 599");
                });

            migrationBuilder.CreateIndex(
                name: "ix_idempotency_keys_started_at",
                schema: "paliad",
                table: "idempotency_keys",
                column: "started_at");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "idempotency_keys",
                schema: "paliad");
        }
    }
}
