namespace Paliad.Application.Feeds.ReadFeed;

/// <summary>How often one feed may be fetched. Asked only once the secret matched, so whoever holds an old (rotated)
/// URL or guesses secrets cannot spend the allowance of the feed's real subscribers.</summary>
public interface IFeedFetchLimits
{
    /// <summary>Takes one fetch of the feed's allowance; false (and how long to wait) when it is spent.</summary>
    bool TryAdmit(Guid feedId, out TimeSpan retryAfter);
}
