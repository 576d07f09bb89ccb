using Microsoft.EntityFrameworkCore;
using Paliad.Infrastructure.Persistence;

namespace Paliad.Infrastructure.Sync;

/// <summary>
/// Work claiming across instances sharing one database. A binding (for a tick or a hook) and an outbox message are
/// claimed by writing a lease owner and expiry; the candidate rows are picked with FOR UPDATE SKIP LOCKED, so two
/// instances never claim the same row, and a dead instance's lease simply expires.
/// </summary>
internal static class Leases
{
    public static async Task<IReadOnlyList<Guid>> ClaimDueBindingsAsync(
        PaliadDbContext db, string owner, DateTimeOffset now, TimeSpan lease, int limit, CancellationToken cancellationToken)
        => await db.Database.SqlQuery<Guid>($"""
            UPDATE paliad.calendar_bindings b SET lease_owner = {owner}, lease_expires_at = {now + lease}
            WHERE b.id IN (
                SELECT due.id FROM paliad.calendar_bindings due
                JOIN paliad.user_caldav_config c ON c.user_id = due.user_id
                WHERE due.enabled AND c.sync_enabled
                  AND (due.lease_expires_at IS NULL OR due.lease_expires_at < {now})
                  AND (due.last_sync_at IS NULL OR due.sync_status = 'pending'
                       OR due.last_sync_at + make_interval(mins => c.sync_interval_minutes) <= {now})
                ORDER BY due.last_sync_at NULLS FIRST, due.id
                LIMIT {limit}
                FOR UPDATE OF due SKIP LOCKED)
            RETURNING b.id AS "Value"
            """).ToListAsync(cancellationToken);

    /// <summary>Claims one binding; false when another instance holds it.</summary>
    public static async Task<bool> TryClaimBindingAsync(
        PaliadDbContext db, Guid bindingId, string owner, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken)
        => await db.Database.ExecuteSqlAsync($"""
            UPDATE paliad.calendar_bindings SET lease_owner = {owner}, lease_expires_at = {now + lease}
            WHERE id = {bindingId} AND (lease_expires_at IS NULL OR lease_expires_at < {now} OR lease_owner = {owner})
            """, cancellationToken) == 1;

    public static Task ReleaseBindingAsync(PaliadDbContext db, Guid bindingId, string owner, CancellationToken cancellationToken)
        => db.Database.ExecuteSqlAsync($"""
            UPDATE paliad.calendar_bindings SET lease_owner = NULL, lease_expires_at = NULL
            WHERE id = {bindingId} AND lease_owner = {owner}
            """, cancellationToken);

    public static async Task<IReadOnlyList<Guid>> ClaimOutboxMessagesAsync(
        PaliadDbContext db, string owner, DateTimeOffset now, TimeSpan lease, int limit, CancellationToken cancellationToken)
        => await db.Database.SqlQuery<Guid>($"""
            UPDATE paliad.outbox_messages m SET lease_owner = {owner}, lease_expires_at = {now + lease}
            WHERE m.id IN (
                SELECT p.id FROM paliad.outbox_messages p
                WHERE p.processed_at IS NULL AND p.dead_at IS NULL AND p.next_attempt_at <= {now}
                  AND (p.lease_expires_at IS NULL OR p.lease_expires_at < {now})
                ORDER BY p.occurred_at, p.id
                LIMIT {limit}
                FOR UPDATE SKIP LOCKED)
            RETURNING m.id AS "Value"
            """).ToListAsync(cancellationToken);

    public static Task ReleaseOutboxMessageAsync(PaliadDbContext db, Guid messageId, string owner, CancellationToken cancellationToken)
        => db.Database.ExecuteSqlAsync($"""
            UPDATE paliad.outbox_messages SET lease_owner = NULL, lease_expires_at = NULL
            WHERE id = {messageId} AND lease_owner = {owner}
            """, cancellationToken);
}
