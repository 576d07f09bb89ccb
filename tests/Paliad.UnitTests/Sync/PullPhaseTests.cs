using Paliad.Domain.CalDav;
using Paliad.Domain.Projects;
using Paliad.Infrastructure.Sync;

namespace Paliad.UnitTests.Sync;

/// <summary>The pull phase on an in-memory calendar: what a phone's change does to Paliad, decided by the policy.</summary>
public sealed class PullPhaseTests
{
    private static string Retitle(string ics, string title) => ics.Replace("SUMMARY:Hearing", $"SUMMARY:{title}", StringComparison.Ordinal);

    [Test]
    public async Task A_phones_edit_of_a_personal_appointment_is_applied_and_fanned_out_once()
    {
        var rig = new PhaseRig();
        var hearing = rig.Personal();
        await rig.TickAsync();
        rig.PhoneEdits(hearing, ics => Retitle(ics, "Hearing (phone)"));

        var tick = await rig.TickAsync();

        Assert.That(hearing.Title, Is.EqualTo("Hearing (phone)"));
        Assert.That(tick.Tally.Counts, Is.EqualTo(SyncCounts.None with { Pulled = 1 }));
        Assert.That(rig.Book.Recorded.OfType<CalendarEditsPulled>().Single().AppointmentIds, Is.EqualTo(new[] { hearing.Id }));
        Assert.That(rig.Book.Recorded.OfType<RemoteEditApplied>().Single().ChangedFields, Is.EqualTo(new[] { "title" }));
        Assert.That(rig.Calendar.Requests.Where(r => r.StartsWith("PUT", StringComparison.Ordinal)), Has.Exactly(1).Items, "the applied edit is not written back");
    }

    [Test]
    public async Task A_phones_edit_of_an_appointment_the_user_may_only_view_is_overwritten()
    {
        var project = Guid.CreateVersion7();
        var rig = new PhaseRig();
        rig.Book.Roles[project] = ProjectRole.Viewer;
        var hearing = rig.Personal(projectId: project, owner: Guid.CreateVersion7());
        await rig.TickAsync();
        rig.PhoneEdits(hearing, ics => Retitle(ics, "Hearing (phone)"));

        var tick = await rig.TickAsync();

        Assert.That(hearing.Title, Is.EqualTo("Hearing"));
        Assert.That(PhaseRig.Summary(rig.EventOf(hearing)), Is.EqualTo("Hearing"));
        Assert.That(tick.Tally.Counts, Is.EqualTo(SyncCounts.None with { Updated = 1 }));
        Assert.That(rig.Book.Recorded.OfType<RemoteEditOverwritten>().Single().Loss, Is.EqualTo(RemoteEditLoss.ViewOnly));
    }

    [Test]
    public async Task An_editor_of_the_project_gets_the_phones_edit_applied()
    {
        var project = Guid.CreateVersion7();
        var rig = new PhaseRig();
        rig.Book.Roles[project] = ProjectRole.Editor;
        var hearing = rig.Personal(projectId: project, owner: Guid.CreateVersion7());
        await rig.TickAsync();
        rig.PhoneEdits(hearing, ics => Retitle(ics, "Hearing (phone)"));

        await rig.TickAsync();

        Assert.That(hearing.Title, Is.EqualTo("Hearing (phone)"));
    }

    [Test]
    public async Task An_event_a_phone_deleted_is_restored_never_deleted_in_Paliad()
    {
        var rig = new PhaseRig();
        var hearing = rig.Personal();
        await rig.TickAsync();
        rig.Calendar.PhoneDeletes(rig.Book.CopyOf(hearing).CalDavHref);

        var tick = await rig.TickAsync();

        Assert.That(PhaseRig.Summary(rig.EventOf(hearing)), Is.EqualTo("Hearing"));
        Assert.That(rig.Book.Carried, Does.Contain(hearing));
        Assert.That(tick.Tally.Counts, Is.EqualTo(SyncCounts.None with { Restored = 1 }));
        Assert.That(rig.Book.Recorded.OfType<RemoteDeletionReverted>(), Has.Exactly(1).Items);
    }

