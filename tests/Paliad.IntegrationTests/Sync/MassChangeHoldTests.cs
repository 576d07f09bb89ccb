using System.Net;
using Paliad.Infrastructure.CalDav.ICalendar;

namespace Paliad.IntegrationTests.Sync;

/// <summary>A phone cannot rewrite the firm's calendar in one sync: more calendar edits at once than
/// Sync:MassChangeThreshold are held — nothing changes in Paliad, Paliad → calendar goes on — until the user applies
/// or reverts them.</summary>
public sealed class MassChangeHoldTests(string server) : SyncTest(server)
{
    private const string Alice = "alice@firm.example";
    private static readonly DateTimeOffset FirstStart = new(2027, 2, 1, 9, 0, 0, TimeSpan.Zero);

    [Test]
    public async Task Thirty_of_forty_events_shifted_an_hour_are_held_and_reverting_puts_paliads_times_back()
    {
        var (calendar, appointments) = await FortyAppointmentsInACalendarAsync();
        await ShiftOnThePhoneAsync(calendar, 30, TimeSpan.FromHours(1));

        await SyncAsync();

        Assert.That(await StartsAsync(appointments.Keys), Is.EqualTo(appointments), "nothing changed in Paliad");
        var binding = await BindingAsync();
        Assert.That(binding.GetProperty("syncStatus").GetString(), Is.EqualTo("held"));
        Assert.That(binding.GetProperty("heldChanges").GetInt32(), Is.EqualTo(30));
        Assert.That(await ActivityKindsAsync(), Is.EqualTo(new[] { "remote_edits_held" }));

        var decided = await ExpectAsync(PostAsync(As(Alice), $"/api/caldav-bindings/{binding.GetProperty("id").GetGuid()}/held-changes", new { action = "revert" }),
            HttpStatusCode.OK);

        Assert.That(decided.GetProperty("syncStatus").GetString(), Is.EqualTo("ok"));
        Assert.That(decided.GetProperty("heldChanges").GetInt32(), Is.Zero);
        Assert.That(await StartsAsync(appointments.Keys), Is.EqualTo(appointments));
        Assert.That((await EventsAsync(calendar)).Values.Select(e => e.StartsAt).Order(), Is.EqualTo(appointments.Values.Order()), "Paliad's times are back on the server");
        Assert.That(await ScalarAsync<long>("SELECT coalesce(sum(conflicts), 0) FROM paliad.caldav_sync_log"), Is.EqualTo(30));
        Assert.That(await ActivityKindsAsync(), Is.EqualTo(new[] { "held_edits_reverted", "remote_edits_held" }), "one line for the decision, none per event");
    }

    [Test]
    public async Task Applying_held_edits_takes_them_as_ordinary_pulled_edits()
    {
        var (calendar, appointments) = await FortyAppointmentsInACalendarAsync();
        var shifted = await ShiftOnThePhoneAsync(calendar, 30, TimeSpan.FromHours(1));
        await SyncAsync();
        var binding = (await BindingAsync()).GetProperty("id").GetGuid();

        var decided = await ExpectAsync(PostAsync(As(Alice), $"/api/caldav-bindings/{binding}/held-changes", new { action = "apply" }), HttpStatusCode.OK);

        Assert.That(decided.GetProperty("syncStatus").GetString(), Is.EqualTo("ok"));
        var now = await StartsAsync(appointments.Keys);
        Assert.That(now.Count(a => a.Value == appointments[a.Key] + TimeSpan.FromHours(1)), Is.EqualTo(30));
        Assert.That(now.Count(a => a.Value == appointments[a.Key]), Is.EqualTo(10));
        Assert.That(now.Values.Order(), Is.EqualTo((await EventsAsync(calendar)).Values.Select(e => e.StartsAt).Order()));
        Assert.That(shifted, Has.Count.EqualTo(30));
        Assert.That(await ActivityKindsAsync(), Is.EqualTo(new[] { "held_edits_applied", "remote_edits_held" }));
        await SyncAsync();
        Assert.That((await BindingAsync()).GetProperty("syncStatus").GetString(), Is.EqualTo("ok"), "nothing is held again");
    }

    [Test]
    public async Task A_decision_left_over_without_held_edits_does_not_wave_a_mass_change_through()
    {
        var (calendar, appointments) = await FortyAppointmentsInACalendarAsync();
        await ExecuteAsync("UPDATE paliad.calendar_bindings SET held_decision = 'apply', held_changes = 0");
        await ShiftOnThePhoneAsync(calendar, 30, TimeSpan.FromHours(1));

        await SyncAsync();

        Assert.That(await StartsAsync(appointments.Keys), Is.EqualTo(appointments));
        var binding = await BindingAsync();
        Assert.That((binding.GetProperty("syncStatus").GetString(), binding.GetProperty("heldChanges").GetInt32()), Is.EqualTo(("held", 30)));
        Assert.That(await ScalarAsync<string>("SELECT held_decision FROM paliad.calendar_bindings"), Is.Null, "held afresh: the user decides about these");
    }

