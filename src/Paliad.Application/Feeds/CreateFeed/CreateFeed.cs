using Mediator;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Paliad.Application.Common;
using Paliad.Domain.CalDav;
using Paliad.Domain.Common;
using Paliad.Domain.Feeds;

namespace Paliad.Application.Feeds.CreateFeed;

/// <summary>POST /api/calendar-feeds: a feed of a scope at a new secret URL (shown this once). At most
/// Feeds:MaxPerUser per user, counted under the user's lock (409 beyond).</summary>
public sealed record CreateFeed(Guid UserId, string? DisplayName, string? Scope, Guid? ScopeId, Uri BaseUrl) : ICommand<FeedDto>;

public sealed class CreateFeedHandler(IPaliadDbContext db, TimeProvider clock, IOptions<FeedOptions> options) : ICommandHandler<CreateFeed, FeedDto>
{
    public async ValueTask<FeedDto> Handle(CreateFeed command, CancellationToken cancellationToken)
    {
        var max = options.Value.MaxPerUser;
        await using var serial = await db.BeginUserTransactionAsync(command.UserId, cancellationToken);
        if (await db.CalendarFeeds.CountAsync(f => f.UserId == command.UserId, cancellationToken) >= max)
        {
            throw new DomainException(string.Empty, $"You already have {max} feeds, the most one user may hold (Feeds:MaxPerUser).", DomainErrorKind.Conflict);
        }

        var secret = FeedSecrets.New();
        var feed = CalendarFeed.Create(
            command.UserId, command.DisplayName!, Words.Parse<BindingScope>(command.Scope!), command.ScopeId, FeedSecrets.Hash(secret), clock.GetUtcNow());
        db.CalendarFeeds.Add(feed);
        await db.SaveChangesAsync(cancellationToken);
        await serial.CommitAsync(cancellationToken);
        return FeedDto.From(feed, FeedSecrets.UrlOf(command.BaseUrl, feed.Id, secret));
    }
}
