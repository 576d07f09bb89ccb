using Mediator;
using Microsoft.EntityFrameworkCore;
using Paliad.Application.Common;

namespace Paliad.Application.Appointments.GetAppointment;

public sealed record GetAppointment(Guid UserId, Guid AppointmentId) : IQuery<AppointmentDto>;

public sealed class GetAppointmentHandler(IPaliadDbContext db) : IQueryHandler<GetAppointment, AppointmentDto>
{
    public async ValueTask<AppointmentDto> Handle(GetAppointment query, CancellationToken cancellationToken)
    {
        var appointment = await db.VisibleAppointments(query.UserId).AsNoTracking()
                              .SingleOrDefaultAsync(a => a.Id == query.AppointmentId, cancellationToken)
                          ?? throw new NotFoundException("Appointment", query.AppointmentId);
        return AppointmentDto.From(appointment);
    }
}
