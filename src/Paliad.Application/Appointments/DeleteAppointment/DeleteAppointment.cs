using Mediator;
using Microsoft.EntityFrameworkCore;
using Paliad.Application.Common;
using Paliad.Domain.Appointments;

namespace Paliad.Application.Appointments.DeleteAppointment;

/// <summary>Deletes an appointment. Its targets cascade away with it, so the event carries where the remote
/// copies are: they are removed from the calendars even if a server is down right now.</summary>
public sealed record DeleteAppointment(Guid UserId, Guid AppointmentId, IfMatch? IfMatch = null) : ICommand;

public sealed class DeleteAppointmentHandler(IPaliadDbContext db) : ICommandHandler<DeleteAppointment>
{
    public async ValueTask<Unit> Handle(DeleteAppointment command, CancellationToken cancellationToken)
    {
        await using var locked = await db.LockIfConditionalAsync<Appointment>(command.IfMatch, command.AppointmentId, cancellationToken);
        var appointment = await db.EditableAppointmentAsync(command.UserId, command.AppointmentId, cancellationToken);
        command.IfMatch.Require(ETags.Of(appointment.Version), () => AppointmentDto.From(appointment));
        var remoteEvents = await db.AppointmentTargets.AsNoTracking()
            .Where(t => t.AppointmentId == appointment.Id)
            .Join(db.CalendarBindings, t => t.BindingId, b => b.Id, (t, b) => new { Target = t, b.UserId })
            .ToListAsync(cancellationToken);
        appointment.Delete(remoteEvents.ConvertAll(r => r.Target.LocationFor(r.UserId)));
        db.Appointments.Remove(appointment);
        await db.SaveChangesAsync(cancellationToken);
        await locked.CommitIfAnyAsync(cancellationToken);
        return Unit.Value;
    }
}
