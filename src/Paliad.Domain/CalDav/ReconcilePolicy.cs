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

    /// <summary>The server's copy changed only in what Paliad does not own (an alarm, a category, an X- property):
    /// its ETag and those parts are learnt, nothing is written.</summary>
    KeepRemote,

    /// <summary>Paliad's fields changed and the server's copy changed only in what Paliad does not own: Paliad's
    /// change is written into the server's copy, keeping what the other client added. Not a conflict.</summary>
    PushMerged,

    /// <summary>The server's copy became a series (RRULE, RDATE, EXDATE or an occurrence edited or cancelled):
    /// Paliad's appointments are single events, so the single event is written back and a conflict is counted.</summary>
    RevertSeries,
}

/// <summary>The sync's reconcile rule as a pure function (DESIGN §5, §9): Paliad wins conflicts over the fields it
/// owns, remote-only edits are applied where the user may edit, remote deletions and series are reverted, and what
/// other clients add beside Paliad's fields is kept.</summary>
public static class ReconcilePolicy
{
    /// <param name="remoteDeleted">The server says the event is gone (an explicit 404 or absent from a full listing).</param>
    /// <param name="remoteChanged">The server's ETag differs from the one Paliad last saw.</param>
    /// <param name="localChanged">The appointment's content hash differs from the one last pushed or pulled.</param>
    /// <param name="remoteReadable">The server's iCalendar parses into an event.</param>
    /// <param name="userMayEdit">The binding's user may edit the appointment (owner of a personal one, owner or
    /// editor of its project).</param>
    /// <param name="remoteOwnFieldsChanged">The server's copy differs from what was last synced in a field Paliad
    /// owns (title, description, location, times); false when another client only added or changed its own parts.</param>
    /// <param name="remoteIsSeries">The server's copy carries recurrence (RRULE, RDATE, EXDATE, RECURRENCE-ID).</param>
    public static ReconcileDecision Decide(
        bool remoteDeleted, bool remoteChanged, bool localChanged, bool remoteReadable, bool userMayEdit,
        bool remoteOwnFieldsChanged = true, bool remoteIsSeries = false)
    {
        if (remoteDeleted)
        {
            return ReconcileDecision.Restore;
        }

        if (!remoteChanged)
        {
            return ReconcileDecision.Nothing;
        }

        if (!remoteReadable)
        {
            return localChanged ? ReconcileDecision.OverwriteRemoteCountConflict : ReconcileDecision.OverwriteRemote;
        }

        if (remoteIsSeries)
        {
            return ReconcileDecision.RevertSeries;
        }

        if (!remoteOwnFieldsChanged)
        {
            return localChanged ? ReconcileDecision.PushMerged : ReconcileDecision.KeepRemote;
        }

        if (localChanged)
        {
            return ReconcileDecision.OverwriteRemoteCountConflict;
        }

        return userMayEdit ? ReconcileDecision.ApplyRemoteEdit : ReconcileDecision.OverwriteRemote;
    }

    /// <summary>Whether deciding needs to know if the user may edit (a database question, asked only then).</summary>
    public static bool NeedsEditRight(
        bool remoteDeleted, bool remoteChanged, bool localChanged, bool remoteReadable, bool remoteOwnFieldsChanged = true, bool remoteIsSeries = false)
        => !remoteDeleted && remoteChanged && !localChanged && remoteReadable && remoteOwnFieldsChanged && !remoteIsSeries;

    /// <summary>Whether the decision counts a conflict: the other side's change to Paliad's fields is lost.</summary>
    public static bool CountsConflict(ReconcileDecision decision)
        => decision is ReconcileDecision.OverwriteRemoteCountConflict or ReconcileDecision.RevertSeries;
}
