using Paliad.Domain.CalDav;

namespace Paliad.Domain.Tests.CalDav;

public sealed class ReconcilePolicyTests
{
    [TestCase(false, false, true, true)]
    [TestCase(true, false, false, false)]
    [TestCase(true, true, true, true)]
    public void A_deleted_remote_event_is_restored_whatever_else_holds(bool remoteChanged, bool localChanged, bool readable, bool mayEdit)
    {
        Assert.That(ReconcilePolicy.Decide(remoteDeleted: true, remoteChanged, localChanged, readable, mayEdit), Is.EqualTo(ReconcileDecision.Restore));
    }

    [TestCase(false, true, true)]
    [TestCase(true, false, false)]
    [TestCase(true, true, true)]
    public void An_unchanged_remote_event_needs_nothing_here(bool localChanged, bool readable, bool mayEdit)
    {
        Assert.That(ReconcilePolicy.Decide(remoteDeleted: false, remoteChanged: false, localChanged, readable, mayEdit), Is.EqualTo(ReconcileDecision.Nothing));
    }

    [TestCase(true, true)]
    [TestCase(false, true)]
    [TestCase(true, false)]
    [TestCase(false, false)]
    public void When_both_sides_changed_Paliad_wins_and_a_conflict_is_counted(bool readable, bool mayEdit)
    {
        Assert.That(ReconcilePolicy.Decide(false, remoteChanged: true, localChanged: true, readable, mayEdit),
            Is.EqualTo(ReconcileDecision.OverwriteRemoteCountConflict));
    }

    [Test]
    public void A_readable_remote_only_edit_is_applied_when_the_user_may_edit()
    {
        Assert.That(ReconcilePolicy.Decide(false, true, false, true, true), Is.EqualTo(ReconcileDecision.ApplyRemoteEdit));
    }

    [TestCase(false, true)]
    [TestCase(true, false)]
    [TestCase(false, false)]
    public void An_unreadable_edit_or_one_by_a_viewer_is_overwritten_without_a_conflict(bool readable, bool mayEdit)
    {
        Assert.That(ReconcilePolicy.Decide(false, true, false, readable, mayEdit), Is.EqualTo(ReconcileDecision.OverwriteRemote));
    }

    [TestCase(false, true, false, true, true)]
    [TestCase(true, true, false, true, false)]
    [TestCase(false, false, false, true, false)]
    [TestCase(false, true, true, true, false)]
    [TestCase(false, true, false, false, false)]
    public void The_edit_right_is_needed_only_for_a_readable_remote_only_edit(bool deleted, bool remoteChanged, bool localChanged, bool readable, bool needed)
    {
        Assert.That(ReconcilePolicy.NeedsEditRight(deleted, remoteChanged, localChanged, readable), Is.EqualTo(needed));
    }

    [TestCase(true)]
    [TestCase(false)]
    public void A_change_of_only_what_other_clients_own_is_kept_and_writes_nothing(bool mayEdit)
    {
        Assert.That(ReconcilePolicy.Decide(false, true, false, true, mayEdit, remoteOwnFieldsChanged: false), Is.EqualTo(ReconcileDecision.KeepRemote));
    }

    [TestCase(true)]
    [TestCase(false)]
    public void A_Paliad_change_meeting_only_other_clients_additions_is_merged_without_a_conflict(bool mayEdit)
    {
        var decision = ReconcilePolicy.Decide(false, true, true, true, mayEdit, remoteOwnFieldsChanged: false);

        Assert.That(decision, Is.EqualTo(ReconcileDecision.PushMerged));
        Assert.That(ReconcilePolicy.CountsConflict(decision), Is.False);
    }

    [TestCase(false, true)]
    [TestCase(true, true)]
    [TestCase(false, false)]
    [TestCase(true, false)]
    public void A_series_is_reverted_and_counted_whatever_else_changed(bool localChanged, bool ownFieldsChanged)
    {
        var decision = ReconcilePolicy.Decide(false, true, localChanged, true, true, ownFieldsChanged, remoteIsSeries: true);

        Assert.That(decision, Is.EqualTo(ReconcileDecision.RevertSeries));
        Assert.That(ReconcilePolicy.CountsConflict(decision), Is.True);
    }

    [Test]
    public void A_series_that_cannot_be_read_is_overwritten_as_unreadable()
    {
        Assert.That(ReconcilePolicy.Decide(false, true, false, false, true, remoteIsSeries: true), Is.EqualTo(ReconcileDecision.OverwriteRemote));
    }

    [Test]
    public void Deletion_and_an_unchanged_copy_come_before_a_series()
    {
        Assert.That(ReconcilePolicy.Decide(true, true, false, true, true, remoteIsSeries: true), Is.EqualTo(ReconcileDecision.Restore));
        Assert.That(ReconcilePolicy.Decide(false, false, false, true, true, remoteIsSeries: true), Is.EqualTo(ReconcileDecision.Nothing));
    }

    [TestCase(ReconcileDecision.OverwriteRemoteCountConflict, true)]
    [TestCase(ReconcileDecision.RevertSeries, true)]
    [TestCase(ReconcileDecision.OverwriteRemote, false)]
    [TestCase(ReconcileDecision.PushMerged, false)]
    [TestCase(ReconcileDecision.KeepRemote, false)]
    [TestCase(ReconcileDecision.ApplyRemoteEdit, false)]
    [TestCase(ReconcileDecision.Restore, false)]
    [TestCase(ReconcileDecision.Nothing, false)]
    public void Only_a_lost_edit_of_Paliads_fields_counts_as_a_conflict(ReconcileDecision decision, bool counts)
    {
        Assert.That(ReconcilePolicy.CountsConflict(decision), Is.EqualTo(counts));
    }

    [TestCase(false, false)]
    [TestCase(true, true)]
    public void The_edit_right_is_not_needed_for_a_series_or_a_foreign_only_change(bool ownFieldsChanged, bool series)
    {
        Assert.That(ReconcilePolicy.NeedsEditRight(false, true, false, true, ownFieldsChanged, series), Is.False);
    }
}
