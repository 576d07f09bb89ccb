using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql;
using Paliad.Infrastructure.Persistence;
using Paliad.IntegrationTests.Infrastructure;

namespace Paliad.IntegrationTests.Persistence;

/// <summary>The schema history: each test migrates its own scratch database.</summary>
public sealed class MigrationTests
{
    private static readonly string[] AllTables =
    [
        "appointment_targets", "appointments", "caldav_activity", "caldav_oauth_connections", "caldav_sync_log", "calendar_bindings", "calendar_feeds", "data_protection_keys", "idempotency_keys",
        "outbox_messages", "project_members", "projects", "sync_instances", "user_caldav_config", "users",
    ];

    private static readonly string[] PhaseFTables =
        ["appointments", "caldav_sync_log", "project_members", "projects", "user_caldav_config", "users"];

    internal static PaliadDbContext ContextFor(ScratchDatabase database)
        => new(PaliadDatabase.OptionsFor(database.ConnectionString));

    internal static string MigrationId(PaliadDbContext db, string name)
        => db.Database.GetMigrations().Single(id => id.EndsWith("_" + name, StringComparison.Ordinal));

    [Test]
    public async Task The_history_starts_with_Phase_F_then_mig_101_then_mig_107_in_order()
    {
        await using var database = await TestDatabase.CreateScratchAsync();
        await using var db = ContextFor(database);

        var names = db.Database.GetMigrations().Select(id => id[(id.IndexOf('_', StringComparison.Ordinal) + 1)..]);

        Assert.That(names.Take(3), Is.EqualTo(new[] { "PhaseFBaseline", "Mig101CalendarBindings", "Mig107SyncLogBindingId" }));
        Assert.That(db.Database.GetMigrations(), Is.Ordered.Using((IComparer<string>)StringComparer.Ordinal));
    }

    [Test]
    public async Task The_model_has_no_changes_that_a_migration_does_not_carry()
    {
        await using var database = await TestDatabase.CreateScratchAsync();
        await using var db = ContextFor(database);

        Assert.That(db.Database.HasPendingModelChanges(), Is.False);
    }

    [Test]
    public async Task Every_migration_goes_up_from_empty_down_to_the_start_and_up_again()
    {
        await using var database = await TestDatabase.CreateScratchAsync();
        await using var db = ContextFor(database);
        var migrator = db.GetService<IMigrator>();

        await migrator.MigrateAsync();
        Assert.That(await TablesAsync(database), Is.EqualTo(AllTables));
        Assert.That(await ColumnExistsAsync(database, "caldav_sync_log", "binding_id"), Is.True);

        await migrator.MigrateAsync(Migration.InitialDatabase);
        Assert.That(await TablesAsync(database), Is.Empty);
        Assert.That(await db.Database.GetAppliedMigrationsAsync(), Is.Empty);

        await migrator.MigrateAsync();
        Assert.That(await TablesAsync(database), Is.EqualTo(AllTables));
        Assert.That(await db.Database.GetAppliedMigrationsAsync(), Is.EqualTo(db.Database.GetMigrations()));
    }

