using System.Net;
using System.Text.Json;

namespace Paliad.IntegrationTests.Sync;

/// <summary>
/// DESIGN §9 against each real server: what another client adds to a Paliad event (a phone's reminder, categories,
/// Apple's travel time) survives Paliad's later updates, costs no write when it is all that changed, and a series made
/// on the phone is put back as the single event. The phone here is plain HTTP with If-Match, as phones write.
/// </summary>
public sealed class FidelityTests(string server) : SyncTest(server)
{
    private const string Alice = "alice@firm.example";

    private const string PhoneAdditions =
        "BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:Reminder\r\nTRIGGER:-PT30M\r\nEND:VALARM\r\n"
        + "CATEGORIES:Court,Urgent\r\n"
        + "X-APPLE-TRAVEL-DURATION;VALUE=DURATION:PT45M\r\n"
        + "X-PALIAD-TEST;X-PARAM=kept:value with a param\r\n"
        + "CLASS:PRIVATE\r\n"
        + "TRANSP:TRANSPARENT\r\n";

    [Test]
    public async Task What_a_phone_adds_survives_a_later_Paliad_update()
    {
        var (alice, calendar, appointmentId) = await OneSyncedAppointmentAsync();
        await PhoneAddsAsync(calendar, PhoneAdditions);
        await TickAsync(calendar);

        (await PatchAsync(alice, $"/api/appointments/{appointmentId}", new { location = "Saal 4" })).EnsureSuccessStatusCode();
        await DrainAsync();

        var text = await PhoneReadsAsync(calendar);
        Assert.That(text, Does.Contain("LOCATION:Saal 4"), "Paliad's change reached the server");
        Assert.That(text, Does.Contain("TRIGGER:-PT30M"));
        Assert.That(text, Does.Contain("BEGIN:VALARM"));
        Assert.That(text, Does.Contain("Court").And.Contain("Urgent"));
        Assert.That(text, Does.Contain("X-APPLE-TRAVEL-DURATION;VALUE=DURATION:PT45M"));
        Assert.That(text, Does.Contain("X-PALIAD-TEST;X-PARAM=kept:value with a param"));
        Assert.That(text, Does.Contain("CLASS:PRIVATE"));
        Assert.That(text, Does.Contain("TRANSP:TRANSPARENT"));
        Assert.That(Occurrences(text, "BEGIN:VEVENT"), Is.EqualTo(1));
        Assert.That(Occurrences(text, "BEGIN:VALARM"), Is.EqualTo(1), "merged once, not once per update");
    }

    [Test]
    public async Task A_change_of_only_what_the_phone_owns_costs_no_write_and_does_not_ping_pong()
    {
        var (_, calendar, appointmentId) = await OneSyncedAppointmentAsync();
        var version = await VersionOfAsync(appointmentId);
        await PhoneAddsAsync(calendar, PhoneAdditions);
        var phoneEtag = (await Phone.ListEtagsAsync(calendar)).Values.Single();

        Proxy.ResetRequests();
        var first = await TickAsync(calendar);
        var second = await TickAsync(calendar);
        await DrainAsync();

        Assert.That(Proxy.Count("PUT"), Is.Zero);
        Assert.That((await Phone.ListEtagsAsync(calendar)).Values.Single(), Is.EqualTo(phoneEtag));
        Assert.That((first.Counts.Pulled, first.Counts.Conflicts, first.Counts.Updated, second.Counts.Pulled, second.Counts.Updated), Is.EqualTo((0, 0, 0, 0, 0)));
        Assert.That(await VersionOfAsync(appointmentId), Is.EqualTo(version), "the appointment did not change");
        Assert.That(await ActivityAsync(As(Alice)), Is.Empty, "nothing the lawyer needs to know");
    }

    [Test]
    public async Task A_Paliad_update_after_the_phone_added_an_alarm_without_a_tick_between_keeps_it_and_counts_no_conflict()
    {
        // The update's If-Match fails (the phone wrote since), so the engine reads the copy and merges around it.
        var (alice, calendar, appointmentId) = await OneSyncedAppointmentAsync();
        await PhoneAddsAsync(calendar, PhoneAdditions);

        (await PatchAsync(alice, $"/api/appointments/{appointmentId}", new { title = "Oral hearing (moved)" })).EnsureSuccessStatusCode();
        await DrainAsync();

        var text = await PhoneReadsAsync(calendar);
        Assert.That(text, Does.Contain("SUMMARY:Oral hearing (moved)"));
        Assert.That(text, Does.Contain("TRIGGER:-PT30M"));
        Assert.That(await ActivityAsync(alice), Is.Empty, "the phone changed nothing Paliad owns: no edit was lost");
        var log = await ExpectAsync(alice.GetAsync(new Uri("/api/caldav-sync-log", UriKind.Relative)), HttpStatusCode.OK);
        Assert.That(log.EnumerateArray().Sum(e => e.GetProperty("conflicts").GetInt32()), Is.Zero);
    }

