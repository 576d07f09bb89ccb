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
