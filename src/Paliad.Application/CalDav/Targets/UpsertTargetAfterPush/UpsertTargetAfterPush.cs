using Mediator;
using Microsoft.EntityFrameworkCore;
using Paliad.Application.Common;
using Paliad.Domain.CalDav;

namespace Paliad.Application.CalDav.Targets.UpsertTargetAfterPush;

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
