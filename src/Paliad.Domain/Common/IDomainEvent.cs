using Mediator;

namespace Paliad.Domain.Common;

/// <summary>A past-tense, immutable fact raised by an aggregate. Carries ids and values only, so it serialises into
/// the outbox, which publishes it through the mediator after the transaction that raised it committed.</summary>
public interface IDomainEvent : INotification;
