using System.Net;
using Npgsql;
using Paliad.Domain.Appointments;
using Paliad.IntegrationTests.Infrastructure;

namespace Paliad.IntegrationTests.Api;

/// <summary>
/// Every CHECK constraint the API can reach has a validator twin: the API answers 400 naming the field, and the
/// same value written straight to the database fails with 23514 on that constraint.
/// </summary>
public sealed class ValidationTwinTests : ApiTest
{
    private const string Alice = "alice@firm.example";

    private static readonly DateTimeOffset Start = new(2026, 12, 3, 9, 0, 0, TimeSpan.Zero);

    private Guid _acme;

    public sealed record Twin(string Constraint, string Field, string Method, string Path, object Body, string Sql);

    public static IEnumerable<TestCaseData> Twins()
    {
        const string appointmentColumns = "(id, owner_id, title, starts_at, ends_at, all_day, time_zone, created_at, updated_at, version)";
        var owner = UserIdOf(Alice);
        TestCaseData Case(Twin twin) => new TestCaseData(twin).SetArgDisplayNames(twin.Constraint, twin.Field, twin.Body.ToString()![..Math.Min(40, twin.Body.ToString()!.Length)]);

        yield return Case(new Twin("ck_appointments_title_length", "title", "POST", "/api/appointments",
            new { title = "", startsAt = Start, endsAt = Start },
            $"INSERT INTO paliad.appointments {appointmentColumns} VALUES (gen_random_uuid(), '{owner}', '', now(), now(), false, 'UTC', now(), now(), 1)"));
        yield return Case(new Twin("ck_appointments_title_length", "title", "POST", "/api/appointments",
            new { title = new string('x', Appointment.TitleMaxLength + 1), startsAt = Start, endsAt = Start },
            $"INSERT INTO paliad.appointments {appointmentColumns} VALUES (gen_random_uuid(), '{owner}', repeat('x', {Appointment.TitleMaxLength + 1}), now(), now(), false, 'UTC', now(), now(), 1)"));
        yield return Case(new Twin("ck_appointments_ends_not_before_starts", "endsAt", "POST", "/api/appointments",
            new { title = "Hearing", startsAt = Start, endsAt = Start.AddMinutes(-1) },
            $"INSERT INTO paliad.appointments {appointmentColumns} VALUES (gen_random_uuid(), '{owner}', 'Hearing', now(), now() - interval '1 minute', false, 'UTC', now(), now(), 1)"));
        yield return Case(new Twin("ck_appointments_time_zone_not_blank", "timeZone", "POST", "/api/appointments",
            new { title = "Hearing", startsAt = Start, endsAt = Start, timeZone = " " },
            $"INSERT INTO paliad.appointments {appointmentColumns} VALUES (gen_random_uuid(), '{owner}', 'Hearing', now(), now(), false, ' ', now(), now(), 1)"));
        yield return Case(new Twin("ck_projects_kind", "kind", "POST", "/api/projects",
            new { name = "Matter", kind = "matter" },
            "INSERT INTO paliad.projects (id, parent_id, kind, name, path, created_at) VALUES (gen_random_uuid(), '{acme}', 'matter', 'Matter', '/m/', now())"));
        yield return Case(new Twin("ck_projects_client_is_root", "parentId", "POST", "/api/projects",
            new { name = "Orphan", kind = "litigation" },
            "INSERT INTO paliad.projects (id, kind, name, path, created_at) VALUES (gen_random_uuid(), 'litigation', 'Orphan', '/o/', now())"));
        yield return Case(new Twin("ck_projects_name_not_blank", "name", "POST", "/api/projects",
            new { name = "   ", kind = "client" },
            "INSERT INTO paliad.projects (id, kind, name, path, created_at) VALUES (gen_random_uuid(), 'client', '   ', '/b/', now())"));
        yield return Case(new Twin("ck_project_members_role", "role", "POST", "/api/projects/{acme}/members",
            new { userId = UserIdOf("bob@firm.example"), role = "admin" },
            $"INSERT INTO paliad.project_members (project_id, user_id, role, added_at) VALUES ('{{acme}}', '{owner}', 'admin', now()) ON CONFLICT DO NOTHING"));
        yield return Case(new Twin("ck_user_caldav_config_server_url_http", "serverUrl", "PUT", "/api/caldav-config",
            new { serverUrl = "ftp://dav.example.com/", username = "alice" },
            $"INSERT INTO paliad.user_caldav_config (user_id, server_url, username, sync_enabled, sync_interval_minutes, created_at, updated_at) VALUES ('{owner}', 'ftp://dav.example.com/', 'alice', true, 15, now(), now())"));
        yield return Case(new Twin("ck_user_caldav_config_sync_interval", "syncIntervalMinutes", "PUT", "/api/caldav-config",
            new { serverUrl = "https://dav.example.com/", username = "alice", syncIntervalMinutes = 0 },
            $"INSERT INTO paliad.user_caldav_config (user_id, server_url, username, sync_enabled, sync_interval_minutes, created_at, updated_at) VALUES ('{owner}', 'https://dav.example.com/', 'alice', true, 0, now(), now())"));
        yield return Case(new Twin("ck_user_caldav_config_sync_interval", "syncIntervalMinutes", "PUT", "/api/caldav-config",
            new { serverUrl = "https://dav.example.com/", username = "alice", syncIntervalMinutes = 1441 },
            $"INSERT INTO paliad.user_caldav_config (user_id, server_url, username, sync_enabled, sync_interval_minutes, created_at, updated_at) VALUES ('{owner}', 'https://dav.example.com/', 'alice', true, 1441, now(), now())"));
        yield return Case(new Twin("ck_calendar_bindings_scope", "scope", "POST", "/api/caldav-bindings",
            new { calendarPath = "/dav/alice/x/", scope = "everything" },
            BindingSql(owner, "'everything'", "NULL", "'/dav/alice/x/'")));
        yield return Case(new Twin("ck_calendar_bindings_scope_id", "scopeId", "POST", "/api/caldav-bindings",
            new { calendarPath = "/dav/alice/x/", scope = "all_visible", scopeId = "{acme}" },
            BindingSql(owner, "'all_visible'", "'{acme}'", "'/dav/alice/x/'")));
        yield return Case(new Twin("ck_calendar_bindings_scope_id", "scopeId", "POST", "/api/caldav-bindings",
            new { calendarPath = "/dav/alice/x/", scope = "project" },
            BindingSql(owner, "'project'", "NULL", "'/dav/alice/x/'")));
        yield return Case(new Twin("ck_calendar_bindings_calendar_path_not_blank", "calendarPath", "POST", "/api/caldav-bindings",
            new { calendarPath = "  ", scope = "all_visible" },
            BindingSql(owner, "'all_visible'", "NULL", "'  '")));
    }

