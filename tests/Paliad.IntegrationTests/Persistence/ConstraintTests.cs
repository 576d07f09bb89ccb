using Npgsql;
using Paliad.Domain.Appointments;
using Paliad.IntegrationTests.Infrastructure;

namespace Paliad.IntegrationTests.Persistence;

/// <summary>Every CHECK constraint refuses a bad row at the database with 23514 and accepts the edge of its range.</summary>
public sealed class ConstraintTests : DatabaseTest
{
    private const string User = "00000000-0000-7000-8000-000000000001";
    private const string Client = "00000000-0000-7000-8000-0000000000c1";
    private const string AppointmentId = "00000000-0000-7000-8000-0000000000a1";
    private const string BindingId = "00000000-0000-7000-8000-0000000000b1";

    private const string Columns = "(id, owner_id, title, starts_at, ends_at, all_day, time_zone, created_at, updated_at, version)";

    public static IEnumerable<TestCaseData> BadRows()
    {
        static TestCaseData Bad(string constraint, string sql) => new TestCaseData(constraint, sql).SetArgDisplayNames(constraint, sql.Length > 60 ? sql[..60] : sql);

        yield return Bad("ck_users_email_has_at", "INSERT INTO paliad.users (id, email, display_name, created_at) VALUES (gen_random_uuid(), 'nobody', 'n', now())");
        yield return Bad("ck_projects_kind", $"INSERT INTO paliad.projects (id, parent_id, kind, name, path, created_at) VALUES (gen_random_uuid(), '{Client}', 'matter', 'M', '/c1/m/', now())");
        yield return Bad("ck_projects_client_is_root", $"INSERT INTO paliad.projects (id, parent_id, kind, name, path, created_at) VALUES (gen_random_uuid(), '{Client}', 'client', 'C', '/x/', now())");
        yield return Bad("ck_projects_client_is_root", "INSERT INTO paliad.projects (id, kind, name, path, created_at) VALUES (gen_random_uuid(), 'litigation', 'L', '/l/', now())");
        yield return Bad("ck_projects_name_not_blank", "INSERT INTO paliad.projects (id, kind, name, path, created_at) VALUES (gen_random_uuid(), 'client', '  ', '/c2/', now())");
        yield return Bad("ck_project_members_role", $"INSERT INTO paliad.project_members (project_id, user_id, role, added_at) VALUES ('{Client}', '{User}', 'admin', now()) ON CONFLICT DO NOTHING");
        yield return Bad("ck_appointments_title_length", $"INSERT INTO paliad.appointments {Columns} VALUES (gen_random_uuid(), '{User}', '', now(), now(), false, 'UTC', now(), now(), 1)");
        yield return Bad("ck_appointments_title_length", $"INSERT INTO paliad.appointments {Columns} VALUES (gen_random_uuid(), '{User}', repeat('x', {Appointment.TitleMaxLength + 1}), now(), now(), false, 'UTC', now(), now(), 1)");
        yield return Bad("ck_appointments_ends_not_before_starts", $"INSERT INTO paliad.appointments {Columns} VALUES (gen_random_uuid(), '{User}', 'T', now(), now() - interval '1 microsecond', false, 'UTC', now(), now(), 1)");
        yield return Bad("ck_appointments_time_zone_not_blank", $"INSERT INTO paliad.appointments {Columns} VALUES (gen_random_uuid(), '{User}', 'T', now(), now(), false, ' ', now(), now(), 1)");
        yield return Bad("ck_user_caldav_config_server_url_http", $"INSERT INTO paliad.user_caldav_config (user_id, server_url, username, sync_enabled, sync_interval_minutes, created_at, updated_at) VALUES ('{User}', 'ftp://dav.example.com', 'u', true, 15, now(), now())");
        yield return Bad("ck_user_caldav_config_sync_interval", $"INSERT INTO paliad.user_caldav_config (user_id, server_url, username, sync_enabled, sync_interval_minutes, created_at, updated_at) VALUES ('{User}', 'https://dav.example.com', 'u', true, 0, now(), now())");
        yield return Bad("ck_user_caldav_config_sync_interval", $"INSERT INTO paliad.user_caldav_config (user_id, server_url, username, sync_enabled, sync_interval_minutes, created_at, updated_at) VALUES ('{User}', 'https://dav.example.com', 'u', true, 1441, now(), now())");
        const string ConfigColumns = "(user_id, server_url, username, sync_enabled, sync_interval_minutes, created_at, updated_at, auth_kind, provider, access_token, password)";
        yield return Bad("ck_user_caldav_config_auth_kind", $"INSERT INTO paliad.user_caldav_config {ConfigColumns} VALUES ('{User}', 'https://dav.example.com', 'u', true, 15, now(), now(), 'oauth', 'google', 'enc', NULL)");
        yield return Bad("ck_user_caldav_config_oauth_grant", $"INSERT INTO paliad.user_caldav_config {ConfigColumns} VALUES ('{User}', 'https://dav.example.com', 'u', true, 15, now(), now(), 'oauth2', NULL, 'enc', NULL)");
        yield return Bad("ck_user_caldav_config_oauth_grant", $"INSERT INTO paliad.user_caldav_config {ConfigColumns} VALUES ('{User}', 'https://dav.example.com', 'u', true, 15, now(), now(), 'oauth2', 'google', 'enc', 'enc:pw')");
        yield return Bad("ck_user_caldav_config_oauth_grant", $"INSERT INTO paliad.user_caldav_config {ConfigColumns} VALUES ('{User}', 'https://dav.example.com', 'u', true, 15, now(), now(), 'basic', 'google', 'enc', NULL)");
        yield return Bad("ck_caldav_oauth_connections_expiry", $"INSERT INTO paliad.caldav_oauth_connections (id, user_id, state_hash, provider, encrypted_code_verifier, redirect_uri, created_at, expires_at) VALUES (gen_random_uuid(), '{User}', 'h', 'google', 'v', 'https://p.example/cb', now(), now())");
        const string FeedColumns = "(id, user_id, display_name, scope, scope_id, secret_hash, created_at, updated_at)";
        var hash = new string('a', 64);
        yield return Bad("ck_calendar_feeds_scope", $"INSERT INTO paliad.calendar_feeds {FeedColumns} VALUES (gen_random_uuid(), '{User}', 'F', 'everything', NULL, '{hash}', now(), now())");
        yield return Bad("ck_calendar_feeds_scope_id", $"INSERT INTO paliad.calendar_feeds {FeedColumns} VALUES (gen_random_uuid(), '{User}', 'F', 'project', NULL, '{hash}', now(), now())");
        yield return Bad("ck_calendar_feeds_scope_id", $"INSERT INTO paliad.calendar_feeds {FeedColumns} VALUES (gen_random_uuid(), '{User}', 'F', 'all_visible', '{Client}', '{hash}', now(), now())");
        yield return Bad("ck_calendar_feeds_display_name_not_blank", $"INSERT INTO paliad.calendar_feeds {FeedColumns} VALUES (gen_random_uuid(), '{User}', '  ', 'all_visible', NULL, '{hash}', now(), now())");
        yield return Bad("ck_calendar_feeds_secret_hash", $"INSERT INTO paliad.calendar_feeds {FeedColumns} VALUES (gen_random_uuid(), '{User}', 'F', 'all_visible', NULL, 'not-a-hash', now(), now())");
        const string KeyColumns = "(user_id, key, fingerprint, started_at, completed_at, status)";
        yield return Bad("ck_idempotency_keys_key_length", $"INSERT INTO paliad.idempotency_keys {KeyColumns} VALUES ('{User}', '', '{hash}', now(), NULL, NULL)");
        yield return Bad("ck_idempotency_keys_fingerprint", $"INSERT INTO paliad.idempotency_keys {KeyColumns} VALUES ('{User}', 'k', 'short', now(), NULL, NULL)");
        yield return Bad("ck_idempotency_keys_status", $"INSERT INTO paliad.idempotency_keys {KeyColumns} VALUES ('{User}', 'k', '{hash}', now(), now(), 600)");
        yield return Bad("ck_idempotency_keys_answer_when_completed", $"INSERT INTO paliad.idempotency_keys {KeyColumns} VALUES ('{User}', 'k', '{hash}', now(), now(), NULL)");
        yield return Bad("ck_calendar_bindings_scope", BindingSql("'everything'", "NULL", "'pending'", "'/c/x/'"));
        yield return Bad("ck_calendar_bindings_scope_id", BindingSql("'all_visible'", $"'{Client}'", "'pending'", "'/c/x/'"));
        yield return Bad("ck_calendar_bindings_scope_id", BindingSql("'personal_only'", $"'{Client}'", "'pending'", "'/c/x/'"));
        yield return Bad("ck_calendar_bindings_scope_id", BindingSql("'project'", "NULL", "'pending'", "'/c/x/'"));
        yield return Bad("ck_calendar_bindings_scope_id", BindingSql("'client'", "NULL", "'pending'", "'/c/x/'"));
        yield return Bad("ck_calendar_bindings_sync_status", BindingSql("'all_visible'", "NULL", "'syncing'", "'/c/x/'"));
        yield return Bad("ck_calendar_bindings_calendar_path_not_blank", BindingSql("'all_visible'", "NULL", "'pending'", "'  '"));
        yield return Bad("ck_calendar_bindings_held_changes_not_negative", $"UPDATE paliad.calendar_bindings SET held_changes = -1 WHERE id = '{BindingId}'");
        yield return Bad("ck_calendar_bindings_held_decision", $"UPDATE paliad.calendar_bindings SET held_decision = 'ignore' WHERE id = '{BindingId}'");
        yield return Bad("ck_appointment_targets_uid_not_blank", $"INSERT INTO paliad.appointment_targets (id, appointment_id, binding_id, caldav_uid, caldav_href) VALUES (gen_random_uuid(), '{AppointmentId}', '{BindingId}', ' ', '/c/x.ics')");
        yield return Bad("ck_caldav_sync_log_status", SyncLogSql("'running'", "0", "now()", "now()"));
        yield return Bad("ck_caldav_sync_log_counts_not_negative", SyncLogSql("'ok'", "-1", "now()", "now()"));
        yield return Bad("ck_outbox_messages_attempts_not_negative",
            "INSERT INTO paliad.outbox_messages (id, type, payload, occurred_at, attempts, next_attempt_at) VALUES (gen_random_uuid(), 'AppointmentCreated', '{}', now(), -1, now())");
        yield return Bad("ck_caldav_sync_log_finished_after_started", SyncLogSql("'ok'", "0", "now()", "now() - interval '1 microsecond'"));
        yield return Bad("ck_caldav_activity_kind",
            $"INSERT INTO paliad.caldav_activity (id, user_id, at, kind, appointment_id, appointment_title, calendar_path, detail) VALUES (gen_random_uuid(), '{User}', now(), 'remote_edit', gen_random_uuid(), 'T', '/c/', 'd')");
    }

