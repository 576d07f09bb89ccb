using System.Net;

namespace Paliad.IntegrationTests.Sync;

/// <summary>The outbox: written with the change, retried with backoff, dead after too many attempts, and harmless
/// when an event is handled twice.</summary>
public sealed class OutboxTests(string server) : SyncTest(server)
{
    private const string Alice = "alice@firm.example";

    [Test]
    public async Task A_change_writes_its_event_to_the_outbox_in_the_same_transaction()
    {
        var id = await CreateAppointmentAsync(As(Alice), "Hearing");

        var payload = await ScalarAsync<string>("SELECT payload::text FROM paliad.outbox_messages WHERE type = 'AppointmentCreated'");

        Assert.That(payload, Does.Contain(id.ToString()));
    }

    [Test]
    public async Task A_failing_hook_is_retried_with_backoff_and_dies_after_the_last_attempt()
    {
        var calendar = await NewCalendarAsync("court");
        await ConfigureAsync(Alice, calendar);
        await DrainAsync();
        Proxy.Down = true;
        await CreateAppointmentAsync(As(Alice), "Hearing");

        await DrainAsync();
        var afterFirst = await ScalarAsync<bool>(
            "SELECT attempts = 1 AND next_attempt_at > now() AND last_error IS NOT NULL AND processed_at IS NULL AND dead_at IS NULL FROM paliad.outbox_messages WHERE type = 'AppointmentCreated'");
        for (var i = 0; i < 5; i++)
        {
            await ExecuteAsync("UPDATE paliad.outbox_messages SET next_attempt_at = now() WHERE processed_at IS NULL AND dead_at IS NULL");
            await DrainAsync();
        }

        Assert.That(afterFirst, Is.True);
        Assert.That(await ScalarAsync<int>("SELECT attempts FROM paliad.outbox_messages WHERE type = 'AppointmentCreated'"), Is.EqualTo(4));
        Assert.That(await ScalarAsync<bool>("SELECT dead_at IS NOT NULL FROM paliad.outbox_messages WHERE type = 'AppointmentCreated'"), Is.True);

        // The periodic tick is the safety net: the event still gets there.
        Proxy.Down = false;
        await Engine.RunTickAsync();
        await ExpectAsync(As(Alice).PostAsync(new Uri("/api/caldav-sync", UriKind.Relative), null), HttpStatusCode.OK);
        Assert.That(await TitlesAsync(calendar), Is.EqualTo(new[] { "Hearing" }));
    }

    [Test]
    public async Task An_event_handled_twice_changes_nothing_the_second_time()
    {
        var calendar = await NewCalendarAsync("court");
        await ConfigureAsync(Alice, calendar);
        await CreateAppointmentAsync(As(Alice), "Hearing");
        await DrainAsync();
        var before = await Phone.ListEtagsAsync(calendar);

        Proxy.ResetRequests();
        await ExecuteAsync("UPDATE paliad.outbox_messages SET processed_at = NULL WHERE type = 'AppointmentCreated'");
        await DrainAsync();

        Assert.That(Proxy.Count("PUT"), Is.Zero);
        Assert.That(await Phone.ListEtagsAsync(calendar), Is.EqualTo(before));
    }
}

/// <summary>Review findings turned into tests: leases per claim, bad remote data, messages that must not die.</summary>
public sealed class SyncRobustnessTests(string server) : SyncTest(server)
{
    private const string Alice = "alice@firm.example";

    [Test]
    public async Task A_binding_someone_holds_is_skipped_even_by_the_same_process()
    {
        var calendar = await NewCalendarAsync("court");
        await CreateAppointmentAsync(As(Alice), "Hearing");
        await ConfigureAsync(Alice, calendar);
        await ExecuteAsync($"UPDATE paliad.calendar_bindings SET lease_owner = '{Engine.InstanceId}/other-claim', lease_expires_at = now() + interval '5 minutes'");

        var results = await ExpectAsync(As(Alice).PostAsync(new Uri("/api/caldav-sync", UriKind.Relative), null), HttpStatusCode.OK);
        var ticked = await Engine.RunTickAsync();

        Assert.That(results[0].GetProperty("status").GetString(), Is.EqualTo("skipped"));
        Assert.That(ticked, Is.Empty);
        Assert.That(await TitlesAsync(calendar), Is.Empty);
    }

