using System.Net;

namespace Paliad.IntegrationTests.Sync;

/// <summary>A lawyer's calendars converge to exactly what their bindings promise.</summary>
public sealed class SyncEndToEndTests(string server) : SyncTest(server)
{
    private const string Alice = "alice@firm.example";
    private const string Bob = "bob@firm.example";

    [Test]
    public async Task Configuring_the_account_makes_the_events_appear()
    {
        var calendar = await NewCalendarAsync("court");
        var hearing = await CreateAppointmentAsync(As(Alice), "Oral hearing");

        await ConfigureAsync(Alice, calendar);
        await DrainAsync();

        var events = await EventsAsync(calendar);
        Assert.That(events.Values.Select(e => e.Title), Is.EqualTo(new[] { "Oral hearing" }));
        var uid = events.Keys.Single();
        Assert.That(await ScalarAsync<string>("SELECT caldav_uid FROM paliad.appointments WHERE id = @id", ("id", hearing)), Is.EqualTo(uid));
        Assert.That(await ScalarAsync<string>("SELECT caldav_etag FROM paliad.appointments WHERE id = @id", ("id", hearing)), Is.Not.Null);
        Assert.That(await ScalarAsync<string>("SELECT sync_status FROM paliad.calendar_bindings"), Is.EqualTo("ok"));
    }

    [Test]
    public async Task The_project_appointment_lands_in_both_calendars_the_personal_one_only_in_master()
    {
        var alice = As(Alice);
        var master = await NewCalendarAsync("master");
        var acmeCalendar = await NewCalendarAsync("acme");
        var acme = await CreateProjectAsync(alice, "Acme GmbH", "client");
        await CreateAppointmentAsync(alice, "Dentist");
        await CreateAppointmentAsync(alice, "Acme hearing", acme);
        await ConfigureAsync(Alice, master);

        await CreateBindingAsync(alice, acmeCalendar, "project", acme);
        await DrainAsync();

        Assert.That(await TitlesAsync(master), Is.EqualTo(new[] { "Acme hearing", "Dentist" }));
        Assert.That(await TitlesAsync(acmeCalendar), Is.EqualTo(new[] { "Acme hearing" }));
    }

    [Test]
    public async Task A_new_appointment_reaches_every_binding_that_contains_it_through_the_outbox()
    {
        var alice = As(Alice);
        var master = await NewCalendarAsync("master");
        var acmeCalendar = await NewCalendarAsync("acme");
        var acme = await CreateProjectAsync(alice, "Acme GmbH", "client");
        await ConfigureAsync(Alice, master);
        await CreateBindingAsync(alice, acmeCalendar, "client", acme);
        await DrainAsync();

        await CreateAppointmentAsync(alice, "Acme deadline", acme);
        await CreateAppointmentAsync(alice, "Dentist");
        await DrainAsync();

        Assert.That(await TitlesAsync(master), Is.EqualTo(new[] { "Acme deadline", "Dentist" }));
        Assert.That(await TitlesAsync(acmeCalendar), Is.EqualTo(new[] { "Acme deadline" }));
    }

    [Test]
    public async Task An_appointment_moved_out_of_a_project_leaves_that_projects_calendar_only()
    {
        var alice = As(Alice);
        var master = await NewCalendarAsync("master");
        var acmeCalendar = await NewCalendarAsync("acme");
        var acme = await CreateProjectAsync(alice, "Acme GmbH", "client");
        var hearing = await CreateAppointmentAsync(alice, "Hearing", acme);
        await ConfigureAsync(Alice, master);
        await CreateBindingAsync(alice, acmeCalendar, "project", acme);
        await DrainAsync();
        Assert.That(await TitlesAsync(acmeCalendar), Is.EqualTo(new[] { "Hearing" }));

        await ExpectAsync(PatchAsync(alice, $"/api/appointments/{hearing}", new { projectId = (Guid?)null }), HttpStatusCode.OK);
        await DrainAsync();

        Assert.That(await TitlesAsync(acmeCalendar), Is.Empty);
        Assert.That(await TitlesAsync(master), Is.EqualTo(new[] { "Hearing" }));
    }

