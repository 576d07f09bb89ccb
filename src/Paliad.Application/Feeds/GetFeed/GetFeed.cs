using Mediator;
using Microsoft.EntityFrameworkCore;
using Paliad.Application.Common;

namespace Paliad.Application.Feeds.GetFeed;

public sealed record GetFeed(Guid UserId, Guid FeedId) : IQuery<FeedDto>;

public sealed class GetFeedHandler(IPaliadDbContext db) : IQueryHandler<GetFeed, FeedDto>
{
    public async ValueTask<FeedDto> Handle(GetFeed query, CancellationToken cancellationToken)
        => FeedDto.From(await db.CalendarFeeds.AsNoTracking().SingleOrDefaultAsync(f => f.Id == query.FeedId && f.UserId == query.UserId, cancellationToken)
            ?? throw new NotFoundException("Calendar feed", query.FeedId));
}