    [Test]
    public async Task A_phone_turning_the_event_into_a_series_is_reverted_and_counted()
    {
        var rig = new PhaseRig();
        var hearing = rig.Personal();
        await rig.TickAsync();
        rig.PhoneEdits(hearing, ics => ics.Replace("END:VEVENT", "RRULE:FREQ=WEEKLY;COUNT=3\r\nEND:VEVENT", StringComparison.Ordinal));

        var tick = await rig.TickAsync();

        Assert.That(rig.EventOf(hearing), Does.Not.Contain("RRULE:FREQ=WEEKLY"));
        Assert.That(tick.Tally.Counts, Is.EqualTo(SyncCounts.None with { Updated = 1, Conflicts = 1 }));
        Assert.That(rig.Book.Recorded.OfType<RemoteSeriesReverted>(), Has.Exactly(1).Items);
    }

    [Test]
    public async Task An_unchanged_calendar_costs_one_request_and_changes_nothing()
    {
        var rig = new PhaseRig();
        rig.Personal();
        await rig.TickAsync();
        rig.Calendar.Requests.Clear();

        await rig.TickAsync(PushDetection.NothingChanged);

        Assert.That(rig.Calendar.Requests, Is.EqualTo(new[] { "PROPFIND" }));
    }

    [Test]
    public async Task A_lost_change_log_falls_back_to_a_full_listing_and_still_finds_the_edit()
    {
        var rig = new PhaseRig();
        var hearing = rig.Personal();
        await rig.TickAsync();
        rig.PhoneEdits(hearing, ics => Retitle(ics, "Hearing (phone)"));
        rig.Calendar.ForgetChangeLog();

        await rig.TickAsync();

        Assert.That(hearing.Title, Is.EqualTo("Hearing (phone)"));
        Assert.That(rig.Binding.SyncToken, Is.EqualTo(rig.Calendar.SyncToken));
    }

    [Test]
    public async Task A_mass_change_is_held_until_the_user_decides_and_nothing_is_applied_or_overwritten()
    {
        var rig = new PhaseRig();
        var hearings = Enumerable.Range(0, 12).Select(_ => rig.Personal()).ToList();
        await rig.TickAsync();
        foreach (var hearing in hearings)
        {
            rig.PhoneEdits(hearing, ics => Retitle(ics, "Shifted"));
        }

        rig.Calendar.Requests.Clear();
        var tick = await rig.TickAsync();

        Assert.That(hearings.Select(h => h.Title), Is.All.EqualTo("Hearing"));
        Assert.That(rig.Binding.HeldChanges, Is.EqualTo(12));
        Assert.That(rig.Calendar.Requests.Where(r => r.StartsWith("PUT", StringComparison.Ordinal)), Is.Empty);
        Assert.That(tick.Tally.Counts, Is.EqualTo(SyncCounts.None));
    }

    [Test]
    public async Task Held_edits_the_user_applies_are_applied_together_with_one_activity_line()
    {
        var rig = new PhaseRig();
        var hearings = Enumerable.Range(0, 12).Select(_ => rig.Personal()).ToList();
        await rig.TickAsync();
        foreach (var hearing in hearings)
        {
            rig.PhoneEdits(hearing, ics => Retitle(ics, "Shifted"));
        }

        await rig.TickAsync();
        rig.Binding.DecideHeldEdits(HeldDecision.Apply, PhaseRig.Now);

        var tick = await rig.TickAsync();

        Assert.That(hearings.Select(h => h.Title), Is.All.EqualTo("Shifted"));
        Assert.That(tick.Tally.Counts.Pulled, Is.EqualTo(12));
        Assert.That(rig.Book.Recorded.OfType<RemoteEditApplied>(), Is.Empty);
        Assert.That(rig.Binding.HeldChanges, Is.Zero);
    }

    [Test]
    public async Task An_unreadable_copy_is_overwritten_with_Paliads_version()
    {
        var rig = new PhaseRig();
        var hearing = rig.Personal();
        await rig.TickAsync();
        rig.PhoneEdits(hearing, _ => "BEGIN:VCALENDAR\r\nnot an event\r\nEND:VCALENDAR\r\n");

        var tick = await rig.TickAsync();

        Assert.That(PhaseRig.Summary(rig.EventOf(hearing)), Is.EqualTo("Hearing"));
        Assert.That(tick.Tally.Counts, Is.EqualTo(SyncCounts.None with { Updated = 1 }));
        Assert.That(rig.Book.Recorded.OfType<RemoteEditOverwritten>().Single().Loss, Is.EqualTo(RemoteEditLoss.Unreadable));
    }
}
