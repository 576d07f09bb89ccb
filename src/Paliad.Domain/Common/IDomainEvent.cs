using Mediator;

namespace Paliad.Domain.Common;

/// <summary>A past-tense, immutable fact raised by an aggregate. Carries ids and values only, so it serialises into
/// the outbox, which publishes it through the mediator after the transaction that raised it committed.</summary>
public interface IDomainEvent : INotification
{
    /// <summary>The user the event concerns: the outbox keeps one user's events in order (an appointment's creation
    /// before its change) while different users' events run side by side. Implemented explicitly, so it is not part
    /// of what the outbox stores.</summary>
    Guid Lane { get; }

    /// <summary>How long the outbox keeps trying to handle the event.</summary>
    RetryClass Retry => RetryClass.GivesUp;
}

/// <summary>An event whose handling redoes everything for its lane's user from current state (a membership change
/// re-syncs every binding of the user): one such run covers every earlier one still waiting, so the outbox may handle
/// only the latest.</summary>
public interface IResyncsItsUser : IDomainEvent;

/// <summary>How long an event's handling is retried.</summary>
public enum RetryClass
{
    /// <summary>Retried with backoff up to Outbox:MaxAttempts, then dead (the periodic tick is the safety net).</summary>
    GivesUp,

    /// <summary>Retried until it succeeds: the event is the only record of work nothing else would ever do (where a
    /// deleted appointment's or binding's events are). Parked, not retried, while the user's account needs fixing.</summary>
    NeverGivesUp,
}
