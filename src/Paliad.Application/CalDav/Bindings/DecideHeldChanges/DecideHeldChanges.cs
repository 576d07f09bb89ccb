using Mediator;
using Microsoft.EntityFrameworkCore;
using Paliad.Application.CalDav.Sync;
using Paliad.Application.Common;
using Paliad.Domain.CalDav;
using Paliad.Domain.Common;

namespace Paliad.Application.CalDav.Bindings.DecideHeldChanges;

/// <summary>POST /api/caldav-bindings/{id}/held-changes: the user decides about a calendar's held mass change —
/// "apply" takes the edits as ordinary pulled edits, "revert" writes Paliad's version back over them. The decision is
/// stored, then carried out by a tick of that binding now (or by its next tick, should this one not get to it); the
/// answer is the binding as it is afterwards. Nothing held: 409.</summary>
public sealed record DecideHeldChanges(Guid UserId, Guid BindingId, string? Action) : ICommand<BindingDto>;

public sealed class DecideHeldChangesHandler(IPaliadDbContext db, ISyncRunner runner, TimeProvider clock) : ICommandHandler<DecideHeldChanges, BindingDto>
{
    public async ValueTask<BindingDto> Handle(DecideHeldChanges command, CancellationToken cancellationToken)
    {
        var binding = await db.CalendarBindings.SingleOrDefaultAsync(b => b.Id == command.BindingId && b.UserId == command.UserId, cancellationToken)
                      ?? throw new NotFoundException("Binding", command.BindingId);
        binding.DecideHeldEdits(Words.Parse<HeldDecision>(command.Action!), clock.GetUtcNow());
        await db.SaveChangesAsync(cancellationToken);

        await runner.SyncBindingNowAsync(binding.Id, runner.ManualSyncDeadline, cancellationToken);
        var now = await db.CalendarBindings.AsNoTracking().SingleOrDefaultAsync(b => b.Id == binding.Id, cancellationToken)
                  ?? throw new NotFoundException("Binding", command.BindingId);
        return BindingDto.From(now);
    }
}
