using System.Diagnostics;
using Mediator;
using Microsoft.EntityFrameworkCore;
using Paliad.Application.Common;

namespace Paliad.Application.CalDav.Sync.SyncNow;

/// <summary>POST /api/caldav-sync: a tick now for each of the caller's enabled bindings, or for one named binding
/// (enabled or not: asking for it is the point), returning what each did.</summary>
public sealed record SyncNow(Guid UserId, Guid? BindingId) : ICommand<IReadOnlyList<BindingSyncResultDto>>;

public sealed class SyncNowHandler(IPaliadDbContext db, ISyncRunner runner) : ICommandHandler<SyncNow, IReadOnlyList<BindingSyncResultDto>>
{
    public async ValueTask<IReadOnlyList<BindingSyncResultDto>> Handle(SyncNow command, CancellationToken cancellationToken)
    {
        if (!await db.CalDavConfigs.AnyAsync(c => c.UserId == command.UserId, cancellationToken))
        {
            throw new NotFoundException("The CalDAV account is not configured.");
        }

        var bindings = db.CalendarBindings.AsNoTracking().Where(b => b.UserId == command.UserId);
        bindings = command.BindingId is { } id ? bindings.Where(b => b.Id == id) : bindings.Where(b => b.Enabled);
        var ids = await bindings.OrderBy(b => b.CreatedAt).Select(b => b.Id).ToListAsync(cancellationToken);
        if (command.BindingId is { } wanted && ids.Count == 0)
        {
            throw new NotFoundException("Binding", wanted);
        }

        // One deadline for the whole request: a slow server ends its own tick "partial", and bindings the deadline
        // leaves no time for are "skipped" (their periodic tick comes anyway).
        var deadline = Stopwatch.StartNew();
        var results = new List<BindingSyncResultDto>(ids.Count);
        foreach (var bindingId in ids)
        {
            var timeLeft = runner.ManualSyncDeadline - deadline.Elapsed;
            results.Add(BindingSyncResultDto.From(timeLeft > TimeSpan.FromMilliseconds(100)
                ? await runner.SyncBindingNowAsync(bindingId, timeLeft, cancellationToken)
                : BindingSyncResult.Skipped(bindingId, string.Empty, "The request's deadline left no time for this calendar.")));
        }

        return results;
    }
}
