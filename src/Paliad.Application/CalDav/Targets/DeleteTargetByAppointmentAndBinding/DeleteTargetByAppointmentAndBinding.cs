using Mediator;
using Microsoft.EntityFrameworkCore;
using Paliad.Application.Common;

namespace Paliad.Application.CalDav.Targets.DeleteTargetByAppointmentAndBinding;

/// <summary>Forgets a target once its remote event is gone.</summary>
public sealed record DeleteTargetByAppointmentAndBinding(Guid AppointmentId, Guid BindingId) : ICommand<bool>;

public sealed class DeleteTargetByAppointmentAndBindingHandler(IPaliadDbContext db) : ICommandHandler<DeleteTargetByAppointmentAndBinding, bool>
{
    public async ValueTask<bool> Handle(DeleteTargetByAppointmentAndBinding command, CancellationToken cancellationToken)
        => await db.AppointmentTargets
            .Where(t => t.AppointmentId == command.AppointmentId && t.BindingId == command.BindingId)
            .ExecuteDeleteAsync(cancellationToken) > 0;
}
