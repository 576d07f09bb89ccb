using Mediator;
using Paliad.Domain.Appointments;
using Paliad.Domain.CalDav;
using Paliad.Domain.Projects;

namespace Paliad.Infrastructure.Sync;

// The outbox publishes domain events here. Handlers are idempotent and order-tolerant: they reload the current
// state and make the calendars match it, so a duplicate or late event does no harm.

/// <summary>A new appointment goes to every calendar whose binding scope contains it.</summary>
public sealed class PushCreatedAppointment(SyncEngine engine) : INotificationHandler<AppointmentCreated>
{
    public async ValueTask Handle(AppointmentCreated notification, CancellationToken cancellationToken)
        => await engine.PushAppointmentAsync(notification.AppointmentId, cancellationToken);
}

/// <summary>A changed appointment is re-pushed; bindings it moved out of lose it. A calendar edit a tick pulled is
/// left to <see cref="PushPulledEdits"/>, which takes all of that tick's edits at once.</summary>
public sealed class PushChangedAppointment(SyncEngine engine) : INotificationHandler<AppointmentChanged>
{
    public async ValueTask Handle(AppointmentChanged notification, CancellationToken cancellationToken)
    {
        if (notification.PulledByBindingId is null)
        {
            await engine.PushAppointmentAsync(notification.AppointmentId, cancellationToken);
        }
    }
}

/// <summary>The edits one tick pulled from a calendar reach every other calendar that carries them: one claim and
/// one concurrent push per binding for all of them, not one fan-out per edit.</summary>
public sealed class PushPulledEdits(SyncEngine engine) : INotificationHandler<CalendarEditsPulled>
{
    public async ValueTask Handle(CalendarEditsPulled notification, CancellationToken cancellationToken)
        => await engine.PushAppointmentsAsync(notification.AppointmentIds, notification.BindingId, cancellationToken);
}

/// <summary>A deleted appointment leaves every calendar, even if a server was down when it was deleted: the event
/// carries where its copies were.</summary>
public sealed class RemoveDeletedAppointment(SyncEngine engine) : INotificationHandler<AppointmentDeleted>
{
    public async ValueTask Handle(AppointmentDeleted notification, CancellationToken cancellationToken)
        => await engine.DeleteRemoteEventsAsync(notification.RemoteEvents, cancellationToken);
}

/// <summary>A new binding fills its calendar now, not at the next periodic tick.</summary>
public sealed class SyncCreatedBinding(SyncEngine engine) : INotificationHandler<CalendarBindingCreated>
{
    public async ValueTask Handle(CalendarBindingCreated notification, CancellationToken cancellationToken)
    {
        if (notification.Enabled)
        {
            await engine.SyncBindingAsync(notification.BindingId, cancellationToken).ThrowIfNotDone();
        }
    }
}

/// <summary>A scope change pushes what entered the scope and deletes what left it.</summary>
public sealed class SyncRescopedBinding(SyncEngine engine) : INotificationHandler<CalendarBindingScopeChanged>
{
    public async ValueTask Handle(CalendarBindingScopeChanged notification, CancellationToken cancellationToken)
        => await engine.SyncBindingAsync(notification.BindingId, cancellationToken).ThrowIfNotDone();
}

/// <summary>A re-enabled binding catches up now.</summary>
public sealed class SyncEnabledBinding(SyncEngine engine) : INotificationHandler<CalendarBindingEnabled>
{
    public async ValueTask Handle(CalendarBindingEnabled notification, CancellationToken cancellationToken)
        => await engine.SyncBindingAsync(notification.BindingId, cancellationToken).ThrowIfNotDone();
}

/// <summary>A binding pointed at another calendar moves its events there.</summary>
public sealed class MoveBindingCalendar(SyncEngine engine) : INotificationHandler<CalendarBindingCalendarChanged>
{
    public async ValueTask Handle(CalendarBindingCalendarChanged notification, CancellationToken cancellationToken)
        => await engine.MoveBindingCalendarAsync(notification.BindingId, cancellationToken);
}

/// <summary>A deleted binding removes the app's events from its calendar, unless keepRemoteEvents was asked for.</summary>
public sealed class RemoveDeletedBindingEvents(SyncEngine engine) : INotificationHandler<CalendarBindingDeleted>
{
    public async ValueTask Handle(CalendarBindingDeleted notification, CancellationToken cancellationToken)
    {
        if (!notification.KeepRemoteEvents)
        {
            await engine.DeleteRemoteEventsAsync(notification.RemoteEvents, cancellationToken);
        }
    }
}

/// <summary>Someone lost access to a project: their calendars drop its appointments (other members' keep them).</summary>
public sealed class SyncUnsharedMember(SyncEngine engine) : INotificationHandler<ProjectMemberRemoved>
{
    public async ValueTask Handle(ProjectMemberRemoved notification, CancellationToken cancellationToken)
        => await engine.SyncUserAsync(notification.UserId, cancellationToken);
}

/// <summary>Someone gained access to a project: its appointments reach their calendars now.</summary>
public sealed class SyncSharedMember(SyncEngine engine) : INotificationHandler<ProjectMemberAdded>
{
    public async ValueTask Handle(ProjectMemberAdded notification, CancellationToken cancellationToken)
        => await engine.SyncUserAsync(notification.UserId, cancellationToken);
}

internal static class SyncResults
{
    /// <summary>A reconcile that could not run now (binding busy, server failing) fails the hook so the outbox retries.</summary>
    public static async Task ThrowIfNotDone(this Task<Application.CalDav.Sync.BindingSyncResult> pending)
    {
        var result = await pending;
        if (result.Status is Application.CalDav.Sync.SyncRunStatus.Skipped or Application.CalDav.Sync.SyncRunStatus.Error)
        {
            throw new SyncBusyException($"Binding {result.BindingId}: {result.ErrorDetail ?? result.Error}");
        }
    }
}
