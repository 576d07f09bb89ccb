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
