using Paliad.Domain.CalDav;
using Paliad.Infrastructure.CalDav;

namespace Paliad.UnitTests.Sync;

/// <summary>The push phase on an in-memory calendar: what is written, with which precondition, and what is recorded.</summary>
public sealed class PushPhaseTests
{
    [Test]
    public async Task A_new_appointment_is_created_once_and_its_copy_recorded_with_the_servers_ETag()
    {
        var rig = new PhaseRig();
        var hearing = rig.Personal();

        var tick = await rig.TickAsync();

        var copy = rig.Book.CopyOf(hearing);
        Assert.That(rig.Calendar.Requests.Count(r => r.StartsWith("PUT-create", StringComparison.Ordinal)), Is.EqualTo(1));
        Assert.That(copy.CalDavEtag, Is.EqualTo(rig.Calendar.Events[copy.CalDavHref].Etag));
        Assert.That(copy.SyncedVersion, Is.EqualTo(hearing.Version));
        Assert.That(PhaseRig.Summary(rig.EventOf(hearing)), Is.EqualTo("Hearing"));
        Assert.That(tick.Tally.Counts, Is.EqualTo(SyncCounts.None with { Pushed = 1 }));
    }

    [Test]
    public async Task An_unchanged_appointment_is_not_written_again()
    {
        var rig = new PhaseRig();
        rig.Personal();
        await rig.TickAsync();
        rig.Calendar.Requests.Clear();

        var tick = await rig.TickAsync();

        Assert.That(rig.Calendar.Requests.Where(r => r.StartsWith("PUT", StringComparison.Ordinal)), Is.Empty);
        Assert.That(tick.Tally.Counts, Is.EqualTo(SyncCounts.None));
    }

    [Test]
    public async Task A_changed_appointment_is_written_with_If_Match_and_the_copy_learns_the_new_ETag()
    {
        var rig = new PhaseRig();
        var hearing = rig.Personal();
        await rig.TickAsync();
        hearing.Change(hearing.Details with { Title = "Hearing moved" }, PhaseRig.Now);

        var tick = await rig.TickAsync();

        var copy = rig.Book.CopyOf(hearing);
        Assert.That(rig.Calendar.Requests, Has.Some.StartsWith("PUT-update"));
        Assert.That(PhaseRig.Summary(rig.EventOf(hearing)), Is.EqualTo("Hearing moved"));
        Assert.That(copy.CalDavEtag, Is.EqualTo(rig.Calendar.Events[copy.CalDavHref].Etag));
        Assert.That(tick.Tally.Counts, Is.EqualTo(SyncCounts.None with { Updated = 1 }));
    }

    [Test]
    public async Task A_Paliad_change_meeting_a_phones_edit_wins_counts_a_conflict_and_tells_the_user()
    {
        var rig = new PhaseRig();
        var hearing = rig.Personal();
        await rig.TickAsync();
        rig.PhoneEdits(hearing, ics => ics.Replace("SUMMARY:Hearing", "SUMMARY:Phone title", StringComparison.Ordinal));
        hearing.Change(hearing.Details with { Title = "Paliad title" }, PhaseRig.Now);

        var tick = rig.NewTick();
        await tick.PushAppointmentsAsync([hearing.Id], CancellationToken.None);

        Assert.That(PhaseRig.Summary(rig.EventOf(hearing)), Is.EqualTo("Paliad title"));
        Assert.That(tick.Tally.Counts, Is.EqualTo(SyncCounts.None with { Updated = 1, Conflicts = 1 }));
        Assert.That(rig.Book.Recorded.OfType<RemoteEditOverwritten>().Single().RemoteTitle, Is.EqualTo("Phone title"));
    }

    [Test]
    public async Task A_copy_deleted_on_the_server_before_Paliad_updates_it_is_put_back_and_counted_restored()
    {
        var rig = new PhaseRig();
        var hearing = rig.Personal();
        await rig.TickAsync();
        rig.Calendar.PhoneDeletes(rig.Book.CopyOf(hearing).CalDavHref);
        hearing.Change(hearing.Details with { Title = "Hearing moved" }, PhaseRig.Now);

        var tick = rig.NewTick();
        await tick.PushAppointmentsAsync([hearing.Id], CancellationToken.None);

        Assert.That(PhaseRig.Summary(rig.EventOf(hearing)), Is.EqualTo("Hearing moved"));
        Assert.That(tick.Tally.Counts, Is.EqualTo(SyncCounts.None with { Restored = 1 }));
        Assert.That(rig.Book.Recorded.OfType<RemoteDeletionReverted>(), Has.Exactly(1).Items);
    }

