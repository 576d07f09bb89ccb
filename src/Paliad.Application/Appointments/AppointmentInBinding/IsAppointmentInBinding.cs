using Mediator;
using Microsoft.EntityFrameworkCore;
using Paliad.Application.Common;

namespace Paliad.Application.Appointments.AppointmentInBinding;

/// <summary>Whether one appointment belongs in a binding's calendar (the hooks' per-appointment check).</summary>
public sealed record IsAppointmentInBinding(Guid AppointmentId, Guid BindingId) : IQuery<bool>;

public sealed class IsAppointmentInBindingHandler(IPaliadDbContext db) : IQueryHandler<IsAppointmentInBinding, bool>
{
    public async ValueTask<bool> Handle(IsAppointmentInBinding query, CancellationToken cancellationToken)
    {
        var binding = await db.CalendarBindings.AsNoTracking().SingleOrDefaultAsync(b => b.Id == query.BindingId, cancellationToken);
        return binding is not null && await db.AppointmentInBinding(query.AppointmentId, binding).AnyAsync(cancellationToken);
    }
}
