using Paliad.Domain.CalDav;

namespace Paliad.UnitTests.Sync;

/// <summary>The removal phase on an in-memory calendar: events leave with their ETag, and a phone's edit made since is
/// judged before they go.</summary>
public sealed class RemovalPhaseTests
{
    [Test]
    public async Task An_appointment_that_left_the_scope_leaves_the_calendar_with_If_Match()
    {
        var rig = new PhaseRig();
        var hearing = rig.Personal();
        await rig.TickAsync();
        var href = rig.Book.CopyOf(hearing).CalDavHref;
        rig.Book.Carried.Remove(hearing);
        rig.Book.Elsewhere.Add(hearing);

        var tick = await rig.TickAsync();

        Assert.That(rig.Calendar.Events, Does.Not.ContainKey(href));
        Assert.That(rig.Book.Copies, Is.Empty);
        Assert.That(tick.Tally.Counts, Is.EqualTo(SyncCounts.None with { Deleted = 1 }));
    }

    [Test]
    public async Task A_phones_edit_made_before_the_event_leaves_is_applied_first()
    {
        var rig = new PhaseRig();
        var hearing = rig.Personal();
        await rig.TickAsync();
        rig.PhoneEdits(hearing, ics => ics.Replace("SUMMARY:Hearing", "SUMMARY:Hearing (phone)", StringComparison.Ordinal));
        rig.Book.Carried.Remove(hearing);
        rig.Book.Elsewhere.Add(hearing);

        var tick = await rig.TickAsync();

        Assert.That(hearing.Title, Is.EqualTo("Hearing (phone)"));
        Assert.That(rig.Calendar.Events, Is.Empty);
        Assert.That(tick.Tally.Counts, Is.EqualTo(SyncCounts.None with { Deleted = 1, Pulled = 1 }));
        Assert.That(rig.Book.Recorded.OfType<CalendarEditsPulled>().Single().AppointmentIds, Is.EqualTo(new[] { hearing.Id }));
    }

    [Test]
    public async Task A_phones_edit_the_user_may_not_make_goes_with_the_event_as_a_conflict()
    {
        var rig = new PhaseRig();
        var hearing = rig.Personal(projectId: Guid.CreateVersion7(), owner: Guid.CreateVersion7());
        await rig.TickAsync();
        rig.PhoneEdits(hearing, ics => ics.Replace("SUMMARY:Hearing", "SUMMARY:Hearing (phone)", StringComparison.Ordinal));
        rig.Book.Carried.Remove(hearing);
        rig.Book.Elsewhere.Add(hearing);

        var tick = await rig.TickAsync();

        Assert.That(hearing.Title, Is.EqualTo("Hearing"));
        Assert.That(rig.Calendar.Events, Is.Empty);
        Assert.That(tick.Tally.Counts, Is.EqualTo(SyncCounts.None with { Deleted = 1, Conflicts = 1 }));
    }

    [Test]
    public async Task An_event_already_gone_counts_as_removed()
    {
        var rig = new PhaseRig();
        var hearing = rig.Personal();
        await rig.TickAsync();
        rig.Calendar.PhoneDeletes(rig.Book.CopyOf(hearing).CalDavHref);
        rig.Book.Carried.Remove(hearing);

        var tick = await rig.TickAsync();

        Assert.That(rig.Book.Copies, Is.Empty);
        Assert.That(tick.Tally.Problems, Is.Empty);
    }

    [Test]
    public async Task Events_the_outbox_names_are_removed_by_href()
    {
        var rig = new PhaseRig();
        var hearing = rig.Personal();
        await rig.TickAsync();
        var copy = rig.Book.CopyOf(hearing);

        var tick = rig.NewTick();
        await tick.RemoveEventsAsync([new RemoteEventLocation(rig.Binding.Id, PhaseRig.User, copy.CalDavHref, copy.CalDavEtag)], CancellationToken.None);

        Assert.That(rig.Calendar.Events, Is.Empty);
        Assert.That(tick.Tally.Counts.Deleted, Is.EqualTo(1));
    }

    [Test]
    public async Task A_binding_moved_to_another_calendar_takes_its_events_out_of_the_old_one()
    {
        var rig = new PhaseRig();
        rig.Personal();
        await rig.TickAsync();

        var tick = rig.NewTick();
        await tick.LeaveOtherCalendarsAsync("/cal/user/other/", CancellationToken.None);

        Assert.That(rig.Calendar.Events, Is.Empty);
        Assert.That(rig.Book.Copies, Is.Empty);
        Assert.That(tick.Tally.Counts.Deleted, Is.EqualTo(1));
    }

    [Test]
    public async Task Events_in_the_bindings_calendar_stay_when_it_has_not_moved()
    {
        var rig = new PhaseRig();
        rig.Personal();
        await rig.TickAsync();

        var tick = rig.NewTick();
        await tick.LeaveOtherCalendarsAsync(rig.Binding.CalendarPath, CancellationToken.None);

        Assert.That(rig.Calendar.Events, Has.Count.EqualTo(1));
        Assert.That(tick.Tally.Counts, Is.EqualTo(SyncCounts.None));
    }
}
