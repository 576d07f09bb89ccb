using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using Paliad.Application.Common;

namespace Paliad.Application.CalDav.Bindings.ListBindings;

/// <summary>The caller's bindings, oldest first; a page of at most <c>limit</c>, continuing <c>after</c> a cursor.</summary>
public sealed record ListBindingsForUser(Guid UserId, int? Limit = null, string? After = null) : IQuery<Page<BindingDto>>;

public sealed class ListBindingsForUserValidator : AbstractValidator<ListBindingsForUser>
{
    public ListBindingsForUserValidator() => Paging.AddRules(this, q => q.Limit, q => q.After, instantKeyed: true);
}

public sealed class ListBindingsForUserHandler(IPaliadDbContext db) : IQueryHandler<ListBindingsForUser, Page<BindingDto>>
{
    public async ValueTask<Page<BindingDto>> Handle(ListBindingsForUser query, CancellationToken cancellationToken)
    {
        var bindings = db.CalendarBindings.AsNoTracking().Where(b => b.UserId == query.UserId);
        if (PageCursor.TryDecodeInstant(query.After, out var createdAt, out var id))
        {
            bindings = bindings.Where(b => b.CreatedAt > createdAt || (b.CreatedAt == createdAt && b.Id.CompareTo(id) > 0));
        }

        var limit = Paging.Take(query.Limit);
        var rows = await bindings.OrderBy(b => b.CreatedAt).ThenBy(b => b.Id).Take(limit + 1).ToListAsync(cancellationToken);
        return Paging.Cut(rows, limit, b => PageCursor.At(b.CreatedAt, b.Id)).Map(BindingDto.From);
    }
}
