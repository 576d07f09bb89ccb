using Mediator;
using Microsoft.EntityFrameworkCore;
using Paliad.Application.Common;

namespace Paliad.Application.CalDav.Bindings.ListBindings;

/// <summary>The caller's bindings, oldest first.</summary>
public sealed record ListBindingsForUser(Guid UserId) : IQuery<IReadOnlyList<BindingDto>>;

public sealed class ListBindingsForUserHandler(IPaliadDbContext db) : IQueryHandler<ListBindingsForUser, IReadOnlyList<BindingDto>>
{
    public async ValueTask<IReadOnlyList<BindingDto>> Handle(ListBindingsForUser query, CancellationToken cancellationToken)
    {
        var bindings = await db.CalendarBindings.AsNoTracking().Where(b => b.UserId == query.UserId)
            .OrderBy(b => b.CreatedAt).ThenBy(b => b.Id).ToListAsync(cancellationToken);
        return bindings.ConvertAll(BindingDto.From);
    }
}
