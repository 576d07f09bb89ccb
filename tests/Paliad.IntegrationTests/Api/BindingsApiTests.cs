using System.Net;
using System.Text.Json;
using Paliad.IntegrationTests.Infrastructure;

namespace Paliad.IntegrationTests.Api;

public sealed class BindingsApiTests : ApiTest
{
    private const string Alice = "alice@firm.example";

    [Test]
    public async Task Create_answers_201_with_a_location_and_the_binding_json()
    {
        var alice = As(Alice);
        var acme = await CreateProjectAsync(alice, "Acme GmbH", "client");

        using var response = await PostAsync(alice, "/api/caldav-bindings", new { calendarPath = "/dav/alice/acme/", displayName = "Acme", scope = "client", scopeId = acme });
        var binding = await ReadJsonAsync(response);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        Assert.That(response.Headers.Location!.ToString(), Is.EqualTo($"/api/caldav-bindings/{binding.GetProperty("id").GetGuid()}"));
        Assert.That(binding.EnumerateObject().Select(p => p.Name), Is.EqualTo(new[]
        {
            "id", "calendarPath", "displayName", "scope", "scopeId", "enabled", "syncStatus", "lastSyncAt", "lastSyncError", "lastSyncErrorDetail", "createdAt", "updatedAt", "heldChanges", "etag",
        }));
        Assert.That(binding.GetProperty("scope").GetString(), Is.EqualTo("client"));
        Assert.That(binding.GetProperty("scopeId").GetGuid(), Is.EqualTo(acme));
        Assert.That(binding.GetProperty("enabled").GetBoolean(), Is.True);
        Assert.That(binding.GetProperty("syncStatus").GetString(), Is.EqualTo("pending"));
        Assert.That(binding.GetProperty("createdAt").GetString(), Does.EndWith("Z"));
    }

    [Test]
    public async Task A_second_binding_on_the_same_calendar_is_a_409()
    {
        var alice = As(Alice);
        await CreateBindingAsync(alice, "/dav/alice/master/", "all_visible");

        await ExpectAsync(PostAsync(alice, "/api/caldav-bindings", new { calendarPath = "/dav/alice/master/", scope = "personal_only" }), HttpStatusCode.Conflict);
        await ExpectAsync(PostAsync(alice, "/api/caldav-bindings", new { calendarPath = "/dav/alice/master", scope = "personal_only" }), HttpStatusCode.Conflict);
        var other = await CreateBindingAsync(alice, "/dav/alice/other/", "personal_only");
        await ExpectAsync(PatchAsync(alice, $"/api/caldav-bindings/{other}", new { calendarPath = "/dav/alice/master/" }), HttpStatusCode.Conflict);
    }

    [Test]
    public async Task The_same_calendar_path_may_be_bound_by_two_users()
    {
        await CreateBindingAsync(As(Alice), "/calendars/shared/", "all_visible");

        await CreateBindingAsync(As("bob@firm.example"), "/calendars/shared/", "all_visible");

        Assert.That(await ScalarAsync<long>("SELECT count(*) FROM paliad.calendar_bindings"), Is.EqualTo(2));
    }

    [Test]
    public async Task Patch_changes_only_the_fields_it_names()
    {
        var alice = As(Alice);
        var binding = await CreateBindingAsync(alice, "/dav/alice/master/", "all_visible");

        var renamed = await ExpectAsync(PatchAsync(alice, $"/api/caldav-bindings/{binding}", new { displayName = "Everything" }), HttpStatusCode.OK);
        var disabled = await ExpectAsync(PatchAsync(alice, $"/api/caldav-bindings/{binding}", new { enabled = false }), HttpStatusCode.OK);

        Assert.That(renamed.GetProperty("displayName").GetString(), Is.EqualTo("Everything"));
        Assert.That(disabled.GetProperty("displayName").GetString(), Is.EqualTo("Everything"));
        Assert.That(disabled.GetProperty("enabled").GetBoolean(), Is.False);
        Assert.That(disabled.GetProperty("scope").GetString(), Is.EqualTo("all_visible"));
        Assert.That(disabled.GetProperty("calendarPath").GetString(), Is.EqualTo("/dav/alice/master/"));
    }

    [Test]
    public async Task Patching_to_a_project_scope_without_a_scope_id_is_a_400()
    {
        var alice = As(Alice);
        var binding = await CreateBindingAsync(alice, "/dav/alice/master/", "all_visible");

        var problem = await ExpectAsync(PatchAsync(alice, $"/api/caldav-bindings/{binding}", new { scope = "case" }), HttpStatusCode.BadRequest);

        Assert.That(FieldErrors(problem, "scopeId"), Is.Not.Empty);
        var unchanged = await ExpectAsync(alice.GetAsync(new Uri($"/api/caldav-bindings/{binding}", UriKind.Relative)), HttpStatusCode.OK);
        Assert.That(unchanged.GetProperty("scope").GetString(), Is.EqualTo("all_visible"));
    }

