using Mediator;
using Microsoft.EntityFrameworkCore;
using Paliad.Application.Common;

namespace Paliad.Application.CalDav.SyncLog.ListSyncLog;

/// <summary>The caller's sync log, newest first; <c>bindingId</c> narrows it to one of the caller's bindings; a page
/// of at most <c>limit</c>, continuing <c>after</c> a cursor.</summary>
public sealed record ListSyncLog(Guid UserId, Guid? BindingId, int? Limit, string? After = null) : IQuery<Page<SyncLogEntryDto>>;

public sealed class ListSyncLogHandler(IPaliadDbContext db) : IQueryHandler<ListSyncLog, Page<SyncLogEntryDto>>
{
    public async ValueTask<Page<SyncLogEntryDto>> Handle(ListSyncLog query, CancellationToken cancellationToken)
    {
        var entries = db.SyncLog.AsNoTracking().Where(e => e.UserId == query.UserId);
        if (query.BindingId is { } bindingId)
        {
            if (!await db.CalendarBindings.AnyAsync(b => b.Id == bindingId && b.UserId == query.UserId, cancellationToken))
            {
                throw new NotFoundException("Binding", bindingId);
            }

            entries = entries.Where(e => e.BindingId == bindingId);
        }

        if (PageCursor.TryDecodeInstant(query.After, out var startedAt, out var id))
        {
            entries = entries.Where(e => e.StartedAt < startedAt || (e.StartedAt == startedAt && e.Id.CompareTo(id) < 0));
        }

        var limit = Paging.Take(query.Limit);
        var rows = await entries.OrderByDescending(e => e.StartedAt).ThenByDescending(e => e.Id).Take(limit + 1).ToListAsync(cancellationToken);
        return Paging.Cut(rows, limit, e => PageCursor.At(e.StartedAt, e.Id)).Map(SyncLogEntryDto.From);
    }
}
