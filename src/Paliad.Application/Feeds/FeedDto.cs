using Paliad.Application.Common;
using Paliad.Domain.Common;
using Paliad.Domain.Feeds;

namespace Paliad.Application.Feeds;

/// <summary>A feed as the API shows it. <see cref="Url"/> carries the secret and is given only when the feed is made
/// or rotated (the secret is not stored); elsewhere it is null.</summary>
public sealed record FeedDto(Guid Id, string DisplayName, string Scope, Guid? ScopeId, Uri? Url, DateTimeOffset CreatedAt, DateTimeOffset? LastFetchedAt, string Etag) : IHasETag
{
    public static FeedDto From(CalendarFeed feed, Uri? url = null)
    {
        ArgumentNullException.ThrowIfNull(feed);
        return new FeedDto(feed.Id, feed.DisplayName, Words.Of(feed.Scope), feed.ScopeId, url, feed.CreatedAt, feed.LastFetchedAt, ETags.Of(feed.RowVersion));
    }
}
