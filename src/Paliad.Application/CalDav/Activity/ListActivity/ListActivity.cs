using Mediator;
using Microsoft.EntityFrameworkCore;
using Paliad.Application.Common;

namespace Paliad.Application.CalDav.Activity.ListActivity;

/// <summary>The caller's activity feed, newest first: at most <c>limit</c> lines, older than <c>before</c> — an instant
/// (ISO 8601) or the cursor a page's <c>Link: rel="next"</c> gave out (an instant alone cannot tell apart lines of
/// the same instant).</summary>
public sealed record ListActivity(Guid UserId, int? Limit, string? Before) : IQuery<Page<ActivityEntryDto>>;

public sealed class ListActivityHandler(IPaliadDbContext db) : IQueryHandler<ListActivity, Page<ActivityEntryDto>>
{
    public async ValueTask<Page<ActivityEntryDto>> Handle(ListActivity query, CancellationToken cancellationToken)
    {
        var entries = db.Activity.AsNoTracking().Where(e => e.UserId == query.UserId);
        if (PageCursor.TryDecodeInstant(query.Before, out var at, out var id))
        {
            entries = entries.Where(e => e.At < at || (e.At == at && e.Id.CompareTo(id) < 0));
        }
        else if (ListActivityValidator.TryParseInstant(query.Before, out var before))
        {
            entries = entries.Where(e => e.At < before);
        }

        var limit = Paging.Take(query.Limit);
        var rows = await entries.OrderByDescending(e => e.At).ThenByDescending(e => e.Id).Take(limit + 1).ToListAsync(cancellationToken);
        return Paging.Cut(rows, limit, e => PageCursor.At(e.At, e.Id)).Map(ActivityEntryDto.From);
    }
}
