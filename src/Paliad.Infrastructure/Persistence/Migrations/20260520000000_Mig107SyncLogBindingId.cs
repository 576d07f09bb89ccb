using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Paliad.Infrastructure.Persistence.Migrations
{
    /// <summary>
    /// Mig 107: caldav_sync_log.binding_id, nullable, FK ON DELETE SET NULL so the audit survives binding deletes,
    /// with a per-binding index for the read path. Written as the original SQL migration was: idempotent when run
    /// as a script (column-exists DO block) and closed by an assertion that the column and the FK exist.
    /// </summary>
    public partial class Mig107SyncLogBindingId : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DO $mig107$
                BEGIN
                    IF NOT EXISTS (
                        SELECT 1 FROM information_schema.columns
                        WHERE table_schema = 'paliad' AND table_name = 'caldav_sync_log' AND column_name = 'binding_id')
                    THEN
                        ALTER TABLE paliad.caldav_sync_log ADD COLUMN binding_id uuid NULL;
                    END IF;

                    IF NOT EXISTS (
                        SELECT 1 FROM pg_constraint
                        WHERE conname = 'fk_caldav_sync_log_calendar_bindings_binding_id'
                          AND conrelid = 'paliad.caldav_sync_log'::regclass)
                    THEN
                        ALTER TABLE paliad.caldav_sync_log
                            ADD CONSTRAINT fk_caldav_sync_log_calendar_bindings_binding_id
                            FOREIGN KEY (binding_id) REFERENCES paliad.calendar_bindings (id) ON DELETE SET NULL;
                    END IF;
                END
                $mig107$;
                """);

            migrationBuilder.Sql("""
                CREATE INDEX IF NOT EXISTS ix_caldav_sync_log_binding_id_started_at
                    ON paliad.caldav_sync_log (binding_id, started_at DESC);
                """);

            migrationBuilder.Sql("""
                DO $mig107_assert$
                BEGIN
                    IF NOT EXISTS (
                        SELECT 1 FROM information_schema.columns
                        WHERE table_schema = 'paliad' AND table_name = 'caldav_sync_log'
                          AND column_name = 'binding_id' AND is_nullable = 'YES')
                    THEN
                        RAISE EXCEPTION 'mig 107: paliad.caldav_sync_log.binding_id is missing or NOT NULL';
                    END IF;

                    IF NOT EXISTS (
                        SELECT 1 FROM pg_constraint
                        WHERE conname = 'fk_caldav_sync_log_calendar_bindings_binding_id'
                          AND conrelid = 'paliad.caldav_sync_log'::regclass
                          AND contype = 'f' AND confdeltype = 'n')
                    THEN
                        RAISE EXCEPTION 'mig 107: FK caldav_sync_log.binding_id -> calendar_bindings ON DELETE SET NULL is missing';
                    END IF;
                END
                $mig107_assert$;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // The index and the FK go with the column.
            migrationBuilder.Sql("ALTER TABLE paliad.caldav_sync_log DROP COLUMN IF EXISTS binding_id;");
        }
    }
}