    [Test]
    public async Task Unsharing_a_project_removes_its_events_from_that_users_calendars_only()
    {
        var alice = As(Alice);
        var alicesCalendar = await NewCalendarAsync("alice");
        var bobsCalendar = await NewCalendarAsync("bob");
        var acme = await CreateProjectAsync(alice, "Acme GmbH", "client");
        await CreateAppointmentAsync(alice, "Acme hearing", acme);
        await ShareAsync(alice, acme, Bob, "editor");
        await ConfigureAsync(Alice, alicesCalendar);
        await ConfigureAsync(Bob, bobsCalendar);
        await DrainAsync();
        Assert.That(await TitlesAsync(bobsCalendar), Is.EqualTo(new[] { "Acme hearing" }));

        await ExpectAsync(alice.DeleteAsync(new Uri($"/api/projects/{acme}/members/{UserIdOf(Bob)}", UriKind.Relative)), HttpStatusCode.NoContent);
        await DrainAsync();

        Assert.That(await TitlesAsync(bobsCalendar), Is.Empty);
        Assert.That(await TitlesAsync(alicesCalendar), Is.EqualTo(new[] { "Acme hearing" }));
    }

    [Test]
    public async Task Patching_a_bindings_scope_deletes_what_left_it_and_pushes_what_entered()
    {
        var alice = As(Alice);
        var calendar = await NewCalendarAsync("scoped");
        var acme = await CreateProjectAsync(alice, "Acme GmbH", "client");
        await CreateAppointmentAsync(alice, "Acme hearing", acme);
        await CreateAppointmentAsync(alice, "Dentist");
        await ConfigureAsync(Alice);
        var binding = await CreateBindingAsync(alice, calendar, "project", acme);
        await DrainAsync();
        Assert.That(await TitlesAsync(calendar), Is.EqualTo(new[] { "Acme hearing" }));

        await ExpectAsync(PatchAsync(alice, $"/api/caldav-bindings/{binding}", new { scope = "personal_only" }), HttpStatusCode.OK);
        await DrainAsync();

        Assert.That(await TitlesAsync(calendar), Is.EqualTo(new[] { "Dentist" }));
        Assert.That(await ScalarAsync<long>("SELECT count(*) FROM paliad.appointment_targets WHERE binding_id = @b", ("b", binding)), Is.EqualTo(1));
    }

    [Test]
    public async Task An_event_edited_on_the_server_is_pulled_into_the_appointment()
    {
        var alice = As(Alice);
        var calendar = await NewCalendarAsync("court");
        var hearing = await CreateAppointmentAsync(alice, "Oral hearing");
        await ConfigureAsync(Alice, calendar);
        await DrainAsync();

        await EditOnThePhoneAsync(calendar, "Oral hearing (moved to Saal 3)", TimeSpan.FromHours(2));
        var results = await SyncAsync(alice);

        var appointment = await ExpectAsync(alice.GetAsync(new Uri($"/api/appointments/{hearing}", UriKind.Relative)), HttpStatusCode.OK);
        Assert.That(appointment.GetProperty("title").GetString(), Is.EqualTo("Oral hearing (moved to Saal 3)"));
        Assert.That(appointment.GetProperty("startsAt").GetString(), Is.EqualTo("2026-12-03T10:00:00Z"));
        Assert.That(results.GetProperty("pulled").GetInt32(), Is.EqualTo(1));
        Assert.That(results.GetProperty("conflicts").GetInt32(), Is.Zero);
        Assert.That(await TitlesAsync(calendar), Is.EqualTo(new[] { "Oral hearing (moved to Saal 3)" }));
    }

    [Test]
    public async Task An_event_edited_on_both_sides_keeps_paliads_version_and_counts_a_conflict()
    {
        var alice = As(Alice);
        var calendar = await NewCalendarAsync("court");
        var hearing = await CreateAppointmentAsync(alice, "Oral hearing");
        await ConfigureAsync(Alice, calendar);
        await DrainAsync();

        await EditOnThePhoneAsync(calendar, "Phone's title", TimeSpan.Zero);
        await ExpectAsync(PatchAsync(alice, $"/api/appointments/{hearing}", new { title = "Paliad's title" }), HttpStatusCode.OK);
        var results = await SyncAsync(alice);

        Assert.That(results.GetProperty("conflicts").GetInt32(), Is.EqualTo(1));
        Assert.That(await TitlesAsync(calendar), Is.EqualTo(new[] { "Paliad's title" }));
        Assert.That((await EventsAsync(calendar)).Values.Single().Sequence, Is.GreaterThan(7), "above the phone's SEQUENCE 7");
        var appointment = await ExpectAsync(alice.GetAsync(new Uri($"/api/appointments/{hearing}", UriKind.Relative)), HttpStatusCode.OK);
        Assert.That(appointment.GetProperty("title").GetString(), Is.EqualTo("Paliad's title"));
    }

