using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql;
using Paliad.IntegrationTests.Infrastructure;
using static Paliad.IntegrationTests.Persistence.MigrationTests;

namespace Paliad.IntegrationTests.Persistence;

/// <summary>The cut-over: Phase F data inserted at the baseline, then mig 101 applied on top of it.</summary>
public sealed class Mig101BackfillTests
{
    private static readonly Guid Configured = Guid.NewGuid();
    private static readonly Guid Unconfigured = Guid.NewGuid();
    private static readonly Guid ConfiguredWithoutCalendar = Guid.NewGuid();
    private static readonly Guid Hearing = Guid.NewGuid();
    private static readonly Guid Deadline = Guid.NewGuid();
    private static readonly Guid NeverPushed = Guid.NewGuid();
    private static readonly Guid OtherUsersEvent = Guid.NewGuid();
    private static readonly Guid UrlConfigured = Guid.NewGuid();
    private static readonly Guid UrlUsersEvent = Guid.NewGuid();

    private ScratchDatabase _database = null!;

    [OneTimeSetUp]
    public async Task MigrateThroughTheCutOverAsync()
    {
        _database = await TestDatabase.CreateScratchAsync();
        await using var db = ContextFor(_database);
        var migrator = db.GetService<IMigrator>();
        await migrator.MigrateAsync(MigrationId(db, "PhaseFBaseline"));

        await ExecuteAsync(_database, $"""
            INSERT INTO paliad.users (id, email, display_name, created_at) VALUES
                ('{Configured}', 'alice@firm.example', 'Alice', now()),
                ('{Unconfigured}', 'bob@firm.example', 'Bob', now()),
                ('{ConfiguredWithoutCalendar}', 'carol@firm.example', 'Carol', now()),
                ('{UrlConfigured}', 'dave@firm.example', 'Dave', now());
            INSERT INTO paliad.user_caldav_config
                (user_id, server_url, username, password, calendar_path, sync_enabled, sync_interval_minutes, created_at, updated_at) VALUES
                ('{Configured}', 'https://dav.example.com', 'alice', 'enc', '/dav/alice/legacy/', true, 15, now(), now()),
                ('{ConfiguredWithoutCalendar}', 'https://dav.example.com', 'carol', 'enc', NULL, true, 15, now(), now()),
                ('{UrlConfigured}', 'https://dav.example.com', 'dave', 'enc', 'https://dav.example.com/dav/dave/legacy', true, 15, now(), now());
            INSERT INTO paliad.appointments
                (id, owner_id, project_id, title, starts_at, ends_at, all_day, time_zone, created_at, updated_at, version, caldav_uid, caldav_etag) VALUES
                ('{Hearing}', '{Configured}', NULL, 'Hearing', now(), now(), false, 'Europe/Berlin', now(), now(), 1, 'phase-f-hearing', '"etag-h"'),
                ('{Deadline}', '{Configured}', NULL, 'Deadline', now(), now(), true, 'Europe/Berlin', now(), now(), 1, 'phase-f-deadline', '"etag-d"'),
                ('{NeverPushed}', '{Configured}', NULL, 'Fresh', now(), now(), false, 'UTC', now(), now(), 1, NULL, NULL),
                ('{OtherUsersEvent}', '{Unconfigured}', NULL, 'Bob''s', now(), now(), false, 'UTC', now(), now(), 1, 'phase-f-bob', '"etag-b"'),
                ('{UrlUsersEvent}', '{UrlConfigured}', NULL, 'Dave''s', now(), now(), false, 'UTC', now(), now(), 1, 'phase-f-dave', '"etag-v"');
            """);

        await migrator.MigrateAsync(MigrationId(db, "Mig101CalendarBindings"));
    }

    [OneTimeTearDown]
    public async Task DropAsync() => await _database.DisposeAsync();

    [Test]
    public async Task A_configured_user_gets_exactly_one_all_visible_binding_on_the_legacy_calendar()
    {
        var bindings = await RowsAsync($"SELECT calendar_path, scope, scope_id::text, enabled::text, sync_status FROM paliad.calendar_bindings WHERE user_id = '{Configured}'");

        Assert.That(bindings, Has.Count.EqualTo(1));
        Assert.That(bindings[0], Is.EqualTo(new object?[] { "/dav/alice/legacy/", "all_visible", null, "true", "pending" }));
    }

    [Test]
    public async Task Pushed_appointments_become_targets_that_reuse_their_uid_etag_and_phase_f_href()
    {
        var targets = await RowsAsync($"""
            SELECT t.appointment_id::text, t.caldav_uid, t.caldav_etag, t.caldav_href, t.content_hash
            FROM paliad.appointment_targets t JOIN paliad.calendar_bindings b ON b.id = t.binding_id
            WHERE b.user_id = '{Configured}' ORDER BY t.caldav_uid
            """);

        Assert.That(targets, Is.EqualTo(new[]
        {
            new object?[] { Deadline.ToString(), "phase-f-deadline", "\"etag-d\"", "/dav/alice/legacy/phase-f-deadline.ics", null },
            new object?[] { Hearing.ToString(), "phase-f-hearing", "\"etag-h\"", "/dav/alice/legacy/phase-f-hearing.ics", null },
        }));
    }

    [Test]
    public async Task A_legacy_calendar_url_becomes_its_path_and_hrefs_are_concatenated_as_phase_f_did()
    {
        var binding = await RowsAsync($"SELECT calendar_path FROM paliad.calendar_bindings WHERE user_id = '{UrlConfigured}'");
        var target = await RowsAsync($"SELECT caldav_href FROM paliad.appointment_targets WHERE appointment_id = '{UrlUsersEvent}'");

        Assert.That(binding.Single(), Is.EqualTo(new object?[] { "/dav/dave/legacy" }));
        Assert.That(target.Single(), Is.EqualTo(new object?[] { "/dav/dave/legacyphase-f-dave.ics" }));
    }

    [Test]
    public async Task Users_without_a_legacy_calendar_get_nothing()
    {
        var bindings = await RowsAsync($"SELECT id FROM paliad.calendar_bindings WHERE user_id IN ('{Unconfigured}', '{ConfiguredWithoutCalendar}')");
        var targets = await RowsAsync($"SELECT id FROM paliad.appointment_targets WHERE appointment_id = '{OtherUsersEvent}'");

        Assert.That(bindings, Is.Empty);
        Assert.That(targets, Is.Empty);
    }

    [Test]
    public async Task The_legacy_columns_stay_for_back_compat()
    {
        var legacy = await RowsAsync($"SELECT caldav_uid, caldav_etag FROM paliad.appointments WHERE id = '{Hearing}'");

        Assert.That(legacy.Single(), Is.EqualTo(new object?[] { "phase-f-hearing", "\"etag-h\"" }));
    }

    private async Task<List<object?[]>> RowsAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<object?[]>();
        while (await reader.ReadAsync())
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            rows.Add(row);
        }

        return rows;
    }
}
