using Mediator;
using Microsoft.EntityFrameworkCore;
using Paliad.Application.Common;
using Paliad.Domain.CalDav;

namespace Paliad.Application.CalDav.Bindings.SetBindingSyncStatus;

/// <summary>Records how a binding's tick ended (the engine calls this once per tick).</summary>
public sealed record SetBindingSyncStatus(Guid BindingId, BindingSyncStatus Status, string? Error, DateTimeOffset FinishedAt) : ICommand;

public sealed class SetBindingSyncStatusHandler(IPaliadDbContext db) : ICommandHandler<SetBindingSyncStatus>
{
    public async ValueTask<Unit> Handle(SetBindingSyncStatus command, CancellationToken cancellationToken)
    {
        var binding = await db.CalendarBindings.SingleOrDefaultAsync(b => b.Id == command.BindingId, cancellationToken)
            ?? throw new NotFoundException("Binding", command.BindingId);
        binding.RecordSync(command.Status, command.Error, command.FinishedAt);
        await db.SaveChangesAsync(cancellationToken);
        return Unit.Value;
    }
}