    [Test]
    public async Task A_conflict_the_change_hook_resolves_is_counted_in_the_sync_log()
    {
        var alice = As(Alice);
        var calendar = await NewCalendarAsync("court");
        var hearing = await CreateAppointmentAsync(alice, "Oral hearing");
        await ConfigureAsync(Alice, calendar);
        await DrainAsync();

        await EditOnThePhoneAsync(calendar, "Phone's title", TimeSpan.Zero);
        await ExpectAsync(PatchAsync(alice, $"/api/appointments/{hearing}", new { title = "Paliad's title" }), HttpStatusCode.OK);
        await DrainAsync();

        var log = await ExpectAsync(alice.GetAsync(new Uri("/api/caldav-sync-log", UriKind.Relative)), HttpStatusCode.OK);
        Assert.That(log.EnumerateArray().Sum(e => e.GetProperty("conflicts").GetInt32()), Is.EqualTo(1));
        Assert.That(await TitlesAsync(calendar), Is.EqualTo(new[] { "Paliad's title" }));
    }

    [Test]
    public async Task An_event_deleted_on_the_server_comes_back_on_the_next_tick()
    {
        var alice = As(Alice);
        var calendar = await NewCalendarAsync("court");
        await CreateAppointmentAsync(alice, "Oral hearing");
        await ConfigureAsync(Alice, calendar);
        await DrainAsync();
        var etags = await Phone.ListEtagsAsync(calendar);
        await Phone.DeleteAsync(etags.Keys.Single(), null);

        var results = await SyncAsync(alice);

        Assert.That(results.GetProperty("restored").GetInt32(), Is.EqualTo(1));
        Assert.That(await TitlesAsync(calendar), Is.EqualTo(new[] { "Oral hearing" }));
        Assert.That((await Phone.ListEtagsAsync(calendar)).Keys, Is.EqualTo(etags.Keys), "restored under its own href");
    }

    [Test]
    public async Task An_appointment_deleted_while_the_server_is_down_leaves_the_calendar_once_it_is_back()
    {
        var alice = As(Alice);
        var calendar = await NewCalendarAsync("court");
        var doomed = await CreateAppointmentAsync(alice, "Cancelled hearing");
        await CreateAppointmentAsync(alice, "Kept hearing");
        await ConfigureAsync(Alice, calendar);
        await DrainAsync();
        var before = await EventsAsync(calendar);

        Proxy.Down = true;
        await ExpectAsync(alice.DeleteAsync(new Uri($"/api/appointments/{doomed}", UriKind.Relative)), HttpStatusCode.NoContent);
        await DrainAsync();
        var failed = await ScalarAsync<int>("SELECT attempts FROM paliad.outbox_messages WHERE type = 'AppointmentDeleted'");
        Assert.That(failed, Is.EqualTo(1));
        Assert.That(await TitlesAsync(calendar), Is.EqualTo(new[] { "Cancelled hearing", "Kept hearing" }));

        Proxy.Down = false;
        await ExecuteAsync("UPDATE paliad.outbox_messages SET next_attempt_at = now() WHERE processed_at IS NULL");
        await DrainAsync();

        var after = await EventsAsync(calendar);
        Assert.That(after.Values.Select(e => e.Title), Is.EqualTo(new[] { "Kept hearing" }));
        var kept = before.Single(e => e.Value.Title == "Kept hearing");
        Assert.That(after[kept.Key], Is.EqualTo(kept.Value), "nothing else changed");
        Assert.That(await ScalarAsync<bool>("SELECT processed_at IS NOT NULL FROM paliad.outbox_messages WHERE type = 'AppointmentDeleted'"), Is.True);
    }

