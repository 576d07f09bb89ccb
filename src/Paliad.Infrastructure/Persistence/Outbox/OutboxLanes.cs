using Paliad.Domain.Common;

namespace Paliad.Infrastructure.Persistence.Outbox;

/// <summary>Which events the outbox coalesces within a lane (the lane itself is the event's own
/// <see cref="IDomainEvent.Lane"/>): those that say they redo everything for their user (<see cref="IResyncsItsUser"/>)
/// — the outbox reads that, it knows no event by name.</summary>
public static class OutboxLanes
{
    /// <summary>The names of the event types whose one run covers every earlier one for the same user.</summary>
    public static readonly IReadOnlyList<string> UserResyncTypes = typeof(IDomainEvent).Assembly.GetTypes()
        .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IResyncsItsUser).IsAssignableFrom(t))
        .Select(t => t.Name)
        .ToArray();

    /// <summary>The user such an event re-syncs; null for other events.</summary>
    public static Guid? UserResyncOf(IDomainEvent domainEvent) => domainEvent is IResyncsItsUser resync ? resync.Lane : null;
}
