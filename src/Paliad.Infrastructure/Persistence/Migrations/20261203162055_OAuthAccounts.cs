using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Paliad.Infrastructure.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class OAuthAccounts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "access_token",
                schema: "paliad",
                table: "user_caldav_config",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "access_token_expires_at",
                schema: "paliad",
                table: "user_caldav_config",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "auth_kind",
                schema: "paliad",
                table: "user_caldav_config",
                type: "character varying(32)",
                maxLength: 32,
                nullable: false,
                defaultValue: "basic"); // every account before this one signed in with a password

            migrationBuilder.AddColumn<bool>(
                name: "needs_reconnect",
                schema: "paliad",
                table: "user_caldav_config",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "provider",
                schema: "paliad",
                table: "user_caldav_config",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "refresh_token",
                schema: "paliad",
                table: "user_caldav_config",
                type: "text",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "caldav_oauth_connections",
                schema: "paliad",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    user_id = table.Column<Guid>(type: "uuid", nullable: false),
                    state_hash = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    provider = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    encrypted_code_verifier = table.Column<string>(type: "text", nullable: false),
                    redirect_uri = table.Column<string>(type: "character varying(2048)", maxLength: 2048, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    expires_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_caldav_oauth_connections", x => x.id);
                    table.CheckConstraint("ck_caldav_oauth_connections_expiry", "expires_at > created_at");
                    table.ForeignKey(
                        name: "fk_caldav_oauth_connections_users_user_id",
                        column: x => x.user_id,
                        principalSchema: "paliad",
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.AddCheckConstraint(
                name: "ck_user_caldav_config_auth_kind",
                schema: "paliad",
                table: "user_caldav_config",
                sql: "auth_kind IN ('basic', 'oauth2')");

            migrationBuilder.AddCheckConstraint(
                name: "ck_user_caldav_config_oauth_grant",
                schema: "paliad",
                table: "user_caldav_config",
                sql: "(auth_kind = 'oauth2') = (provider IS NOT NULL AND access_token IS NOT NULL AND password IS NULL)");

            migrationBuilder.CreateIndex(
                name: "ix_caldav_oauth_connections_state_hash",
                schema: "paliad",
                table: "caldav_oauth_connections",
                column: "state_hash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_caldav_oauth_connections_user_id",
                schema: "paliad",
                table: "caldav_oauth_connections",
                column: "user_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "caldav_oauth_connections",
                schema: "paliad");

            migrationBuilder.DropCheckConstraint(
                name: "ck_user_caldav_config_auth_kind",
                schema: "paliad",
                table: "user_caldav_config");

            migrationBuilder.DropCheckConstraint(
                name: "ck_user_caldav_config_oauth_grant",
                schema: "paliad",
                table: "user_caldav_config");

            migrationBuilder.DropColumn(
                name: "access_token",
                schema: "paliad",
                table: "user_caldav_config");

            migrationBuilder.DropColumn(
                name: "access_token_expires_at",
                schema: "paliad",
                table: "user_caldav_config");

            migrationBuilder.DropColumn(
                name: "auth_kind",
                schema: "paliad",
                table: "user_caldav_config");

            migrationBuilder.DropColumn(
                name: "needs_reconnect",
                schema: "paliad",
                table: "user_caldav_config");

            migrationBuilder.DropColumn(
                name: "provider",
                schema: "paliad",
                table: "user_caldav_config");

            migrationBuilder.DropColumn(
                name: "refresh_token",
                schema: "paliad",
                table: "user_caldav_config");
        }
    }
}
