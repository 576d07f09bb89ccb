namespace Paliad.Domain.CalDav;

/// <summary>
/// When one tick's calendar edits are too many to be a person's (Sync:MassChangeThreshold): more than
/// <see cref="MoreThan"/> edits <b>and</b> more than <see cref="PercentOfEvents"/> % of the binding's events. A project
/// appointment's copies sit in every member's calendar, so a phone's time-zone bug or an import gone wrong would
/// otherwise rewrite the firm's calendar in one sync; held, the user decides.
/// </summary>
public sealed record MassChangeThreshold(int MoreThan = MassChangeThreshold.DefaultMoreThan, int PercentOfEvents = MassChangeThreshold.DefaultPercentOfEvents)
{
    public const int DefaultMoreThan = 10;
    public const int DefaultPercentOfEvents = 25;

    /// <summary>Whether <paramref name="edits"/> edits in a binding of <paramref name="events"/> events are a mass change.</summary>
    public bool IsMassChange(int edits, int events) => edits > MoreThan && edits * 100L > PercentOfEvents * (long)events;
}

/// <summary>What a pull does with the calendar edits it would apply (<see cref="HeldEditsPlan"/>).</summary>
public enum PulledEditsAction
{
    /// <summary>Apply them one by one, as a person's edits (each with its activity line).</summary>
    ApplyAsUsual,

    /// <summary>Apply none and overwrite none: hold them until the user decides.</summary>
    Hold,

    /// <summary>The user decided: apply them all (one activity line).</summary>
    ApplyDecided,

    /// <summary>The user decided: write Paliad's version back over them all (one activity line).</summary>
    RevertDecided,
}

/// <summary>
/// The pure half of settling a pull's calendar edits. A decision counts only while something is held, and "apply"
/// only for as many edits as the user was shown — more are judged afresh. Without a decision that counts, a mass
/// change is held; anything else is applied as usual.
/// </summary>
public static class HeldEditsPlan
{
    /// <summary>Whether the user's decision covers <paramref name="edits"/> edits (then no events count is needed).</summary>
    public static HeldDecision? DecisionFor(int edits, int heldChanges, HeldDecision? decision)
        => heldChanges <= 0 ? null
            : decision == HeldDecision.Apply && edits > heldChanges ? null
            : decision;

    public static PulledEditsAction Choose(int edits, int events, int heldChanges, HeldDecision? decision, MassChangeThreshold threshold)
    {
        ArgumentNullException.ThrowIfNull(threshold);
        return DecisionFor(edits, heldChanges, decision) switch
        {
            HeldDecision.Apply => PulledEditsAction.ApplyDecided,
            HeldDecision.Revert => PulledEditsAction.RevertDecided,
            _ => edits > 0 && threshold.IsMassChange(edits, events) ? PulledEditsAction.Hold : PulledEditsAction.ApplyAsUsual,
        };
    }
}
