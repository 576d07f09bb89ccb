using Mediator;
using Microsoft.EntityFrameworkCore;
using Paliad.Application.Common;

namespace Paliad.Application.Feeds.RotateFeed;

/// <summary>POST /api/calendar-feeds/{id}/rotate: a new secret URL (shown this once); the old one is dead.</summary>
public sealed record RotateFeed(Guid UserId, Guid FeedId, Uri BaseUrl) : ICommand<FeedDto>;

public sealed class RotateFeedHandler(IPaliadDbContext db, TimeProvider clock) : ICommandHandler<RotateFeed, FeedDto>
{
    public async ValueTask<FeedDto> Handle(RotateFeed command, CancellationToken cancellationToken)
    {
        var feed = await db.CalendarFeeds.SingleOrDefaultAsync(f => f.Id == command.FeedId && f.UserId == command.UserId, cancellationToken)
            ?? throw new NotFoundException("Calendar feed", command.FeedId);
        var secret = FeedSecrets.New();
        feed.Rotate(FeedSecrets.Hash(secret), clock.GetUtcNow());
        await db.SaveChangesAsync(cancellationToken);
        return FeedDto.From(feed, FeedSecrets.UrlOf(command.BaseUrl, feed.Id, secret));
    }
}