    [Test]
    public async Task A_phone_edit_of_Paliads_fields_is_applied_keeping_its_alarm_and_shows_in_the_feed()
    {
        var (alice, calendar, appointmentId) = await OneSyncedAppointmentAsync();
        await PhoneEditsAsync(calendar, text => text.Replace("SUMMARY:Oral hearing", "SUMMARY:Oral hearing (Saal 2)", StringComparison.Ordinal)
            .Replace("END:VEVENT", "BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:Go\r\nTRIGGER:-PT1H\r\nEND:VALARM\r\nEND:VEVENT", StringComparison.Ordinal));

        var result = await TickAsync(calendar);
        await DrainAsync();

        Assert.That(result.Counts.Pulled, Is.EqualTo(1));
        var appointment = await ExpectAsync(alice.GetAsync(new Uri($"/api/appointments/{appointmentId}", UriKind.Relative)), HttpStatusCode.OK);
        Assert.That(appointment.GetProperty("title").GetString(), Is.EqualTo("Oral hearing (Saal 2)"));

        (await PatchAsync(alice, $"/api/appointments/{appointmentId}", new { location = "LG München I" })).EnsureSuccessStatusCode();
        await DrainAsync();
        Assert.That(await PhoneReadsAsync(calendar), Does.Contain("TRIGGER:-PT1H").And.Contain("LOCATION:LG München I"));

        var feed = await ActivityAsync(alice);
        Assert.That(feed, Has.Count.EqualTo(1));
        Assert.That(feed[0].GetProperty("kind").GetString(), Is.EqualTo("remote_edit_applied"));
        Assert.That(feed[0].GetProperty("appointmentId").GetGuid(), Is.EqualTo(appointmentId));
        Assert.That(feed[0].GetProperty("appointmentTitle").GetString(), Is.EqualTo("Oral hearing (Saal 2)"));
        Assert.That(feed[0].GetProperty("calendarPath").GetString(), Is.EqualTo(calendar));
        Assert.That(feed[0].GetProperty("bindingId").GetGuid(), Is.EqualTo(await BindingOnAsync(calendar)));
        Assert.That(feed[0].GetProperty("detail").GetString(), Does.Contain("title"));
    }

    [Test]
    public async Task When_both_changed_Paliad_wins_and_the_feed_says_what_the_phone_said_and_why_it_lost()
    {
        var (alice, calendar, appointmentId) = await OneSyncedAppointmentAsync();
        await PhoneEditsAsync(calendar, text => text.Replace("SUMMARY:Oral hearing", "SUMMARY:Phone title", StringComparison.Ordinal));
        await ExecuteAsync("UPDATE paliad.appointments SET title = 'Paliad title', version = version + 1, updated_at = now() WHERE id = @id", ("id", appointmentId));

        var result = await TickAsync(calendar);
        await DrainAsync();

        Assert.That(result.Counts.Conflicts, Is.EqualTo(1));
        Assert.That((await EventsAsync(calendar)).Values.Single().Title, Is.EqualTo("Paliad title"));
        var feed = await ActivityAsync(alice);
        Assert.That(feed.Select(e => e.GetProperty("kind").GetString()), Is.EqualTo(new[] { "remote_edit_overwritten" }));
        Assert.That(feed[0].GetProperty("detail").GetString(), Does.Contain("Phone title").And.Contain("changed in Paliad"));
    }

    [Test]
    public async Task A_phone_deletion_is_reverted_with_the_alarm_and_shows_in_the_feed()
    {
        var (alice, calendar, _) = await OneSyncedAppointmentAsync();
        await PhoneAddsAsync(calendar, PhoneAdditions);
        await TickAsync(calendar);
        var href = (await Phone.ListEtagsAsync(calendar)).Keys.Single();
        await Phone.DeleteAsync(href, null);

        var result = await TickAsync(calendar);
        await DrainAsync();

        Assert.That(result.Counts.Restored, Is.EqualTo(1));
        Assert.That(await PhoneReadsAsync(calendar), Does.Contain("TRIGGER:-PT30M"), "put back as the phone last had it");
        var feed = await ActivityAsync(alice);
        Assert.That(feed.Select(e => e.GetProperty("kind").GetString()), Is.EqualTo(new[] { "remote_deletion_reverted" }));
    }

