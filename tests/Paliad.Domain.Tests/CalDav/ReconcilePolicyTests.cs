using Paliad.Domain.CalDav;

namespace Paliad.Domain.Tests.CalDav;

public sealed class ReconcilePolicyTests
{
    /// <summary>A server's copy that changed, readable, with its own fields changed, not a series, by a viewer — each
    /// test names what differs.</summary>
    private static ReconcileInput Changed(bool localChanged = false) => new()
    {
        Remote = RemoteCopyState.Changed,
        LocalChanged = localChanged,
        RemoteReadable = true,
        RemoteOwnFieldsChanged = true,
    };

    [TestCase(false, true, true)]
    [TestCase(true, false, false)]
    [TestCase(true, true, true)]
    public void A_deleted_remote_event_is_restored_whatever_else_holds(bool localChanged, bool readable, bool mayEdit)
    {
        var input = Changed(localChanged) with { Remote = RemoteCopyState.Deleted, RemoteReadable = readable, UserMayEdit = mayEdit, RemoteIsSeries = true };

        Assert.That(ReconcilePolicy.Decide(input), Is.EqualTo(ReconcileDecision.Restore));
    }

    [TestCase(false, true, true)]
    [TestCase(true, false, false)]
    [TestCase(true, true, true)]
    public void An_unchanged_remote_event_needs_nothing_here(bool localChanged, bool readable, bool mayEdit)
    {
        var input = Changed(localChanged) with { Remote = RemoteCopyState.Unchanged, RemoteReadable = readable, UserMayEdit = mayEdit, RemoteIsSeries = true };

        Assert.That(ReconcilePolicy.Decide(input), Is.EqualTo(ReconcileDecision.Nothing));
    }

    [TestCase(true, true)]
    [TestCase(false, true)]
    [TestCase(true, false)]
    [TestCase(false, false)]
    public void When_both_sides_changed_Paliad_wins_and_a_conflict_is_counted(bool readable, bool mayEdit)
    {
        var input = Changed(localChanged: true) with { RemoteReadable = readable, UserMayEdit = mayEdit };

        Assert.That(ReconcilePolicy.Decide(input), Is.EqualTo(ReconcileDecision.OverwriteRemoteCountConflict));
    }

    [Test]
    public void A_readable_remote_only_edit_is_applied_when_the_user_may_edit()
    {
        Assert.That(ReconcilePolicy.Decide(Changed() with { UserMayEdit = true }), Is.EqualTo(ReconcileDecision.ApplyRemoteEdit));
    }

    [TestCase(false, true)]
    [TestCase(true, false)]
    [TestCase(false, false)]
    public void An_unreadable_edit_or_one_by_a_viewer_is_overwritten_without_a_conflict(bool readable, bool mayEdit)
    {
        var input = Changed() with { RemoteReadable = readable, UserMayEdit = mayEdit };

        Assert.That(ReconcilePolicy.Decide(input), Is.EqualTo(ReconcileDecision.OverwriteRemote));
    }

    [TestCase(RemoteCopyState.Changed, false, true, true)]
    [TestCase(RemoteCopyState.Unknown, false, true, true)]
    [TestCase(RemoteCopyState.Deleted, false, true, false)]
    [TestCase(RemoteCopyState.Unchanged, false, true, false)]
    [TestCase(RemoteCopyState.Changed, true, true, false)]
    [TestCase(RemoteCopyState.Changed, false, false, false)]
    public void The_edit_right_is_needed_only_for_a_readable_remote_only_edit(RemoteCopyState remote, bool localChanged, bool readable, bool needed)
    {
        var input = Changed(localChanged) with { Remote = remote, RemoteReadable = readable };

        Assert.That(ReconcilePolicy.NeedsEditRight(input), Is.EqualTo(needed));
    }

    [TestCase(false, false)]
    [TestCase(true, true)]
    public void The_edit_right_is_not_needed_for_a_series_or_a_foreign_only_change(bool ownFieldsChanged, bool series)
    {
        var input = Changed() with { RemoteOwnFieldsChanged = ownFieldsChanged, RemoteIsSeries = series };

        Assert.That(ReconcilePolicy.NeedsEditRight(input), Is.False);
    }

