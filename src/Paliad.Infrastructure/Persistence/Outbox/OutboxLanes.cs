using Paliad.Domain.Appointments;
using Paliad.Domain.CalDav;
using Paliad.Domain.Identity;
using Paliad.Domain.Projects;

namespace Paliad.Infrastructure.Persistence.Outbox;

/// <summary>The user a domain event concerns: the outbox keeps one user's messages in order (an appointment's
/// creation before its change) while different users' messages run side by side.</summary>
public static class OutboxLanes
{
    public static Guid? KeyOf(object domainEvent) => domainEvent switch
    {
        AppointmentCreated e => e.OwnerId,
        AppointmentChanged e => e.OwnerId,
        AppointmentDeleted e => e.OwnerId,
        CalendarBindingCreated e => e.UserId,
        CalendarBindingScopeChanged e => e.UserId,
        CalendarBindingCalendarChanged e => e.UserId,
        CalendarBindingEnabled e => e.UserId,
        CalendarBindingDisabled e => e.UserId,
        CalendarBindingDeleted e => e.UserId,
        RemoteEditsApplied e => e.UserId,
        RemoteEditApplied e => e.Subject.UserId,
        RemoteEditOverwritten e => e.Subject.UserId,
        RemoteDeletionReverted e => e.Subject.UserId,
        RemoteSeriesReverted e => e.Subject.UserId,
        RemoteEditsHeld e => e.UserId,
        HeldEditsDecided e => e.UserId,
        CalDavConfigured e => e.UserId,
        CalDavAccountChanged e => e.UserId,
        ProjectMemberAdded e => e.UserId,
        ProjectMemberRoleChanged e => e.UserId,
        ProjectMemberRemoved e => e.UserId,
        ProjectCreated e => e.CreatorId,
        UserProvisioned e => e.UserId,
        _ => null,
    };

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
