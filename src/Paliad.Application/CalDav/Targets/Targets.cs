using Mediator;
using Microsoft.EntityFrameworkCore;
using Paliad.Application.Appointments;
using Paliad.Application.Common;
using Paliad.Domain.CalDav;

namespace Paliad.Application.CalDav.Targets;

public sealed record TargetDto(
    Guid Id,
    Guid AppointmentId,
    Guid BindingId,
    string Uid,
    string Href,
    string? Etag,
    string? ContentHash,
    DateTimeOffset? LastPushedAt,
    DateTimeOffset? LastPulledAt)
{
    public static TargetDto From(AppointmentTarget t)
        => new(t.Id, t.AppointmentId, t.BindingId, t.CalDavUid, t.CalDavHref, t.CalDavEtag, t.ContentHash, t.LastPushedAt, t.LastPulledAt);
}

/// <summary>Records a successful PUT: creates the target on first push, otherwise keeps its UID and href and
/// updates the etag and content hash.</summary>
public sealed record UpsertTargetAfterPush(
    Guid AppointmentId, Guid BindingId, string Uid, string Href, string? Etag, string ContentHash, DateTimeOffset PushedAt) : ICommand<TargetDto>;

public sealed class UpsertTargetAfterPushHandler(IPaliadDbContext db) : ICommandHandler<UpsertTargetAfterPush, TargetDto>
{
    public async ValueTask<TargetDto> Handle(UpsertTargetAfterPush command, CancellationToken cancellationToken)
    {
        var target = await db.AppointmentTargets.SingleOrDefaultAsync(
            t => t.AppointmentId == command.AppointmentId && t.BindingId == command.BindingId, cancellationToken);
        if (target is null)
        {
            target = AppointmentTarget.RecordCreated(
                command.AppointmentId, command.BindingId, command.Uid, command.Href, command.Etag, command.ContentHash, command.PushedAt);
            db.AppointmentTargets.Add(target);
        }
        else
        {
            target.RecordPushed(command.Etag, command.ContentHash, command.PushedAt);
        }

        await db.SaveChangesAsync(cancellationToken);
        return TargetDto.From(target);
    }
}

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

/// <summary>Forgets a target once its remote event is gone.</summary>
public sealed record DeleteTargetByAppointmentAndBinding(Guid AppointmentId, Guid BindingId) : ICommand<bool>;

public sealed class DeleteTargetByAppointmentAndBindingHandler(IPaliadDbContext db) : ICommandHandler<DeleteTargetByAppointmentAndBinding, bool>
{
    public async ValueTask<bool> Handle(DeleteTargetByAppointmentAndBinding command, CancellationToken cancellationToken)
        => await db.AppointmentTargets
            .Where(t => t.AppointmentId == command.AppointmentId && t.BindingId == command.BindingId)
            .ExecuteDeleteAsync(cancellationToken) > 0;
}

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
