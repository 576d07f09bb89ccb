using Mediator;
using Microsoft.EntityFrameworkCore;
using Paliad.Application.Common;
using Paliad.Domain.CalDav;

namespace Paliad.Application.CalDav.Activity.RecordActivity;

/// <summary>Keeps the activity feed: each AppointmentTarget event becomes one line, and so does a binding's held mass
/// change and the user's decision about it. Idempotent — the line's id is the
/// event's, so an event the outbox delivers twice is written once; a user gone meanwhile gets no line, a binding gone
/// meanwhile leaves the line without it.</summary>
public sealed class RecordActivity(IPaliadDbContext db)
    : INotificationHandler<RemoteEditApplied>, INotificationHandler<RemoteEditOverwritten>, INotificationHandler<RemoteDeletionReverted>,
        INotificationHandler<RemoteSeriesReverted>, INotificationHandler<RemoteEditsHeld>, INotificationHandler<HeldEditsDecided>
{
    public ValueTask Handle(RemoteEditApplied notification, CancellationToken cancellationToken) => WriteAsync(ActivityEntry.For(notification), cancellationToken);

    public ValueTask Handle(RemoteEditOverwritten notification, CancellationToken cancellationToken) => WriteAsync(ActivityEntry.For(notification), cancellationToken);

    public ValueTask Handle(RemoteDeletionReverted notification, CancellationToken cancellationToken) => WriteAsync(ActivityEntry.For(notification), cancellationToken);

    public ValueTask Handle(RemoteSeriesReverted notification, CancellationToken cancellationToken) => WriteAsync(ActivityEntry.For(notification), cancellationToken);

    public ValueTask Handle(RemoteEditsHeld notification, CancellationToken cancellationToken) => WriteAsync(ActivityEntry.For(notification), cancellationToken);

    public ValueTask Handle(HeldEditsDecided notification, CancellationToken cancellationToken) => WriteAsync(ActivityEntry.For(notification), cancellationToken);

    private async ValueTask WriteAsync(ActivityEntry entry, CancellationToken cancellationToken)
    {
        var state = await db.Users.Where(u => u.Id == entry.UserId)
            .Select(u => new
            {
                Written = db.Activity.Any(e => e.Id == entry.Id),
                BindingExists = db.CalendarBindings.Any(b => b.Id == entry.BindingId),
            })
            .SingleOrDefaultAsync(cancellationToken);
        if (state is null || state.Written)
        {
            return;
        }

        if (!state.BindingExists)
        {
            entry.ForgetBinding();
        }

        db.Activity.Add(entry);
        await db.SaveChangesAsync(cancellationToken);
    }
}
