using Mediator;
using Microsoft.EntityFrameworkCore;
using Paliad.Application.Common;

namespace Paliad.Application.CalDav.Bindings.ListAllEnabled;

/// <summary>Users the engine should sync: a CalDAV account with sync enabled and at least one enabled binding.</summary>
public sealed record ListAllEnabled : IQuery<IReadOnlyList<Guid>>;

public sealed class ListAllEnabledHandler(IPaliadDbContext db) : IQueryHandler<ListAllEnabled, IReadOnlyList<Guid>>
{
    public async ValueTask<IReadOnlyList<Guid>> Handle(ListAllEnabled query, CancellationToken cancellationToken)
        => await db.CalDavConfigs.AsNoTracking()
            .Where(c => c.SyncEnabled && db.CalendarBindings.Any(b => b.UserId == c.UserId && b.Enabled))
            .OrderBy(c => c.UserId)
            .Select(c => c.UserId)
            .ToListAsync(cancellationToken);
}