    [Test]
    public async Task Each_migration_down_removes_exactly_what_it_added()
    {
        await using var database = await TestDatabase.CreateScratchAsync();
        await using var db = ContextFor(database);
        var migrator = db.GetService<IMigrator>();
        await migrator.MigrateAsync();

        await migrator.MigrateAsync(MigrationId(db, "CalendarFeeds"));
        Assert.That(await TablesAsync(database), Is.EqualTo(AllTables.Where(t => t != "idempotency_keys")));

        await migrator.MigrateAsync(MigrationId(db, "OAuthAccounts"));
        Assert.That(await TablesAsync(database), Is.EqualTo(AllTables.Where(t => t is not ("calendar_feeds" or "idempotency_keys"))));

        await migrator.MigrateAsync(MigrationId(db, "CalendarEditsPulled"));
        var beforeOAuth = AllTables.Where(t => t is not ("caldav_oauth_connections" or "calendar_feeds" or "idempotency_keys")).ToArray();
        Assert.That(await TablesAsync(database), Is.EqualTo(beforeOAuth));
        Assert.That(await ColumnExistsAsync(database, "user_caldav_config", "auth_kind"), Is.False);
        Assert.That(await ColumnExistsAsync(database, "user_caldav_config", "refresh_token"), Is.False);

        await migrator.MigrateAsync(MigrationId(db, "SyncInstances"));
        Assert.That(await ColumnExistsAsync(database, "sync_instances", "clock_offset_seconds"), Is.False);
        Assert.That(await TablesAsync(database), Is.EqualTo(beforeOAuth));

        await migrator.MigrateAsync(MigrationId(db, "PushMark"));
        Assert.That(await TablesAsync(database), Is.EqualTo(beforeOAuth.Where(t => t is not ("caldav_activity" or "sync_instances"))));
        Assert.That(await ColumnExistsAsync(database, "appointment_targets", "foreign_parts"), Is.False);

        await migrator.MigrateAsync(MigrationId(db, "Mig101CalendarBindings"));
        Assert.That(await TablesAsync(database), Is.EqualTo(beforeOAuth.Where(t => t is not ("data_protection_keys" or "outbox_messages" or "caldav_activity" or "sync_instances"))));
        Assert.That(await ColumnExistsAsync(database, "caldav_sync_log", "binding_id"), Is.False);

        await migrator.MigrateAsync(MigrationId(db, "PhaseFBaseline"));
        Assert.That(await TablesAsync(database), Is.EqualTo(PhaseFTables));
        Assert.That(await ColumnExistsAsync(database, "appointments", "caldav_uid"), Is.True);
        Assert.That(await ColumnExistsAsync(database, "user_caldav_config", "calendar_path"), Is.True);
    }

    [Test]
    public async Task Mig_107_down_and_up_keeps_the_log_rows_and_restores_the_set_null_foreign_key()
    {
        await using var database = await TestDatabase.CreateScratchAsync();
        await using var db = ContextFor(database);
        var migrator = db.GetService<IMigrator>();
        await migrator.MigrateAsync();
        var userId = Guid.NewGuid();
        await ExecuteAsync(database, $"""
            INSERT INTO paliad.users (id, email, display_name, created_at) VALUES ('{userId}', 'a@firm.example', 'a', now());
            INSERT INTO paliad.caldav_sync_log (id, user_id, started_at, finished_at, status, pushed, updated, deleted, pulled, conflicts, restored)
            VALUES (gen_random_uuid(), '{userId}', now(), now(), 'ok', 1, 0, 0, 0, 0, 0);
            """);

        await migrator.MigrateAsync(MigrationId(db, "Mig101CalendarBindings"));
        Assert.That(await ColumnExistsAsync(database, "caldav_sync_log", "binding_id"), Is.False);
        Assert.That(await IndexExistsAsync(database, "ix_caldav_sync_log_binding_id_started_at"), Is.False);

        await migrator.MigrateAsync(MigrationId(db, "Mig107SyncLogBindingId"));
        Assert.That(await ColumnExistsAsync(database, "caldav_sync_log", "binding_id"), Is.True);
        Assert.That(await IndexExistsAsync(database, "ix_caldav_sync_log_binding_id_started_at"), Is.True);
        Assert.That(
            await ScalarAsync<string>(database, "SELECT confdeltype::text FROM pg_constraint WHERE conname = 'fk_caldav_sync_log_calendar_bindings_binding_id'"),
            Is.EqualTo("n"),
            "ON DELETE SET NULL");
        Assert.That(await ScalarAsync<long>(database, "SELECT count(*) FROM paliad.caldav_sync_log WHERE binding_id IS NULL"), Is.EqualTo(1));
    }

    [Test]
    public async Task Accounts_saved_before_oauth_existed_become_basic_ones_and_keep_their_password()
    {
        await using var database = await TestDatabase.CreateScratchAsync();
        await using var db = ContextFor(database);
        var migrator = db.GetService<IMigrator>();
        await migrator.MigrateAsync(MigrationId(db, "CalendarEditsPulled"));
        var userId = Guid.NewGuid();
        await ExecuteAsync(database, $"""
            INSERT INTO paliad.users (id, email, display_name, created_at) VALUES ('{userId}', 'a@firm.example', 'a', now());
            INSERT INTO paliad.user_caldav_config (user_id, server_url, username, password, sync_enabled, sync_interval_minutes, created_at, updated_at)
            VALUES ('{userId}', 'https://dav.example.com/', 'a', 'enc:pw', true, 15, now(), now());
            """);

        await migrator.MigrateAsync();

        Assert.That(await ScalarAsync<string>(database, "SELECT auth_kind || ':' || password || ':' || needs_reconnect FROM paliad.user_caldav_config"),
            Is.EqualTo("basic:enc:pw:false"));
    }

