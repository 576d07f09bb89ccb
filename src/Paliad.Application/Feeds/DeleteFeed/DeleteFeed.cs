using Mediator;
using Microsoft.EntityFrameworkCore;
using Paliad.Application.Common;

namespace Paliad.Application.Feeds.DeleteFeed;

/// <summary>DELETE /api/calendar-feeds/{id}: the URL is dead at once (its next fetch is a 404).</summary>
public sealed record DeleteFeed(Guid UserId, Guid FeedId) : ICommand;

public sealed class DeleteFeedHandler(IPaliadDbContext db) : ICommandHandler<DeleteFeed>
{
    public async ValueTask<Unit> Handle(DeleteFeed command, CancellationToken cancellationToken)
    {
        var deleted = await db.CalendarFeeds.Where(f => f.Id == command.FeedId && f.UserId == command.UserId).ExecuteDeleteAsync(cancellationToken);
        return deleted == 0 ? throw new NotFoundException("Calendar feed", command.FeedId) : Unit.Value;
    }
}