    [Test]
    public async Task Applying_covers_only_as_many_edits_as_were_held()
    {
        var (calendar, appointments) = await FortyAppointmentsInACalendarAsync();
        await ShiftOnThePhoneAsync(calendar, 15, TimeSpan.FromHours(1));
        await SyncAsync();
        Assert.That((await BindingAsync()).GetProperty("heldChanges").GetInt32(), Is.EqualTo(15));
        await ExecuteAsync("UPDATE paliad.calendar_bindings SET held_decision = 'apply'"); // decided, but not carried out yet
        await ShiftOnThePhoneAsync(calendar, 30, TimeSpan.FromHours(2));

        await SyncAsync();

        Assert.That(await StartsAsync(appointments.Keys), Is.EqualTo(appointments), "30 edits, the user saw 15: held again");
        Assert.That((await BindingAsync()).GetProperty("heldChanges").GetInt32(), Is.EqualTo(30));
    }

    [Test]
    public async Task A_single_phone_edit_still_flows_as_before()
    {
        var (calendar, appointments) = await FortyAppointmentsInACalendarAsync();
        await ShiftOnThePhoneAsync(calendar, 1, TimeSpan.FromHours(1));

        await SyncAsync();

        var now = await StartsAsync(appointments.Keys);
        Assert.That(now.Count(a => a.Value != appointments[a.Key]), Is.EqualTo(1));
        var binding = await BindingAsync();
        Assert.That((binding.GetProperty("syncStatus").GetString(), binding.GetProperty("heldChanges").GetInt32()), Is.EqualTo(("ok", 0)));
        Assert.That(await ActivityKindsAsync(), Is.EqualTo(new[] { "remote_edit_applied" }));
    }

    [Test]
    public async Task Deciding_with_nothing_held_is_a_409_and_a_wrong_action_a_400()
    {
        var calendar = await NewCalendarAsync("court");
        await ConfigureAsync(Alice, calendar);
        var binding = (await BindingAsync()).GetProperty("id").GetGuid();

        await ExpectAsync(PostAsync(As(Alice), $"/api/caldav-bindings/{binding}/held-changes", new { action = "apply" }), HttpStatusCode.Conflict);
        var invalid = await ExpectAsync(PostAsync(As(Alice), $"/api/caldav-bindings/{binding}/held-changes", new { action = "ignore" }), HttpStatusCode.BadRequest);
        Assert.That(FieldErrors(invalid, "action"), Is.Not.Empty);
        await ExpectAsync(PostAsync(As("mallory@firm.example"), $"/api/caldav-bindings/{binding}/held-changes", new { action = "apply" }), HttpStatusCode.NotFound);
    }

    private async Task<(string Calendar, Dictionary<Guid, DateTimeOffset> Starts)> FortyAppointmentsInACalendarAsync()
    {
        var calendar = await NewCalendarAsync("court");
        await ConfigureAsync(Alice, calendar);
        var starts = new Dictionary<Guid, DateTimeOffset>();
        for (var i = 0; i < 40; i++)
        {
            var start = FirstStart.AddDays(i);
            starts[await CreateAppointmentAsync(As(Alice), $"Hearing {i}", startsAt: start)] = start;
        }

        await DrainAsync();
        await SyncAsync();
        Assert.That(await Phone.ListEtagsAsync(calendar), Has.Count.EqualTo(40));
        await ExecuteAsync("DELETE FROM paliad.caldav_activity");
        return (calendar, starts);
    }

    /// <summary>A phone moves <paramref name="count"/> events by <paramref name="shift"/> (a time-zone bug, say).</summary>
    private async Task<List<string>> ShiftOnThePhoneAsync(string calendar, int count, TimeSpan shift)
    {
        var hrefs = (await Phone.ListEtagsAsync(calendar)).Keys.Order(StringComparer.Ordinal).Take(count).ToList();
        foreach (var href in hrefs)
        {
            var current = (await Phone.GetAsync(href))!;
            ICalendarMapper.TryParse(current.ICalendar, "UTC", out var parsed, out _);
            var moved = ICalendarMapper.ToICalendar(
                new EventContent(parsed!.Uid, parsed.Title ?? string.Empty, parsed.Description, parsed.Location, parsed.StartsAt + shift, parsed.EndsAt + shift, false, "Europe/Berlin"),
                parsed.Sequence + 1, parsed.StartsAt, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow);
            await Phone.UpdateAsync(href, moved, current.Etag!);
        }

        return hrefs;
    }

    private async Task SyncAsync() => await ExpectAsync(As(Alice).PostAsync(new Uri("/api/caldav-sync", UriKind.Relative), null), HttpStatusCode.OK);

    private async Task<System.Text.Json.JsonElement> BindingAsync()
        => (await ExpectAsync(As(Alice).GetAsync(new Uri("/api/caldav-bindings", UriKind.Relative)), HttpStatusCode.OK)).EnumerateArray().Single();

    private async Task<Dictionary<Guid, DateTimeOffset>> StartsAsync(IEnumerable<Guid> ids)
    {
        var starts = new Dictionary<Guid, DateTimeOffset>();
        foreach (var id in ids)
        {
            starts[id] = (await ExpectAsync(As(Alice).GetAsync(new Uri($"/api/appointments/{id}", UriKind.Relative)), HttpStatusCode.OK)).GetProperty("startsAt").GetDateTimeOffset();
        }

        return starts;
    }

    private async Task<string[]> ActivityKindsAsync()
    {
        await DrainAsync();
        var feed = await ExpectAsync(As(Alice).GetAsync(new Uri("/api/caldav-activity", UriKind.Relative)), HttpStatusCode.OK);
        return feed.EnumerateArray().Select(e => e.GetProperty("kind").GetString()!).ToArray();
    }
}