    [Test]
    public async Task Deleting_a_binding_removes_its_events_drops_its_targets_and_keeps_its_sync_log()
    {
        var alice = As(Alice);
        var calendar = await NewCalendarAsync("court");
        await CreateAppointmentAsync(alice, "Oral hearing");
        await ConfigureAsync(Alice, calendar);
        await DrainAsync();
        var binding = await BindingOnAsync(calendar);
        Assert.That(await ScalarAsync<long>("SELECT count(*) FROM paliad.caldav_sync_log WHERE binding_id = @b", ("b", binding)), Is.GreaterThan(0));

        await ExpectAsync(alice.DeleteAsync(new Uri($"/api/caldav-bindings/{binding}", UriKind.Relative)), HttpStatusCode.NoContent);
        await DrainAsync();

        Assert.That(await TitlesAsync(calendar), Is.Empty);
        Assert.That(await ScalarAsync<long>("SELECT count(*) FROM paliad.appointment_targets"), Is.Zero);
        Assert.That(await ScalarAsync<long>("SELECT count(*) FROM paliad.caldav_sync_log WHERE binding_id IS NULL"), Is.GreaterThan(0));
        Assert.That(await ScalarAsync<long>("SELECT count(*) FROM paliad.caldav_sync_log WHERE binding_id IS NOT NULL"), Is.Zero);
    }

    [Test]
    public async Task Deleting_a_binding_with_keepRemoteEvents_leaves_the_calendar_alone()
    {
        var alice = As(Alice);
        var calendar = await NewCalendarAsync("court");
        await CreateAppointmentAsync(alice, "Oral hearing");
        await ConfigureAsync(Alice, calendar);
        await DrainAsync();

        await ExpectAsync(alice.DeleteAsync(new Uri($"/api/caldav-bindings/{await BindingOnAsync(calendar)}?keepRemoteEvents=true", UriKind.Relative)), HttpStatusCode.NoContent);
        await DrainAsync();

        Assert.That(await TitlesAsync(calendar), Is.EqualTo(new[] { "Oral hearing" }));
    }

    [Test]
    public async Task A_tick_with_nothing_to_do_issues_no_put_and_no_delete()
    {
        var alice = As(Alice);
        var calendar = await NewCalendarAsync("court");
        for (var i = 0; i < 5; i++)
        {
            await CreateAppointmentAsync(alice, $"Hearing {i}");
        }

        await ConfigureAsync(Alice, calendar);
        await DrainAsync();
        await SyncAsync(alice);
        Proxy.ResetRequests();

        var results = await SyncAsync(alice);

        Assert.That(Proxy.Count("PUT"), Is.Zero, string.Join(", ", Proxy.Requests));
        Assert.That(Proxy.Count("DELETE"), Is.Zero);
        Assert.That(Proxy.Count("REPORT"), Is.Zero, "an unchanged sync-token needs no REPORT");
        Assert.That(results.GetProperty("status").GetString(), Is.EqualTo("ok"));
        Assert.That(results.GetProperty("pushed").GetInt32() + results.GetProperty("updated").GetInt32(), Is.Zero);
    }

    [Test]
    public async Task The_sync_log_and_the_account_show_how_ticks_went()
    {
        var alice = As(Alice);
        var calendar = await NewCalendarAsync("court");
        await CreateAppointmentAsync(alice, "Oral hearing");
        await ConfigureAsync(Alice, calendar);
        await DrainAsync();

        Proxy.Down = true;
        var failed = await SyncAsync(alice);
        var account = await ExpectAsync(alice.GetAsync(new Uri("/api/caldav-config", UriKind.Relative)), HttpStatusCode.OK);
        var log = await ExpectAsync(alice.GetAsync(new Uri("/api/caldav-sync-log", UriKind.Relative)), HttpStatusCode.OK);

        Assert.That(failed.GetProperty("status").GetString(), Is.EqualTo("error"));
        Assert.That(account.GetProperty("lastSyncError").GetString(), Does.StartWith(calendar));
        Assert.That(log[0].GetProperty("status").GetString(), Is.EqualTo("error"));
        Assert.That(log.EnumerateArray().Select(e => e.GetProperty("status").GetString()), Does.Contain("ok"));

        Proxy.Down = false;
        await SyncAsync(alice);
        account = await ExpectAsync(alice.GetAsync(new Uri("/api/caldav-config", UriKind.Relative)), HttpStatusCode.OK);
        Assert.That(account.GetProperty("lastSyncError").ValueKind, Is.EqualTo(System.Text.Json.JsonValueKind.Null));
    }

