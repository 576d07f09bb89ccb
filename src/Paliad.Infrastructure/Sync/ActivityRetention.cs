using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Paliad.Infrastructure.Persistence;

namespace Paliad.Infrastructure.Sync;

/// <summary>Configuration section "Activity".</summary>
public sealed class ActivityOptions
{
    public const string Section = "Activity";

    /// <summary>Lines of the activity feed older than this many days are removed.</summary>
    public int RetentionDays { get; set; } = 90;
}

/// <summary>Removes activity-feed lines older than <c>Activity:RetentionDays</c>; the sync worker runs it at most hourly
/// (one indexed range delete — every instance may run it, deleting twice does no harm).</summary>
public sealed class ActivityRetention(IServiceScopeFactory scopes, IOptionsMonitor<ActivityOptions> options, TimeProvider clock)
{
    private static readonly TimeSpan Every = TimeSpan.FromHours(1);
    private DateTimeOffset _lastRun = DateTimeOffset.MinValue;

    /// <summary>Prunes when an hour has passed since this instance last did.</summary>
    public async Task PruneIfDueAsync(CancellationToken cancellationToken)
    {
        if (clock.GetUtcNow() - _lastRun < Every)
        {
            return;
        }

        await PruneAsync(cancellationToken);
    }

    /// <summary>Removes the lines older than the retention; returns how many.</summary>
    public async Task<int> PruneAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        _lastRun = now;
        var cutoff = now.AddDays(-Math.Max(1, options.CurrentValue.RetentionDays));
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PaliadDbContext>();
        return await db.Activity.Where(e => e.At < cutoff).ExecuteDeleteAsync(cancellationToken);
    }
}
