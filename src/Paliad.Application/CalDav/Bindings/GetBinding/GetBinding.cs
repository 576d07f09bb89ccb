using Mediator;
using Microsoft.EntityFrameworkCore;
using Paliad.Application.Common;

namespace Paliad.Application.CalDav.Bindings.GetBinding;

/// <summary>One of the caller's bindings; someone else's is a 404.</summary>
public sealed record GetBinding(Guid UserId, Guid BindingId) : IQuery<BindingDto>;

public sealed class GetBindingHandler(IPaliadDbContext db) : IQueryHandler<GetBinding, BindingDto>
{
    public async ValueTask<BindingDto> Handle(GetBinding query, CancellationToken cancellationToken)
    {
        var binding = await db.CalendarBindings.AsNoTracking()
                          .SingleOrDefaultAsync(b => b.Id == query.BindingId && b.UserId == query.UserId, cancellationToken)
                      ?? throw new NotFoundException("Binding", query.BindingId);
        return BindingDto.From(binding);
    }
}
