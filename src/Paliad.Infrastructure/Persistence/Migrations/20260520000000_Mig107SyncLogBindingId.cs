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
            // Column, FK and index are each looked for by what they are, not by name, so a database that ran the
            // original SQL migration (with PostgreSQL's default names) is adopted rather than given duplicates.
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
                        SELECT 1 FROM pg_constraint c
                        JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
                        WHERE c.conrelid = 'paliad.caldav_sync_log'::regclass AND c.contype = 'f'
                          AND c.confrelid = 'paliad.calendar_bindings'::regclass AND a.attname = 'binding_id')
                    THEN
                        ALTER TABLE paliad.caldav_sync_log
                            ADD CONSTRAINT fk_caldav_sync_log_calendar_bindings_binding_id
                            FOREIGN KEY (binding_id) REFERENCES paliad.calendar_bindings (id) ON DELETE SET NULL;
                    END IF;

                    IF NOT EXISTS (
                        SELECT 1 FROM pg_index i
                        JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
                        WHERE i.indrelid = 'paliad.caldav_sync_log'::regclass AND a.attname = 'binding_id')
                    THEN
                        CREATE INDEX ix_caldav_sync_log_binding_id_started_at
                            ON paliad.caldav_sync_log (binding_id, started_at DESC);
                    END IF;
                END
                $mig107$;
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
                        SELECT 1 FROM pg_constraint c
                        JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
                        WHERE c.conrelid = 'paliad.caldav_sync_log'::regclass AND c.contype = 'f'
                          AND c.confrelid = 'paliad.calendar_bindings'::regclass AND a.attname = 'binding_id'
                          AND c.confdeltype = 'n')
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