    public static IEnumerable<TestCaseData> EdgeRows()
    {
        static TestCaseData Good(string name, string sql) => new TestCaseData(sql).SetArgDisplayNames(name);

        yield return Good("email a@b", "INSERT INTO paliad.users (id, email, display_name, created_at) VALUES (gen_random_uuid(), 'a@b', 'a', now())");
        yield return Good("title of 1 char", $"INSERT INTO paliad.appointments {Columns} VALUES (gen_random_uuid(), '{User}', 'x', now(), now(), false, 'UTC', now(), now(), 1)");
        yield return Good("title of max chars, ends = starts", $"INSERT INTO paliad.appointments {Columns} VALUES (gen_random_uuid(), '{User}', repeat('x', {Appointment.TitleMaxLength}), now(), now(), false, 'UTC', now(), now(), 1)");
        yield return Good("interval 1, http", $"INSERT INTO paliad.user_caldav_config (user_id, server_url, username, sync_enabled, sync_interval_minutes, created_at, updated_at) VALUES ('{User}', 'http://dav.example.com', 'u', true, 1, now(), now())");
        yield return Good("interval 1440, https", $"INSERT INTO paliad.user_caldav_config (user_id, server_url, username, sync_enabled, sync_interval_minutes, created_at, updated_at) VALUES ('{User}', 'HTTPS://dav.example.com/dav/', 'u', true, 1440, now(), now())");
        yield return Good("an oauth2 account", $"INSERT INTO paliad.user_caldav_config (user_id, server_url, username, sync_enabled, sync_interval_minutes, created_at, updated_at, auth_kind, provider, access_token) VALUES ('{User}', 'https://apidata.googleusercontent.com/caldav/v2/', 'u', true, 15, now(), now(), 'oauth2', 'google', 'enc')");
        yield return Good("personal_only without scope_id", BindingSql("'personal_only'", "NULL", "'ok'", "'/c/personal/'"));
        yield return Good("project with scope_id", BindingSql("'project'", $"'{Client}'", "'error'", "'/c/acme/'"));
        yield return Good("client with scope_id", BindingSql("'client'", $"'{Client}'", "'pending'", "'/c/acme-tree/'"));
        yield return Good("held with a decision", $"UPDATE paliad.calendar_bindings SET sync_status = 'held', held_changes = 0, held_decision = 'revert' WHERE id = '{BindingId}'");
        yield return Good("litigation below a client", $"INSERT INTO paliad.projects (id, parent_id, kind, name, path, created_at) VALUES (gen_random_uuid(), '{Client}', 'litigation', 'L', '/c1/l1/', now())");
        yield return Good("sync log with zero counts finishing when started", SyncLogSql("'partial'", "0", "'2026-11-26T10:00:00Z'", "'2026-11-26T10:00:00Z'"));
    }

