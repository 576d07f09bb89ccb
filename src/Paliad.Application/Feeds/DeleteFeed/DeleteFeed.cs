using Mediator;
using Microsoft.EntityFrameworkCore;
using Paliad.Application.Common;
using Paliad.Domain.Feeds;

namespace Paliad.Application.Feeds.DeleteFeed;

/// <summary>DELETE /api/calendar-feeds/{id}: the URL is dead at once (its next fetch is a 404).</summary>
public sealed record DeleteFeed(Guid UserId, Guid FeedId, IfMatch? IfMatch = null) : ICommand;

public sealed class DeleteFeedHandler(IPaliadDbContext db) : ICommandHandler<DeleteFeed>
{
    public async ValueTask<Unit> Handle(DeleteFeed command, CancellationToken cancellationToken)
    {
        var feed = db.CalendarFeeds.Where(f => f.Id == command.FeedId && f.UserId == command.UserId);
        await using var locked = await db.LockIfConditionalAsync<CalendarFeed>(command.IfMatch, command.FeedId, cancellationToken);
        if (command.IfMatch is not null)
        {
            var current = await feed.AsNoTracking().SingleOrDefaultAsync(cancellationToken) ?? throw new NotFoundException("Calendar feed", command.FeedId);
            command.IfMatch.Require(ETags.Of(current.RowVersion), () => FeedDto.From(current));
        }

        var deleted = await feed.ExecuteDeleteAsync(cancellationToken);
        await locked.CommitIfAnyAsync(cancellationToken);
        return deleted == 0 ? throw new NotFoundException("Calendar feed", command.FeedId) : Unit.Value;
    }
}
