namespace Paliad.Domain.Common;

/// <summary>A past-tense, immutable fact raised by an aggregate. Carries ids and values only, so it serialises into the outbox.</summary>
#pragma warning disable CA1040 // a marker interface is the point: the outbox collects every event through it
public interface IDomainEvent;
#pragma warning restore CA1040
