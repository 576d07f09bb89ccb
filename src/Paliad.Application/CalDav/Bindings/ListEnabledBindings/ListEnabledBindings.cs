using Mediator;
using Microsoft.EntityFrameworkCore;
using Paliad.Application.Common;

namespace Paliad.Application.CalDav.Bindings.ListEnabledBindings;

/// <summary>A user's enabled bindings: what one sync tick of that user works through.</summary>
public sealed record ListEnabledBindings(Guid UserId) : IQuery<IReadOnlyList<BindingDto>>;

public sealed class ListEnabledBindingsHandler(IPaliadDbContext db) : IQueryHandler<ListEnabledBindings, IReadOnlyList<BindingDto>>
{
    public async ValueTask<IReadOnlyList<BindingDto>> Handle(ListEnabledBindings query, CancellationToken cancellationToken)
    {
        var bindings = await db.CalendarBindings.AsNoTracking().Where(b => b.UserId == query.UserId && b.Enabled)
            .OrderBy(b => b.CreatedAt).ThenBy(b => b.Id).ToListAsync(cancellationToken);
        return bindings.ConvertAll(BindingDto.From);
    }
}
