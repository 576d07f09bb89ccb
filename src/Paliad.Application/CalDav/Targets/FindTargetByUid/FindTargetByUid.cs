using Mediator;
using Microsoft.EntityFrameworkCore;
using Paliad.Application.Common;

namespace Paliad.Application.CalDav.Targets.FindTargetByUid;

/// <summary>The target with a given UID in a binding's calendar, if any.</summary>
public sealed record FindTargetByUid(Guid BindingId, string Uid) : IQuery<TargetDto?>;

public sealed class FindTargetByUidHandler(IPaliadDbContext db) : IQueryHandler<FindTargetByUid, TargetDto?>
{
    public async ValueTask<TargetDto?> Handle(FindTargetByUid query, CancellationToken cancellationToken)
    {
        var target = await db.AppointmentTargets.AsNoTracking()
            .SingleOrDefaultAsync(t => t.BindingId == query.BindingId && t.CalDavUid == query.Uid, cancellationToken);
        return target is null ? null : TargetDto.From(target);
    }
}
