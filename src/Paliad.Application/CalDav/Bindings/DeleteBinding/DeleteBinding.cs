using Mediator;
using Microsoft.EntityFrameworkCore;
using Paliad.Application.Common;
using Paliad.Domain.CalDav;

namespace Paliad.Application.CalDav.Bindings.DeleteBinding;

/// <summary>Deletes a binding; its targets cascade away, its sync-log rows stay with binding_id NULL. The event
/// carries where the app's events are so they can be removed from the calendar, unless keepRemoteEvents.</summary>
public sealed record DeleteBinding(Guid UserId, Guid BindingId, bool KeepRemoteEvents, IfMatch? IfMatch = null) : ICommand;

public sealed class DeleteBindingHandler(IPaliadDbContext db) : ICommandHandler<DeleteBinding>
{
    public async ValueTask<Unit> Handle(DeleteBinding command, CancellationToken cancellationToken)
    {
        await using var locked = await db.LockIfConditionalAsync<CalendarBinding>(command.IfMatch, command.BindingId, cancellationToken);
        var binding = await db.CalendarBindings.SingleOrDefaultAsync(b => b.Id == command.BindingId && b.UserId == command.UserId, cancellationToken)
            ?? throw new NotFoundException("Binding", command.BindingId);
        command.IfMatch.Require(ETags.Of(binding.RowVersion), () => BindingDto.From(binding));
        var remoteEvents = await db.AppointmentTargets.AsNoTracking().Where(t => t.BindingId == binding.Id).ToListAsync(cancellationToken);
        binding.Delete(command.KeepRemoteEvents, remoteEvents.ConvertAll(t => t.LocationFor(binding.UserId)));
        db.CalendarBindings.Remove(binding);
        await db.SaveChangesAsync(cancellationToken);
        await locked.CommitIfAnyAsync(cancellationToken);
        return Unit.Value;
    }
}