    [TestCase(true)]
    [TestCase(false)]
    public void A_change_of_only_what_other_clients_own_is_kept_and_writes_nothing(bool mayEdit)
    {
        var input = Changed() with { UserMayEdit = mayEdit, RemoteOwnFieldsChanged = false };

        Assert.That(ReconcilePolicy.Decide(input), Is.EqualTo(ReconcileDecision.KeepRemote));
    }

    [TestCase(true)]
    [TestCase(false)]
    public void A_Paliad_change_meeting_only_other_clients_additions_is_merged_without_a_conflict(bool mayEdit)
    {
        var decision = ReconcilePolicy.Decide(Changed(localChanged: true) with { UserMayEdit = mayEdit, RemoteOwnFieldsChanged = false });

        Assert.That(decision, Is.EqualTo(ReconcileDecision.PushMerged));
        Assert.That(ReconcilePolicy.CountsConflict(decision), Is.False);
    }

    [TestCase(false, true)]
    [TestCase(true, true)]
    [TestCase(false, false)]
    [TestCase(true, false)]
    public void A_series_is_reverted_and_counted_whatever_else_changed(bool localChanged, bool ownFieldsChanged)
    {
        var decision = ReconcilePolicy.Decide(Changed(localChanged) with { UserMayEdit = true, RemoteOwnFieldsChanged = ownFieldsChanged, RemoteIsSeries = true });

        Assert.That(decision, Is.EqualTo(ReconcileDecision.RevertSeries));
        Assert.That(ReconcilePolicy.CountsConflict(decision), Is.True);
    }

    [Test]
    public void A_series_that_cannot_be_read_is_overwritten_as_unreadable()
    {
        var input = Changed() with { RemoteReadable = false, UserMayEdit = true, RemoteIsSeries = true };

        Assert.That(ReconcilePolicy.Decide(input), Is.EqualTo(ReconcileDecision.OverwriteRemote));
    }

    [TestCase(true, true, ReconcileDecision.PushMerged)]
    [TestCase(true, false, ReconcileDecision.PushMerged)]
    [TestCase(false, true, ReconcileDecision.ApplyRemoteEdit)]
    [TestCase(false, false, ReconcileDecision.Nothing)]
    public void A_copy_without_a_known_ETag_never_counts_a_conflict(bool localChanged, bool mayEdit, ReconcileDecision expected)
    {
        var decision = ReconcilePolicy.Decide(Changed(localChanged) with { Remote = RemoteCopyState.Unknown, UserMayEdit = mayEdit });

        Assert.That(decision, Is.EqualTo(expected));
        Assert.That(ReconcilePolicy.CountsConflict(decision), Is.False);
    }

    [TestCase(false, true, false)]
    [TestCase(true, false, false)]
    [TestCase(true, true, true)]
    public void A_copy_without_a_known_ETag_applies_only_a_readable_edit_of_Paliads_fields(bool readable, bool ownFieldsChanged, bool series)
    {
        var input = Changed() with
        {
            Remote = RemoteCopyState.Unknown, UserMayEdit = true, RemoteReadable = readable, RemoteOwnFieldsChanged = ownFieldsChanged, RemoteIsSeries = series,
        };

        Assert.That(ReconcilePolicy.Decide(input), Is.EqualTo(ReconcileDecision.Nothing));
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

    [TestCase(ReconcileDecision.OverwriteRemoteCountConflict, true)]
    [TestCase(ReconcileDecision.RevertSeries, true)]
    [TestCase(ReconcileDecision.OverwriteRemote, true)]
    [TestCase(ReconcileDecision.PushMerged, true)]
    [TestCase(ReconcileDecision.KeepRemote, false)]
    [TestCase(ReconcileDecision.ApplyRemoteEdit, false)]
    [TestCase(ReconcileDecision.Restore, false)]
    [TestCase(ReconcileDecision.Nothing, false)]
    public void Paliads_version_is_written_over_the_copy_only_when_the_decision_says_so(ReconcileDecision decision, bool writes)
    {
        Assert.That(ReconcilePolicy.WritesOver(decision), Is.EqualTo(writes));
    }
}
