using System.Net;

namespace Paliad.IntegrationTests.Sync;

/// <summary>A phone edit made since the last tick survives a calendar move or a scope change: it is applied to the
/// appointment before the event leaves the calendar (or counted as a conflict when Paliad changed it too), never
/// dropped by a blind DELETE.</summary>
public sealed class NoEditLostTests(string server) : SyncTest(server)
{
    private const string Alice = "alice@firm.example";

    [Test]
    public async Task A_phone_edit_survives_a_scope_change_that_removes_the_event()
    {
        var alice = As(Alice);
        var calendar = await NewCalendarAsync("acme");
        var acme = await CreateProjectAsync(alice, "Acme GmbH", "client");
        var hearing = await CreateAppointmentAsync(alice, "Acme hearing", acme);
        await ConfigureAsync(Alice);
        var binding = await CreateBindingAsync(alice, calendar, "client", acme);
        await DrainAsync();
        await EditOnThePhoneAsync(calendar, "Acme hearing (moved to Saal 3)", TimeSpan.FromHours(1));

        await ExpectAsync(PatchAsync(alice, $"/api/caldav-bindings/{binding}", new { scope = "personal_only" }), HttpStatusCode.OK);
        await DrainAsync();

        var appointment = await ExpectAsync(alice.GetAsync(new Uri($"/api/appointments/{hearing}", UriKind.Relative)), HttpStatusCode.OK);
        Assert.That(appointment.GetProperty("title").GetString(), Is.EqualTo("Acme hearing (moved to Saal 3)"));
        Assert.That(appointment.GetProperty("location").GetString(), Is.EqualTo("Saal 3"));
        Assert.That(appointment.GetProperty("startsAt").GetDateTimeOffset(), Is.EqualTo(new DateTimeOffset(2026, 12, 3, 9, 0, 0, TimeSpan.Zero)));
        Assert.That(await TitlesAsync(calendar), Is.Empty, "the event still left the calendar");
    }

    [Test]
    public async Task A_phone_edit_salvaged_from_a_rescoped_calendar_reaches_the_users_other_calendar()
    {
        var alice = As(Alice);
        var master = await NewCalendarAsync("master");
        var calendar = await NewCalendarAsync("acme");
        var acme = await CreateProjectAsync(alice, "Acme GmbH", "client");
        await CreateAppointmentAsync(alice, "Acme hearing", acme);
        await ConfigureAsync(Alice, master);
        var binding = await CreateBindingAsync(alice, calendar, "client", acme);
        await DrainAsync();
        await EditOnThePhoneAsync(calendar, "Acme hearing (moved to Saal 3)", TimeSpan.FromHours(1));

        await ExpectAsync(PatchAsync(alice, $"/api/caldav-bindings/{binding}", new { scope = "personal_only" }), HttpStatusCode.OK);
        await DrainAsync();

        Assert.That(await TitlesAsync(master), Is.EqualTo(new[] { "Acme hearing (moved to Saal 3)" }));
        Assert.That(await TitlesAsync(calendar), Is.Empty);
    }

    [Test]
    public async Task A_phone_edit_survives_a_move_to_another_calendar_and_arrives_there()
    {
        var alice = As(Alice);
        var before = await NewCalendarAsync("before");
        var after = await NewCalendarAsync("after");
        var hearing = await CreateAppointmentAsync(alice, "Oral hearing");
        await ConfigureAsync(Alice, before);
        var binding = await BindingOnAsync(before);
        await DrainAsync();
        await EditOnThePhoneAsync(before, "Oral hearing (phone)", TimeSpan.Zero);

        await ExpectAsync(PatchAsync(alice, $"/api/caldav-bindings/{binding}", new { calendarPath = after }), HttpStatusCode.OK);
        await DrainAsync();

        var appointment = await ExpectAsync(alice.GetAsync(new Uri($"/api/appointments/{hearing}", UriKind.Relative)), HttpStatusCode.OK);
        Assert.That(appointment.GetProperty("title").GetString(), Is.EqualTo("Oral hearing (phone)"));
        Assert.That(await TitlesAsync(before), Is.Empty);
        Assert.That(await TitlesAsync(after), Is.EqualTo(new[] { "Oral hearing (phone)" }));
    }

    [Test]
    public async Task When_both_sides_changed_before_a_rescope_Paliad_wins_and_a_conflict_is_counted()
    {
        var alice = As(Alice);
        var calendar = await NewCalendarAsync("acme");
        var acme = await CreateProjectAsync(alice, "Acme GmbH", "client");
        var hearing = await CreateAppointmentAsync(alice, "Acme hearing", acme);
        await ConfigureAsync(Alice);
        var binding = await CreateBindingAsync(alice, calendar, "client", acme);
        await DrainAsync();
        await EditOnThePhoneAsync(calendar, "Phone title", TimeSpan.Zero);
        await ExpectAsync(PatchAsync(alice, $"/api/appointments/{hearing}", new { title = "Paliad title" }), HttpStatusCode.OK);

        await ExpectAsync(PatchAsync(alice, $"/api/caldav-bindings/{binding}", new { scope = "personal_only" }), HttpStatusCode.OK);
        await DrainAsync();

        var appointment = await ExpectAsync(alice.GetAsync(new Uri($"/api/appointments/{hearing}", UriKind.Relative)), HttpStatusCode.OK);
        Assert.That(appointment.GetProperty("title").GetString(), Is.EqualTo("Paliad title"));
        Assert.That(await ScalarAsync<long>("SELECT coalesce(sum(conflicts), 0) FROM paliad.caldav_sync_log WHERE binding_id = @b", ("b", binding)), Is.GreaterThan(0));
        Assert.That(await TitlesAsync(calendar), Is.Empty);
    }

    [Test]
    public async Task A_phone_edit_survives_a_rescope_even_when_the_copys_etag_was_unknown()
    {
        var alice = As(Alice);
        var calendar = await NewCalendarAsync("acme");
        var acme = await CreateProjectAsync(alice, "Acme GmbH", "client");
        var hearing = await CreateAppointmentAsync(alice, "Acme hearing", acme);
        await ConfigureAsync(Alice);
        var binding = await CreateBindingAsync(alice, calendar, "client", acme);
        await DrainAsync();
        await ExecuteAsync("UPDATE paliad.appointment_targets SET caldav_etag = NULL");
        await EditOnThePhoneAsync(calendar, "Acme hearing (phone)", TimeSpan.Zero);

        await ExpectAsync(PatchAsync(alice, $"/api/caldav-bindings/{binding}", new { scope = "personal_only" }), HttpStatusCode.OK);
        await DrainAsync();

        var appointment = await ExpectAsync(alice.GetAsync(new Uri($"/api/appointments/{hearing}", UriKind.Relative)), HttpStatusCode.OK);
        Assert.That(appointment.GetProperty("title").GetString(), Is.EqualTo("Acme hearing (phone)"));
        Assert.That(await TitlesAsync(calendar), Is.Empty);
    }
}
