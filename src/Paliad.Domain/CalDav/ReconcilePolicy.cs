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

    /// <summary>Paliad's fields changed and the server's copy changed only in what Paliad does not own (or cannot be
    /// told changed): Paliad's change is written into the server's copy, keeping what the other client added. Not a
    /// conflict.</summary>
    PushMerged,

    /// <summary>The server's copy became a series (RRULE, RDATE, EXDATE or an occurrence edited or cancelled):
    /// Paliad's appointments are single events, so the single event is written back and a conflict is counted.</summary>
    RevertSeries,
}

/// <summary>What the server's copy did since Paliad last wrote or read it.</summary>
public enum RemoteCopyState
{
    /// <summary>Its ETag is the one Paliad last saw.</summary>
    Unchanged,

    /// <summary>Its ETag moved (or the server gave none with it).</summary>
    Changed,

    /// <summary>The server says it is gone (an explicit 404, or absent from a full listing).</summary>
    Deleted,

    /// <summary>It is there, but Paliad keeps no ETag to compare with (a backfilled copy, or one whose ETag was too
    /// long to keep): a change cannot be told from none, so none is counted.</summary>
    Unknown,
}

/// <summary>Everything the reconcile rule looks at for one event, named.</summary>
public readonly record struct ReconcileInput
{
    /// <summary>What the server's copy did.</summary>
    public required RemoteCopyState Remote { get; init; }

    /// <summary>The appointment's content hash differs from the one last pushed or pulled.</summary>
    public required bool LocalChanged { get; init; }

    /// <summary>The server's iCalendar parses into an event (irrelevant when it is deleted or unchanged).</summary>
    public bool RemoteReadable { get; init; }

    /// <summary>The server's copy differs from what was last synced in a field Paliad owns (title, description,
    /// location, times); false when another client only added or changed its own parts.</summary>
    public bool RemoteOwnFieldsChanged { get; init; }

    /// <summary>The server's copy carries recurrence (RRULE, RDATE, EXDATE, RECURRENCE-ID).</summary>
    public bool RemoteIsSeries { get; init; }

    /// <summary>The binding's user may edit the appointment (owner of a personal one, owner or editor of its
    /// project). Asked of the database only when <see cref="ReconcilePolicy.NeedsEditRight"/> says so.</summary>
    public bool UserMayEdit { get; init; }
}

/// <summary>The sync's reconcile rule as a pure function (DESIGN §5, §9): Paliad wins conflicts over the fields it
/// owns, remote-only edits are applied where the user may edit, remote deletions and series are reverted, and what
/// other clients add beside Paliad's fields is kept. Every decision the engine takes about a server's copy — pulled,
/// met by a write (412), or salvaged before a removal — is taken here.</summary>
public static class ReconcilePolicy
{
    public static ReconcileDecision Decide(ReconcileInput input) => input switch
    {
        { Remote: RemoteCopyState.Deleted } => ReconcileDecision.Restore,
        { Remote: RemoteCopyState.Unchanged } => ReconcileDecision.Nothing,
        { Remote: RemoteCopyState.Unknown, LocalChanged: true } => ReconcileDecision.PushMerged,
        { Remote: RemoteCopyState.Unknown } => AppliesAsRemoteEdit(input) ? ReconcileDecision.ApplyRemoteEdit : ReconcileDecision.Nothing,
        { RemoteReadable: false, LocalChanged: true } => ReconcileDecision.OverwriteRemoteCountConflict,
        { RemoteReadable: false } => ReconcileDecision.OverwriteRemote,
        { RemoteIsSeries: true } => ReconcileDecision.RevertSeries,
        { RemoteOwnFieldsChanged: false, LocalChanged: true } => ReconcileDecision.PushMerged,
        { RemoteOwnFieldsChanged: false } => ReconcileDecision.KeepRemote,
        { LocalChanged: true } => ReconcileDecision.OverwriteRemoteCountConflict,
        { UserMayEdit: true } => ReconcileDecision.ApplyRemoteEdit,
        _ => ReconcileDecision.OverwriteRemote,
    };

    /// <summary>Whether deciding needs to know if the user may edit (a database question, asked only then).</summary>
    public static bool NeedsEditRight(ReconcileInput input)
        => input.Remote is RemoteCopyState.Changed or RemoteCopyState.Unknown
           && !input.LocalChanged && input.RemoteReadable && input.RemoteOwnFieldsChanged && !input.RemoteIsSeries;

    /// <summary>Whether the decision counts a conflict: the other side's change to Paliad's fields is lost.</summary>
    public static bool CountsConflict(ReconcileDecision decision)
        => decision is ReconcileDecision.OverwriteRemoteCountConflict or ReconcileDecision.RevertSeries;

    /// <summary>Whether the decision writes Paliad's version over the server's copy.</summary>
    public static bool WritesOver(ReconcileDecision decision)
        => decision is ReconcileDecision.OverwriteRemote or ReconcileDecision.OverwriteRemoteCountConflict or ReconcileDecision.RevertSeries
            or ReconcileDecision.PushMerged;

    private static bool AppliesAsRemoteEdit(ReconcileInput input)
        => input is { RemoteReadable: true, RemoteOwnFieldsChanged: true, RemoteIsSeries: false, UserMayEdit: true };
}
