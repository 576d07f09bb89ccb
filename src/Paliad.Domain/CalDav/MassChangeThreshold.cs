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
