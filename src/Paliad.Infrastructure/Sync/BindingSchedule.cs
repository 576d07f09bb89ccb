using Paliad.Domain.CalDav;
using Paliad.Domain.Common;

namespace Paliad.Infrastructure.Sync;

/// <summary>When a binding is due, said once in SQL for everything that asks: the scheduler's claims and
/// /health/sync.</summary>
internal static class BindingSchedule
{
    /// <summary>A SQL condition: binding <paramref name="b"/> (with its account <paramref name="c"/>) was never
    /// synced, is pending, or its account's interval has passed since its last sync. Its backoff after failures
    /// (next_attempt_at) is asked separately.</summary>
    public static string IsDue(string b, string c)
        => $"({b}.last_sync_at IS NULL OR {b}.sync_status = '{Words.Of(BindingSyncStatus.Pending)}' "
           + $"OR {b}.last_sync_at + make_interval(mins => {c}.sync_interval_minutes) <= now())";
}