    [Test]
    public async Task A_calendar_url_on_the_configured_server_is_stored_as_its_path()
    {
        var alice = As(Alice);
        await ExpectAsync(PutAsync(alice, "/api/caldav-config", new { serverUrl = "https://dav.example.com/", username = "alice" }), HttpStatusCode.OK);

        var binding = await ExpectAsync(
            PostAsync(alice, "/api/caldav-bindings", new { calendarPath = "https://dav.example.com/dav/alice/court/", scope = "all_visible" }), HttpStatusCode.Created);
        var refused = await ExpectAsync(
            PostAsync(alice, "/api/caldav-bindings", new { calendarPath = "https://evil.example/dav/alice/court/", scope = "all_visible" }), HttpStatusCode.BadRequest);

        Assert.That(binding.GetProperty("calendarPath").GetString(), Is.EqualTo("/dav/alice/court/"));
        Assert.That(FieldErrors(refused, "calendarPath"), Is.Not.Empty);
    }

    [Test]
    public async Task Delete_answers_204_and_the_binding_and_its_targets_are_gone()
    {
        var alice = As(Alice);
        var binding = await CreateBindingAsync(alice, "/dav/alice/master/", "all_visible");
        var appointment = await CreateAppointmentAsync(alice, "Hearing");
        await ExecuteAsync(
            "INSERT INTO paliad.appointment_targets (id, appointment_id, binding_id, caldav_uid, caldav_href) VALUES (gen_random_uuid(), @a, @b, 'u', '/dav/alice/master/u.ics')",
            ("a", appointment), ("b", binding));

        await ExpectAsync(alice.DeleteAsync(new Uri($"/api/caldav-bindings/{binding}?keepRemoteEvents=true", UriKind.Relative)), HttpStatusCode.NoContent);

        await ExpectAsync(alice.GetAsync(new Uri($"/api/caldav-bindings/{binding}", UriKind.Relative)), HttpStatusCode.NotFound);
        Assert.That(await ScalarAsync<long>("SELECT count(*) FROM paliad.appointment_targets"), Is.Zero);
        Assert.That(await ScalarAsync<long>("SELECT count(*) FROM paliad.appointments"), Is.EqualTo(1));
    }

    [Test]
    public async Task The_sync_log_lists_the_callers_entries_newest_first_and_filters_by_binding()
    {
        var alice = As(Alice);
        var master = await CreateBindingAsync(alice, "/dav/alice/master/", "all_visible");
        var other = await CreateBindingAsync(alice, "/dav/alice/other/", "personal_only");
        var user = UserIdOf(Alice);
        foreach (var (binding, minutes, status) in new[] { (master, 1, "ok"), (other, 2, "error"), (master, 3, "partial") })
        {
            await ExecuteAsync(
                "INSERT INTO paliad.caldav_sync_log (id, user_id, binding_id, started_at, finished_at, status, pushed, updated, deleted, pulled, conflicts, restored) " +
                "VALUES (gen_random_uuid(), @u, @b, @t, @t, @s, 1, 0, 0, 0, 0, 0)",
                ("u", user), ("b", binding), ("t", Now.AddMinutes(minutes)), ("s", status));
        }

        var all = await ExpectAsync(alice.GetAsync(new Uri("/api/caldav-sync-log", UriKind.Relative)), HttpStatusCode.OK);
        var masterOnly = await ExpectAsync(alice.GetAsync(new Uri($"/api/caldav-sync-log?bindingId={master}&limit=1", UriKind.Relative)), HttpStatusCode.OK);

        Assert.That(all.EnumerateArray().Select(e => e.GetProperty("status").GetString()), Is.EqualTo(new[] { "partial", "error", "ok" }));
        Assert.That(masterOnly.GetArrayLength(), Is.EqualTo(1));
        Assert.That(masterOnly[0].GetProperty("status").GetString(), Is.EqualTo("partial"));
        Assert.That(masterOnly[0].GetProperty("pushed").GetInt32(), Is.EqualTo(1));
        await ExpectAsync(alice.GetAsync(new Uri("/api/caldav-sync-log?limit=0", UriKind.Relative)), HttpStatusCode.BadRequest);
    }

    [Test]
    public async Task Scope_words_are_the_snake_case_words_of_the_design()
    {
        var alice = As(Alice);

        var binding = await ExpectAsync(PostAsync(alice, "/api/caldav-bindings", new { calendarPath = "/dav/alice/p/", scope = "personal_only" }), HttpStatusCode.Created);
        var problem = await ExpectAsync(PostAsync(alice, "/api/caldav-bindings", new { calendarPath = "/dav/alice/q/", scope = "PersonalOnly" }), HttpStatusCode.BadRequest);

        Assert.That(binding.GetProperty("scope").GetString(), Is.EqualTo("personal_only"));
        Assert.That(FieldErrors(problem, "scope").Single(), Does.Contain("all_visible, personal_only, project, client, litigation, patent, case"));
        Assert.That(binding.GetProperty("scopeId").ValueKind, Is.EqualTo(JsonValueKind.Null));
    }
}
