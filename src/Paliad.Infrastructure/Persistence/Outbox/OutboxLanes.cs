using Paliad.Domain.Projects;

namespace Paliad.Infrastructure.Persistence.Outbox;

/// <summary>Which events the outbox coalesces within a lane (the lane itself is the event's own
/// <see cref="Domain.Common.IDomainEvent.Lane"/>).</summary>
public static class OutboxLanes
{
    /// <summary>Event types whose handlers re-sync every binding of a user from current state (membership changes):
    /// one such run covers every earlier one for that user.</summary>
    public static readonly IReadOnlyList<string> UserResyncTypes = [nameof(ProjectMemberAdded), nameof(ProjectMemberRemoved)];

    /// <summary>The user a membership change re-syncs; null for other events.</summary>
    public static Guid? UserResyncOf(object domainEvent) => domainEvent switch
    {
        ProjectMemberAdded e => e.UserId,
        ProjectMemberRemoved e => e.UserId,
        _ => null,
    };
}