    [Test]
    public async Task Mig_107_adopts_a_binding_id_column_that_the_original_sql_created_under_other_names()
    {
        await using var database = await TestDatabase.CreateScratchAsync();
        await using var db = ContextFor(database);
        var migrator = db.GetService<IMigrator>();
        await migrator.MigrateAsync(MigrationId(db, "Mig101CalendarBindings"));
        await ExecuteAsync(database, """
            ALTER TABLE paliad.caldav_sync_log ADD COLUMN binding_id uuid NULL REFERENCES paliad.calendar_bindings (id) ON DELETE SET NULL;
            CREATE INDEX caldav_sync_log_binding_idx ON paliad.caldav_sync_log (binding_id);
            """);

        await migrator.MigrateAsync(MigrationId(db, "Mig107SyncLogBindingId"));

        Assert.That(
            await ScalarAsync<long>(database, "SELECT count(*) FROM pg_constraint WHERE conrelid = 'paliad.caldav_sync_log'::regclass AND contype = 'f' AND confrelid = 'paliad.calendar_bindings'::regclass"),
            Is.EqualTo(1));
        Assert.That(
            await ScalarAsync<long>(database, "SELECT count(*) FROM pg_indexes WHERE schemaname = 'paliad' AND tablename = 'caldav_sync_log' AND indexdef LIKE '%(binding_id%'"),
            Is.EqualTo(1));
    }

    [Test]
    public async Task Mig_107_up_sql_runs_twice_without_error()
    {
        await using var database = await TestDatabase.CreateScratchAsync();
        await using var db = ContextFor(database);
        await db.GetService<IMigrator>().MigrateAsync();
        var migrations = db.GetService<IMigrationsAssembly>();
        var mig107 = migrations.CreateMigration(migrations.Migrations[MigrationId(db, "Mig107SyncLogBindingId")], db.Database.ProviderName!);
        var commands = db.GetService<IMigrationsSqlGenerator>().Generate(mig107.UpOperations, db.Model);

        foreach (var command in commands)
        {
            await ExecuteAsync(database, command.CommandText);
        }

        Assert.That(await ColumnExistsAsync(database, "caldav_sync_log", "binding_id"), Is.True);
        Assert.That(
            await ScalarAsync<long>(database, "SELECT count(*) FROM pg_constraint WHERE conname = 'fk_caldav_sync_log_calendar_bindings_binding_id'"),
            Is.EqualTo(1));
    }

    [Test]
    public async Task The_idempotent_script_applies_twice_to_one_database()
    {
        await using var database = await TestDatabase.CreateScratchAsync();
        await using var db = ContextFor(database);
        var script = db.GetService<IMigrator>().GenerateScript(options: MigrationsSqlGenerationOptions.Idempotent);

        await ExecuteAsync(database, script);
        await ExecuteAsync(database, script);

        Assert.That(await TablesAsync(database), Is.EqualTo(AllTables));
        Assert.That(await db.Database.GetAppliedMigrationsAsync(), Is.EqualTo(db.Database.GetMigrations()));
        Assert.That(await db.Database.GetPendingMigrationsAsync(), Is.Empty);
    }

    internal static async Task<List<string>> TablesAsync(ScratchDatabase database)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'paliad' AND table_name <> '__EFMigrationsHistory' ORDER BY table_name",
            connection);
        var tables = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            tables.Add(reader.GetString(0));
        }

        return tables;
    }

    internal static async Task<bool> ColumnExistsAsync(ScratchDatabase database, string table, string column)
        => await ScalarAsync<long>(
            database,
            $"SELECT count(*) FROM information_schema.columns WHERE table_schema = 'paliad' AND table_name = '{table}' AND column_name = '{column}'") == 1;

    private static async Task<bool> IndexExistsAsync(ScratchDatabase database, string index)
        => await ScalarAsync<long>(database, $"SELECT count(*) FROM pg_indexes WHERE schemaname = 'paliad' AND indexname = '{index}'") == 1;

    internal static async Task ExecuteAsync(ScratchDatabase database, string sql)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    internal static async Task<T?> ScalarAsync<T>(ScratchDatabase database, string sql)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        var result = await command.ExecuteScalarAsync();
        return result is null or DBNull ? default : (T)result;
    }
}