    [SetUp]
    public async Task SignInAsync()
    {
        _acme = await CreateProjectAsync(As(Alice), "Acme GmbH", "client");
    }

    [TestCaseSource(nameof(Twins))]
    public async Task The_api_names_the_field_and_the_database_refuses_the_same_value(Twin twin)
    {
        var path = twin.Path.Replace("{acme}", _acme.ToString(), StringComparison.Ordinal);
        var json = System.Text.Json.JsonSerializer.Serialize(twin.Body).Replace("{acme}", _acme.ToString(), StringComparison.Ordinal);
        using var request = new HttpRequestMessage(new HttpMethod(twin.Method), path)
        {
            Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json"),
        };

        var problem = await ExpectAsync(As(Alice).SendAsync(request), HttpStatusCode.BadRequest);
        var refused = Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync(twin.Sql.Replace("{acme}", _acme.ToString(), StringComparison.Ordinal)));

        Assert.That(FieldErrors(problem, twin.Field), Is.Not.Empty, problem.ToString());
        Assert.That(refused!.SqlState, Is.EqualTo(PostgresErrorCodes.CheckViolation));
        Assert.That(refused.ConstraintName, Is.EqualTo(twin.Constraint));
    }

    [Test]
    public async Task The_edges_of_the_good_ranges_are_accepted_by_the_api()
    {
        await CreateAppointmentAsync(As(Alice), new string('x', Appointment.TitleMaxLength));
        await CreateAppointmentAsync(As(Alice), "x");
        await ExpectAsync(PostAsync(As(Alice), "/api/appointments", new { title = "Zero length", startsAt = Start, endsAt = Start }), HttpStatusCode.Created);
        await ExpectAsync(PutAsync(As(Alice), "/api/caldav-config", new { serverUrl = "http://dav.example.com", username = "alice", syncIntervalMinutes = 1 }), HttpStatusCode.OK);
        await ExpectAsync(PutAsync(As(Alice), "/api/caldav-config", new { serverUrl = "https://dav.example.com", username = "alice", syncIntervalMinutes = 1440 }), HttpStatusCode.OK);
    }

    [Test]
    public async Task A_malformed_value_is_a_400_naming_the_field_not_a_500()
    {
        using var post = new StringContent("""{"title":"Hearing","startsAt":"next tuesday","endsAt":"2026-12-03T10:00:00Z"}""", System.Text.Encoding.UTF8, "application/json");
        var problem = await ExpectAsync(As(Alice).PostAsync(new Uri("/api/appointments", UriKind.Relative), post), HttpStatusCode.BadRequest);
        Assert.That(FieldErrors(problem, "startsAt"), Is.Not.Empty, problem.ToString());

        var appointment = await CreateAppointmentAsync(As(Alice), "Hearing");
        var patch = await ExpectAsync(PatchAsync(As(Alice), $"/api/appointments/{appointment}", new { allDay = "sometimes", endsAt = 5 }), HttpStatusCode.BadRequest);
        Assert.That(FieldErrors(patch, "allDay"), Is.Not.Empty, patch.ToString());
        Assert.That(FieldErrors(patch, "endsAt"), Is.Not.Empty, patch.ToString());
    }

    [Test]
    public async Task A_patch_that_would_end_before_the_start_is_refused_naming_endsAt()
    {
        var appointment = await CreateAppointmentAsync(As(Alice), "Hearing", startsAt: Start);

        var problem = await ExpectAsync(PatchAsync(As(Alice), $"/api/appointments/{appointment}", new { endsAt = Start.AddHours(-1) }), HttpStatusCode.BadRequest);

        Assert.That(FieldErrors(problem, "endsAt"), Is.Not.Empty, problem.ToString());
    }

    private static string BindingSql(Guid owner, string scope, string scopeId, string path)
        => $"INSERT INTO paliad.calendar_bindings (id, user_id, calendar_path, scope, scope_id, enabled, sync_status, created_at, updated_at) VALUES (gen_random_uuid(), '{owner}', {path}, {scope}, {scopeId}, true, 'pending', now(), now())";
}
