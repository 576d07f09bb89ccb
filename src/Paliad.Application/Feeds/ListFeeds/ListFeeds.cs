using Mediator;
using Microsoft.EntityFrameworkCore;
using Paliad.Application.Common;

namespace Paliad.Application.Feeds.ListFeeds;

/// <summary>GET /api/calendar-feeds: the caller's feeds, newest first (never their secrets).</summary>
public sealed record ListFeeds(Guid UserId) : IQuery<IReadOnlyList<FeedDto>>;

public sealed class ListFeedsHandler(IPaliadDbContext db) : IQueryHandler<ListFeeds, IReadOnlyList<FeedDto>>
{
    public async ValueTask<IReadOnlyList<FeedDto>> Handle(ListFeeds query, CancellationToken cancellationToken)
        => (await db.CalendarFeeds.AsNoTracking().Where(f => f.UserId == query.UserId).OrderByDescending(f => f.CreatedAt).ThenBy(f => f.Id)
            .ToListAsync(cancellationToken)).Select(f => FeedDto.From(f)).ToList();
}