    /// <summary>POST /api/caldav-sync for the caller's single binding; returns its result.</summary>
    private static async Task<System.Text.Json.JsonElement> SyncAsync(HttpClient user)
    {
        var results = await ExpectAsync(user.PostAsync(new Uri("/api/caldav-sync", UriKind.Relative), null), HttpStatusCode.OK);
        Assert.That(results.GetArrayLength(), Is.EqualTo(1));
        return results[0];
    }
}

/// <summary>Binding edits that move or re-read a calendar.</summary>
public sealed class BindingMaintenanceTests(string server) : SyncTest(server)
{
    private const string Alice = "alice@firm.example";

    [Test]
    public async Task Pointing_a_binding_at_another_calendar_moves_its_events_there()
    {
        var alice = As(Alice);
        var before = await NewCalendarAsync("before");
        var after = await NewCalendarAsync("after");
        await CreateAppointmentAsync(alice, "Oral hearing");
        await ConfigureAsync(Alice, before);
        await DrainAsync();
        var binding = await BindingOnAsync(before);

        await ExpectAsync(PatchAsync(alice, $"/api/caldav-bindings/{binding}", new { calendarPath = after }), System.Net.HttpStatusCode.OK);
        await DrainAsync();

        Assert.That(await TitlesAsync(before), Is.Empty);
        Assert.That(await TitlesAsync(after), Is.EqualTo(new[] { "Oral hearing" }));
        Assert.That(await ScalarAsync<string>("SELECT caldav_href FROM paliad.appointment_targets"), Does.StartWith(after));
    }

    [Test]
    public async Task Now_and_then_a_tick_lists_every_etag_even_when_the_sync_token_did_not_move()
    {
        var alice = As(Alice);
        var calendar = await NewCalendarAsync("court");
        await CreateAppointmentAsync(alice, "Oral hearing");
        await ConfigureAsync(Alice, calendar);
        await DrainAsync();
        await Engine.SyncBindingAsync(await BindingOnAsync(calendar), CancellationToken.None);

        Proxy.ResetRequests();
        await Engine.SyncBindingAsync(await BindingOnAsync(calendar), CancellationToken.None);
        var ordinary = Proxy.Count("PROPFIND");
        await ExecuteAsync("UPDATE paliad.calendar_bindings SET ticks_since_full_reconcile = 1000");
        Proxy.ResetRequests();
        await Engine.SyncBindingAsync(await BindingOnAsync(calendar), CancellationToken.None);

        Assert.That(ordinary, Is.EqualTo(1), "only the change markers");
        Assert.That(Proxy.Count("PROPFIND"), Is.EqualTo(2), "the change markers and the full ETag listing");
        Assert.That(await ScalarAsync<int>("SELECT ticks_since_full_reconcile FROM paliad.calendar_bindings"), Is.Zero);
    }
}

/// <summary>A binding may name a calendar that does not exist yet.</summary>
public sealed class MissingCalendarTests(string server) : SyncTest(server)
{
    [Test]
    public async Task A_binding_on_a_calendar_that_does_not_exist_yet_creates_it()
    {
        var alice = As("alice@firm.example");
        var existing = await NewCalendarAsync("existing");
        var missing = existing.TrimEnd('/') + "-new/";
        await CreateAppointmentAsync(alice, "Oral hearing");
        await ConfigureAsync("alice@firm.example", missing);

        await DrainAsync();

        Assert.That(await TitlesAsync(missing), Is.EqualTo(new[] { "Oral hearing" }));
        Assert.That(await ScalarAsync<string>("SELECT sync_status FROM paliad.calendar_bindings"), Is.EqualTo("ok"));
    }

    [Test]
    public async Task An_empty_binding_on_a_missing_calendar_creates_it_instead_of_failing()
    {
        var existing = await NewCalendarAsync("existing");
        var missing = existing.TrimEnd('/') + "-empty/";
        await ConfigureAsync("alice@firm.example", missing);

        await DrainAsync();

        Assert.That(await ScalarAsync<string>("SELECT sync_status FROM paliad.calendar_bindings"), Is.EqualTo("ok"));
        Assert.That(await Phone.ListEtagsAsync(missing), Is.Empty);
        Assert.That((await Phone.DiscoverCalendarsAsync()).Select(c => c.Href), Does.Contain(missing));
    }
}
