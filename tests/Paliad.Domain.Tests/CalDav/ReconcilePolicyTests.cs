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
}
