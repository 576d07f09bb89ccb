namespace Paliad.Domain.CalDav;

/// <summary>What to do with one event after comparing Paliad's appointment, the server's copy and what was last
/// synced.</summary>
public enum ReconcileDecision
{
    /// <summary>The server's copy is what Paliad last wrote or read: nothing to do here (a local change is pushed).</summary>
    Nothing,

    /// <summary>Only the server's copy changed, it is readable and the binding's user may edit the appointment:
    /// apply the edit to the appointment.</summary>
    ApplyRemoteEdit,

    /// <summary>The server's copy changed but cannot stand (unreadable, or the user may only view the appointment):
    /// Paliad's version is written back over it.</summary>
    OverwriteRemote,

    /// <summary>Both sides changed: Paliad is the system of record, so its version is written back and a conflict
    /// is counted.</summary>
    OverwriteRemoteCountConflict,

    /// <summary>The server's copy was deleted (a phone, say): never lose a court date over that — put it back.</summary>
    Restore,
}

/// <summary>The sync's reconcile rule as a pure function (DESIGN §5): Paliad wins conflicts, remote-only edits are
/// applied where the user may edit, remote deletions are reverted.</summary>
public static class ReconcilePolicy
{
    /// <param name="remoteDeleted">The server says the event is gone (an explicit 404 or absent from a full listing).</param>
    /// <param name="remoteChanged">The server's ETag differs from the one Paliad last saw.</param>
    /// <param name="localChanged">The appointment's content hash differs from the one last pushed or pulled.</param>
    /// <param name="remoteReadable">The server's iCalendar parses into an event.</param>
    /// <param name="userMayEdit">The binding's user may edit the appointment (owner of a personal one, owner or
    /// editor of its project).</param>
    public static ReconcileDecision Decide(bool remoteDeleted, bool remoteChanged, bool localChanged, bool remoteReadable, bool userMayEdit)
    {
        if (remoteDeleted)
        {
            return ReconcileDecision.Restore;
        }

        if (!remoteChanged)
        {
            return ReconcileDecision.Nothing;
        }

        if (localChanged)
        {
            return ReconcileDecision.OverwriteRemoteCountConflict;
        }

        return remoteReadable && userMayEdit ? ReconcileDecision.ApplyRemoteEdit : ReconcileDecision.OverwriteRemote;
    }

    /// <summary>Whether deciding needs to know if the user may edit (a database question, asked only then).</summary>
    public static bool NeedsEditRight(bool remoteDeleted, bool remoteChanged, bool localChanged, bool remoteReadable)
        => !remoteDeleted && remoteChanged && !localChanged && remoteReadable;
}