    [SetUp]
    public async Task SeedAsync()
    {
        await ExecuteAsync($"""
            INSERT INTO paliad.users (id, email, display_name, created_at) VALUES ('{User}', 'alice@firm.example', 'Alice', now());
            INSERT INTO paliad.projects (id, kind, name, path, created_at) VALUES ('{Client}', 'client', 'Acme', '/c1/', now());
            INSERT INTO paliad.appointments {Columns} VALUES ('{AppointmentId}', '{User}', 'Hearing', now(), now(), false, 'UTC', now(), now(), 1);
            INSERT INTO paliad.calendar_bindings (id, user_id, calendar_path, scope, enabled, sync_status, created_at, updated_at)
            VALUES ('{BindingId}', '{User}', '/dav/alice/master/', 'all_visible', true, 'pending', now(), now());
            """);
    }

    [TestCaseSource(nameof(BadRows))]
    public void A_bad_row_is_refused_by_its_check_constraint(string constraint, string sql)
    {
        var error = Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync(sql));

        Assert.That(error!.SqlState, Is.EqualTo(PostgresErrorCodes.CheckViolation));
        Assert.That(error.ConstraintName, Is.EqualTo(constraint));
    }

    [TestCaseSource(nameof(EdgeRows))]
    public async Task The_edge_of_the_good_range_is_accepted(string sql)
    {
        Assert.That(await ExecuteAsync(sql), Is.EqualTo(1));
    }

    [Test]
    public async Task Every_check_constraint_in_the_schema_has_a_bad_row_test()
    {
        var tested = BadRows().Select(c => (string)c.Arguments[0]!).ToHashSet();
        var inSchema = new List<string>();
        await using (var connection = new NpgsqlConnection(TestDatabase.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(
                "SELECT conname FROM pg_constraint WHERE contype = 'c' AND connamespace = 'paliad'::regnamespace ORDER BY conname", connection);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                inSchema.Add(reader.GetString(0));
            }
        }

        Assert.That(inSchema, Is.Not.Empty);
        Assert.That(inSchema.Where(c => !tested.Contains(c)), Is.Empty, "CHECK constraints without a test");
    }

    [Test]
    public void One_calendar_takes_one_binding_per_user()
    {
        var error = Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync(BindingSql("'personal_only'", "NULL", "'pending'", "'/dav/alice/master/'")));

        Assert.That(error!.SqlState, Is.EqualTo(PostgresErrorCodes.UniqueViolation));
        Assert.That(error.ConstraintName, Is.EqualTo("ix_calendar_bindings_user_id_calendar_path"));
    }

    [Test]
    public async Task One_uid_appears_once_per_binding()
    {
        var second = "00000000-0000-7000-8000-0000000000a2";
        await ExecuteAsync($"INSERT INTO paliad.appointments {Columns} VALUES ('{second}', '{User}', 'Second', now(), now(), false, 'UTC', now(), now(), 1)");
        await ExecuteAsync($"INSERT INTO paliad.appointment_targets (id, appointment_id, binding_id, caldav_uid, caldav_href) VALUES (gen_random_uuid(), '{AppointmentId}', '{BindingId}', 'uid-1', '/dav/alice/master/uid-1.ics')");

        var error = Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync(
            $"INSERT INTO paliad.appointment_targets (id, appointment_id, binding_id, caldav_uid, caldav_href) VALUES (gen_random_uuid(), '{second}', '{BindingId}', 'uid-1', '/dav/alice/master/uid-1b.ics')"));

        Assert.That(error!.SqlState, Is.EqualTo(PostgresErrorCodes.UniqueViolation));
        Assert.That(error.ConstraintName, Is.EqualTo("ix_appointment_targets_binding_id_caldav_uid"));
    }

    private static string BindingSql(string scope, string scopeId, string status, string path)
        => $"INSERT INTO paliad.calendar_bindings (id, user_id, calendar_path, scope, scope_id, enabled, sync_status, created_at, updated_at) VALUES (gen_random_uuid(), '{User}', {path}, {scope}, {scopeId}, true, {status}, now(), now())";

    private static string SyncLogSql(string status, string pushed, string startedAt, string finishedAt)
        => $"INSERT INTO paliad.caldav_sync_log (id, user_id, started_at, finished_at, status, pushed, updated, deleted, pulled, conflicts, restored) VALUES (gen_random_uuid(), '{User}', {startedAt}, {finishedAt}, {status}, {pushed}, 0, 0, 0, 0, 0)";
}
