using Mediator;
using Microsoft.EntityFrameworkCore;
using Paliad.Application.Common;

namespace Paliad.Application.CalDav.Targets.ListTargetsForBinding;

/// <summary>Every target of a binding.</summary>
public sealed record ListTargetsForBinding(Guid BindingId) : IQuery<IReadOnlyList<TargetDto>>;

public sealed class ListTargetsForBindingHandler(IPaliadDbContext db) : IQueryHandler<ListTargetsForBinding, IReadOnlyList<TargetDto>>
{
    public async ValueTask<IReadOnlyList<TargetDto>> Handle(ListTargetsForBinding query, CancellationToken cancellationToken)
    {
        var targets = await db.AppointmentTargets.AsNoTracking().Where(t => t.BindingId == query.BindingId)
            .OrderBy(t => t.CalDavHref).ToListAsync(cancellationToken);
        return targets.ConvertAll(TargetDto.From);
    }
}