    [TestCase("RRULE:FREQ=WEEKLY;COUNT=5\r\n", TestName = "{m}(a repeat rule)")]
    [TestCase("RDATE;VALUE=DATE-TIME:20261210T090000Z\r\n", TestName = "{m}(an extra date)")]
    public async Task A_series_made_on_the_phone_is_put_back_as_the_single_event_counted_and_reported(string recurrence)
    {
        var (alice, calendar, _) = await OneSyncedAppointmentAsync();
        await PhoneAddsAsync(calendar, recurrence + "BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:R\r\nTRIGGER:-PT5M\r\nEND:VALARM\r\n");

        var reverted = await TickAsync(calendar);
        await DrainAsync();
        var text = await PhoneReadsAsync(calendar);
        Proxy.ResetRequests();
        var after = await TickAsync(calendar);

        Assert.That(reverted.Counts.Conflicts, Is.EqualTo(1));
        Assert.That(EventPart(text), Does.Not.Contain("RRULE").And.Not.Contain("RDATE"));
        Assert.That(text, Does.Contain("TRIGGER:-PT5M"), "the alarm is the phone's and stays");
        Assert.That((after.Counts.Updated, after.Counts.Conflicts, Proxy.Count("PUT")), Is.EqualTo((0, 0, 0)), "stable: the tick after writes nothing");
        var feed = await ActivityAsync(alice);
        Assert.That(feed.Select(e => e.GetProperty("kind").GetString()), Is.EqualTo(new[] { "remote_series_reverted" }));
    }

    [Test]
    public async Task An_occurrence_edited_on_the_phone_is_put_back_as_the_single_event()
    {
        var (alice, calendar, _) = await OneSyncedAppointmentAsync();
        await PhoneEditsAsync(calendar, text =>
        {
            var master = text.Replace("END:VEVENT", "RRULE:FREQ=DAILY;COUNT=3\r\nEND:VEVENT", StringComparison.Ordinal);
            var uid = master.Split("\r\n").First(l => l.StartsWith("UID:", StringComparison.Ordinal))[4..];
            var occurrence = $"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20261120T080000Z\r\nRECURRENCE-ID:20261204T090000Z\r\n"
                + "DTSTART:20261204T100000Z\r\nDTEND:20261204T110000Z\r\nSUMMARY:Moved occurrence\r\nEND:VEVENT\r\n";
            return master.Replace("END:VCALENDAR", occurrence + "END:VCALENDAR", StringComparison.Ordinal);
        });

        var reverted = await TickAsync(calendar);
        await DrainAsync();

        Assert.That(reverted.Counts.Conflicts, Is.EqualTo(1));
        var text = await PhoneReadsAsync(calendar);
        Assert.That(Occurrences(text, "BEGIN:VEVENT"), Is.EqualTo(1));
        Assert.That(EventPart(text), Does.Not.Contain("RECURRENCE-ID").And.Not.Contain("RRULE").And.Not.Contain("Moved occurrence"));
        Assert.That((await ActivityAsync(alice)).Select(e => e.GetProperty("kind").GetString()), Is.EqualTo(new[] { "remote_series_reverted" }));
    }

    private async Task<(HttpClient Alice, string Calendar, Guid AppointmentId)> OneSyncedAppointmentAsync()
    {
        var alice = As(Alice);
        var calendar = await NewCalendarAsync("phone");
        var appointmentId = await CreateAppointmentAsync(alice, "Oral hearing", startsAt: new DateTimeOffset(2026, 12, 3, 9, 0, 0, TimeSpan.Zero));
        await ConfigureAsync(Alice, calendar);
        await DrainAsync();
        Assert.That(await TitlesAsync(calendar), Is.EqualTo(new[] { "Oral hearing" }));
        return (alice, calendar, appointmentId);
    }

    private static async Task<Paliad.Application.CalDav.Sync.BindingSyncResult> TickAsync(string calendar)
        => await Engine.SyncBindingAsync(await BindingOnAsync(calendar), CancellationToken.None);

    private static Task<int> VersionOfAsync(Guid appointmentId)
        => ScalarAsync<int>("SELECT version FROM paliad.appointments WHERE id = @id", ("id", appointmentId));

    private static async Task<List<JsonElement>> ActivityAsync(HttpClient user)
        => (await ExpectAsync(user.GetAsync(new Uri("/api/caldav-activity", UriKind.Relative)), HttpStatusCode.OK)).EnumerateArray().ToList();

    private static int Occurrences(string text, string what) => text.Split(what).Length - 1;

    /// <summary>The events of a calendar object, without its VTIMEZONEs (whose RRULEs are the zone's, not a series).</summary>
    private static string EventPart(string text) => text[text.IndexOf("BEGIN:VEVENT", StringComparison.Ordinal)..];
}
