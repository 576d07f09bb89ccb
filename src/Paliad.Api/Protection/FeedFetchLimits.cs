using System.Net;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using Paliad.Application.Feeds.ReadFeed;

namespace Paliad.Api.Protection;

/// <summary>
/// The two limits on feed URLs (anonymous: the URL is the credential). A feed's own allowance
/// (<see cref="ApiProtectionOptions.FeedFetchesPerHour"/>) is taken only after its secret matched — an old, rotated
/// URL still polled by a forgotten client, or someone guessing, cannot starve the feed's real subscribers. Wrong
/// secrets are counted per client address instead (<see cref="ApiProtectionOptions.FeedMissesPerHourPerAddress"/>):
/// an address that spent its misses gets 429 instead of 404 for the next wrong one. A URL whose secret matches is never
/// refused for its address's misses — behind a proxy, or from a mail provider's shared fetchers, one address is many
/// people.
/// </summary>
internal sealed class FeedFetchLimits : IFeedFetchLimits, IDisposable
{
    private readonly PartitionedRateLimiter<Guid> _fetches;
    private readonly PartitionedRateLimiter<string> _misses;
    private readonly TimeSpan _missReplenishment;

    public FeedFetchLimits(IOptions<ApiProtectionOptions> options)
    {
        var fetches = Bucket(options.Value.FeedFetchesPerHour);
        var misses = Bucket(options.Value.FeedMissesPerHourPerAddress);
        _missReplenishment = misses.ReplenishmentPeriod;
        _fetches = PartitionedRateLimiter.Create<Guid, Guid>(feed => RateLimitPartition.GetTokenBucketLimiter(feed, _ => fetches));
        _misses = PartitionedRateLimiter.Create<string, string>(address => RateLimitPartition.GetTokenBucketLimiter(address, _ => misses));
    }

    public bool TryAdmit(Guid feedId, out TimeSpan retryAfter)
    {
        using var lease = _fetches.AttemptAcquire(feedId);
        retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
        return lease.IsAcquired;
    }

    /// <summary>Counts a URL whose feed or secret was wrong against the address it came from; false (and how long to
    /// wait) when the address has spent its misses.</summary>
    public bool TryRecordMiss(IPAddress? address, out TimeSpan retryAfter)
    {
        using var lease = _misses.AttemptAcquire(KeyOf(address));
        retryAfter = _missReplenishment;
        return lease.IsAcquired;
    }

    public void Dispose()
    {
        _fetches.Dispose();
        _misses.Dispose();
    }

    /// <summary>IPv6 clients are counted by their /64 (one host usually holds the whole prefix).</summary>
    private static string KeyOf(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4().ToString();
        }

        if (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6)
        {
            var bytes = address.GetAddressBytes();
            Array.Clear(bytes, 8, 8);
            return new IPAddress(bytes) + "/64";
        }

        return address.ToString();
    }

    /// <summary>A bucket of N an hour: a burst of a sixth of them (at most 10, at least 1), then the rest spread over
    /// the hour — in steps of at least a second (partitioned limiters replenish on a 100 ms timer, so a finer period
    /// would quietly cap a generous setting).</summary>
    private static TokenBucketRateLimiterOptions Bucket(int perHour)
    {
        var perHourAtLeastOne = Math.Max(1, perHour);
        var perStep = Math.Max(1, perHourAtLeastOne / 3600);
        return new TokenBucketRateLimiterOptions
        {
            TokenLimit = Math.Max(perStep, Math.Clamp(perHourAtLeastOne / 6, 1, 10)),
            TokensPerPeriod = perStep,
            ReplenishmentPeriod = TimeSpan.FromHours(1) * perStep / perHourAtLeastOne,
            QueueLimit = 0,
            AutoReplenishment = true,
        };
    }
}