    [Test]
    public async Task An_overlong_title_written_by_a_phone_is_clipped_not_fatal()
    {
        var alice = As(Alice);
        var calendar = await NewCalendarAsync("court");
        var id = await CreateAppointmentAsync(alice, "Hearing");
        await ConfigureAsync(Alice, calendar);
        await DrainAsync();
        var href = (await Phone.ListEtagsAsync(calendar)).Keys.Single();
        var current = await Phone.GetAsync(href);
        await Phone.UpdateAsync(href, current!.ICalendar.Replace("SUMMARY:Hearing", "SUMMARY:" + new string('x', 700), StringComparison.Ordinal), current.Etag!);

        var results = await ExpectAsync(alice.PostAsync(new Uri("/api/caldav-sync", UriKind.Relative), null), HttpStatusCode.OK);

        Assert.That(results[0].GetProperty("status").GetString(), Is.EqualTo("ok"), results[0].ToString());
        var appointment = await ExpectAsync(alice.GetAsync(new Uri($"/api/appointments/{id}", UriKind.Relative)), HttpStatusCode.OK);
        Assert.That(appointment.GetProperty("title").GetString(), Has.Length.EqualTo(Paliad.Domain.Appointments.Appointment.TitleMaxLength));
    }

    [Test]
    public async Task Removing_events_never_gives_up_but_other_hooks_do()
    {
        var calendar = await NewCalendarAsync("court");
        var alice = As(Alice);
        var doomed = await CreateAppointmentAsync(alice, "Cancelled");
        await ConfigureAsync(Alice, calendar);
        await DrainAsync();
        Proxy.Down = true;
        await ExpectAsync(alice.DeleteAsync(new Uri($"/api/appointments/{doomed}", UriKind.Relative)), HttpStatusCode.NoContent);
        await CreateAppointmentAsync(alice, "New");

        for (var i = 0; i < 6; i++)
        {
            await ExecuteAsync("UPDATE paliad.outbox_messages SET next_attempt_at = now() WHERE processed_at IS NULL AND dead_at IS NULL");
            await DrainAsync();
        }

        Assert.That(await ScalarAsync<bool>("SELECT dead_at IS NULL AND attempts >= 6 FROM paliad.outbox_messages WHERE type = 'AppointmentDeleted'"), Is.True);
        Assert.That(await ScalarAsync<long>("SELECT count(*) FROM paliad.outbox_messages WHERE type = 'AppointmentCreated' AND dead_at IS NOT NULL"), Is.EqualTo(1));

        Proxy.Down = false;
        await ExecuteAsync("UPDATE paliad.outbox_messages SET next_attempt_at = now() WHERE processed_at IS NULL AND dead_at IS NULL");
        await DrainAsync();
        Assert.That(await TitlesAsync(calendar), Does.Not.Contain("Cancelled"));
    }

    [Test]
    public async Task An_unreadable_outbox_message_dies_instead_of_blocking()
    {
        await ExecuteAsync("""
            INSERT INTO paliad.outbox_messages (id, type, payload, occurred_at, attempts, next_attempt_at)
            VALUES (gen_random_uuid(), 'AppointmentCreated', '{"appointmentId": 42}', now(), 0, now())
            """);

        await DrainAsync();

        Assert.That(await ScalarAsync<bool>("SELECT dead_at IS NOT NULL AND last_error LIKE 'Unreadable%' FROM paliad.outbox_messages"), Is.True);
    }
}