    [Test]
    public async Task A_missing_calendar_is_created_once_however_many_events_find_it_missing()
    {
        var rig = new PhaseRig();
        rig.Calendar.Exists = false;
        for (var i = 0; i < 6; i++)
        {
            rig.Personal($"Hearing {i}");
        }

        var tick = await rig.TickAsync();

        Assert.That(rig.Calendar.Requests.Count(r => r.StartsWith("MKCALENDAR", StringComparison.Ordinal)), Is.EqualTo(1));
        Assert.That(rig.Calendar.Events, Has.Count.EqualTo(6));
        Assert.That(tick.Tally.Counts.Pushed, Is.EqualTo(6));
    }

    [Test]
    public async Task An_event_the_server_already_holds_at_its_href_is_adopted_not_duplicated()
    {
        var rig = new PhaseRig();
        var hearing = rig.Personal();
        await rig.TickAsync();
        var href = rig.Book.CopyOf(hearing).CalDavHref;
        rig.Book.Copies.Clear(); // the record of the first write was lost

        await rig.TickAsync();

        Assert.That(rig.Calendar.Events.Keys, Is.EqualTo(new[] { href }));
        Assert.That(rig.Book.CopyOf(hearing).CalDavEtag, Is.EqualTo(rig.Calendar.Events[href].Etag));
    }

    [Test]
    public async Task A_create_whose_record_is_refused_is_taken_back_off_the_server()
    {
        var rig = new PhaseRig();
        var hearing = rig.Personal();
        rig.Book.RefuseSaves(times: 2); // the batch, then the event alone

        var tick = await rig.TickAsync();

        Assert.That(rig.Calendar.Events, Is.Empty);
        Assert.That(rig.Book.Copies, Is.Empty);
        Assert.That(tick.Tally.Counts.Pushed, Is.Zero);
        Assert.That(tick.Tally.Problems.Single(), Does.StartWith(hearing.Id.ToString()));
        Assert.That(tick.PushedEverything, Is.False);
    }

    [Test]
    public async Task One_event_the_server_refuses_is_a_problem_of_that_event_and_the_others_are_written()
    {
        var rig = new PhaseRig();
        rig.Personal("First");
        rig.Personal("Second");
        rig.Calendar.FailNext("create", new CalDavForbiddenException("no"));

        var tick = await rig.TickAsync();

        Assert.That(rig.Calendar.Events, Has.Count.EqualTo(1));
        Assert.That(tick.Tally.Problems, Has.Count.EqualTo(1));
        Assert.That(tick.PushedEverything, Is.False);
    }

    [Test]
    public void An_unauthorised_account_ends_the_tick_and_records_no_copy()
    {
        var rig = new PhaseRig();
        rig.Personal();
        rig.Calendar.FailNext("create", new CalDavUnauthorizedException("401"));

        Assert.ThrowsAsync<CalDavUnauthorizedException>(() => rig.TickAsync());
        Assert.That(rig.Book.Copies, Is.Empty);
    }

    [Test]
    public async Task What_another_client_added_survives_Paliads_update()
    {
        var rig = new PhaseRig();
        var hearing = rig.Personal();
        await rig.TickAsync();
        rig.PhoneEdits(hearing, ics => ics.Replace("END:VEVENT", "CATEGORIES:Court\r\nEND:VEVENT", StringComparison.Ordinal));
        await rig.TickAsync(); // the pull learns the category
        hearing.Change(hearing.Details with { Title = "Hearing moved" }, PhaseRig.Now);

        var tick = await rig.TickAsync();

        Assert.That(rig.EventOf(hearing), Does.Contain("CATEGORIES:Court").And.Contain("SUMMARY:Hearing moved"));
        Assert.That(tick.Tally.Counts.Conflicts, Is.Zero);
    }
}
