using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Paliad.Infrastructure.Persistence.Migrations
{
    /// <summary>The fan-out event of a tick's pulled edits is renamed RemoteEditsApplied → CalendarEditsPulled (apart from
    /// the activity line RemoteEditApplied): messages waiting in the outbox under the old name keep being handled.</summary>
    public partial class CalendarEditsPulled : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("UPDATE paliad.outbox_messages SET type = 'CalendarEditsPulled' WHERE type = 'RemoteEditsApplied';");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("UPDATE paliad.outbox_messages SET type = 'RemoteEditsApplied' WHERE type = 'CalendarEditsPulled';");
        }
    }
}
