using Mediator;
using Microsoft.EntityFrameworkCore;
using Paliad.Application.Common;
using Paliad.Domain.Appointments;

namespace Paliad.Application.Appointments.ForBinding;

/// <summary>The appointments a binding carries, for the sync engine (one indexed SQL query).</summary>
public sealed record ListAppointmentsForBinding(Guid BindingId) : IQuery<IReadOnlyList<Appointment>>;

public sealed class ListAppointmentsForBindingHandler(IPaliadDbContext db) : IQueryHandler<ListAppointmentsForBinding, IReadOnlyList<Appointment>>
{
    public async ValueTask<IReadOnlyList<Appointment>> Handle(ListAppointmentsForBinding query, CancellationToken cancellationToken)
    {
        var binding = await db.CalendarBindings.AsNoTracking().SingleOrDefaultAsync(b => b.Id == query.BindingId, cancellationToken)
            ?? throw new NotFoundException("Binding", query.BindingId);
        return await db.ForBinding(binding).AsNoTracking().OrderBy(a => a.StartsAt).ThenBy(a => a.Id).ToListAsync(cancellationToken);
    }
}

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
