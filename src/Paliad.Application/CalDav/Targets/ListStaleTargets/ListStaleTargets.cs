using Mediator;
using Microsoft.EntityFrameworkCore;
using Paliad.Application.Appointments;
using Paliad.Application.Common;

namespace Paliad.Application.CalDav.Targets.ListStaleTargets;

/// <summary>Targets whose appointment left the binding's scope (project unshared, scope PATCHed, binding narrowed):
/// their remote events are to be deleted. One query: targets of the binding NOT IN ForBinding.</summary>
public sealed record ListStaleTargets(Guid BindingId) : IQuery<IReadOnlyList<TargetDto>>;

public sealed class ListStaleTargetsHandler(IPaliadDbContext db) : IQueryHandler<ListStaleTargets, IReadOnlyList<TargetDto>>
{
    public async ValueTask<IReadOnlyList<TargetDto>> Handle(ListStaleTargets query, CancellationToken cancellationToken)
    {
        var binding = await db.CalendarBindings.AsNoTracking().SingleOrDefaultAsync(b => b.Id == query.BindingId, cancellationToken)
            ?? throw new NotFoundException("Binding", query.BindingId);
        var inScope = db.ForBinding(binding).Select(a => a.Id);
        var stale = await db.AppointmentTargets.AsNoTracking()
            .Where(t => t.BindingId == binding.Id && !inScope.Contains(t.AppointmentId))
            .OrderBy(t => t.CalDavHref)
            .ToListAsync(cancellationToken);
        return stale.ConvertAll(TargetDto.From);
    }
}
