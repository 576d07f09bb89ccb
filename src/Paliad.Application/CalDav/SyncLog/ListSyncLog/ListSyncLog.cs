using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using Paliad.Application.Common;

namespace Paliad.Application.CalDav.SyncLog.ListSyncLog;

/// <summary>The caller's sync log, newest first; <c>bindingId</c> narrows it to one of the caller's bindings.</summary>
public sealed record ListSyncLog(Guid UserId, Guid? BindingId, int? Limit) : IQuery<IReadOnlyList<SyncLogEntryDto>>
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 500;
}

public sealed class ListSyncLogHandler(IPaliadDbContext db) : IQueryHandler<ListSyncLog, IReadOnlyList<SyncLogEntryDto>>
{
    public async ValueTask<IReadOnlyList<SyncLogEntryDto>> Handle(ListSyncLog query, CancellationToken cancellationToken)
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

        var rows = await entries.OrderByDescending(e => e.StartedAt).ThenByDescending(e => e.Id)
            .Take(query.Limit ?? ListSyncLog.DefaultLimit)
            .ToListAsync(cancellationToken);
        return rows.ConvertAll(SyncLogEntryDto.From);
    }
}
