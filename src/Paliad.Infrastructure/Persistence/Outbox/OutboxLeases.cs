using Microsoft.EntityFrameworkCore;

namespace Paliad.Infrastructure.Persistence.Outbox;

/// <summary>
/// Message claiming across instances sharing one database: a batch is claimed by writing a lease token and expiry on
/// rows picked with FOR UPDATE SKIP LOCKED, so two processors never take one message, and a dead instance's lease
/// simply expires (on the database clock).
/// </summary>
internal static class OutboxLeases
{
    /// <summary>
    /// Claims up to <paramref name="limit"/> due messages (not processed, dead or parked) no one holds — at most one per
    /// lane, and none of a lane that already has one in flight (on any instance), oldest lane head first. So every
    /// user with work gets one message handled per round, in turn: one user's backlog or retries never sit ahead of
    /// another user's fresh message. Claims are serialised across instances by a transaction-scoped advisory lock, so
    /// "one per lane in flight" holds for the whole fleet; the claim itself is one short statement.
    /// </summary>
    public static async Task<IReadOnlyList<Guid>> ClaimAsync(
        PaliadDbContext db, string token, TimeSpan lease, int limit, CancellationToken cancellationToken)
    {
        // statement_timestamp(), not now(): the transaction began before the lock was granted, and leases are judged
        // and written by the time the claim actually runs.
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({ClaimLock})", cancellationToken);
        var claimed = await db.Database.SqlQuery<Guid>($"""
            UPDATE paliad.outbox_messages m SET lease_owner = {token}, lease_expires_at = statement_timestamp() + {lease}
            WHERE m.id IN (
                SELECT head.id FROM (
                    SELECT DISTINCT ON (p.lane) p.id, p.occurred_at
                    FROM paliad.outbox_messages p
                    WHERE p.processed_at IS NULL AND p.dead_at IS NULL AND p.parked_at IS NULL AND p.next_attempt_at <= statement_timestamp()
                      AND (p.lease_expires_at IS NULL OR p.lease_expires_at < statement_timestamp())
                      AND NOT EXISTS (
                          SELECT 1 FROM paliad.outbox_messages busy
                          WHERE busy.lane = p.lane AND busy.processed_at IS NULL AND busy.dead_at IS NULL
                            AND busy.lease_expires_at >= statement_timestamp())
                    ORDER BY p.lane, p.occurred_at, p.id) head
                ORDER BY head.occurred_at, head.id
                LIMIT {limit})
              AND (m.lease_expires_at IS NULL OR m.lease_expires_at < statement_timestamp())
            RETURNING m.id AS "Value"
            """).ToListAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return claimed;
    }

    /// <summary>The advisory lock key of outbox claims ('paliad-outbox-claim' as a number).</summary>
    private const long ClaimLock = 0x70616c6961646f62;

    /// <summary>Extends a held message lease; false when it was lost.</summary>
    public static async Task<bool> RenewAsync(PaliadDbContext db, Guid messageId, string token, TimeSpan lease, CancellationToken cancellationToken)
        => await db.Database.ExecuteSqlAsync($"""
            UPDATE paliad.outbox_messages SET lease_expires_at = now() + {lease}
            WHERE id = {messageId} AND lease_owner = {token}
            """, cancellationToken) == 1;

    /// <summary>Extends the leases of the messages these claim tokens hold.</summary>
    public static Task<int> RenewManyAsync(PaliadDbContext db, string[] tokens, TimeSpan lease, CancellationToken cancellationToken)
        => db.Database.ExecuteSqlAsync($"""
            UPDATE paliad.outbox_messages SET lease_expires_at = now() + {lease}
            WHERE lease_owner = ANY({tokens}) AND processed_at IS NULL
            """, cancellationToken);

    /// <summary>Releases the messages parked for a user (their account changed): they are due again now.</summary>
    public static Task<int> ReleaseParkedAsync(PaliadDbContext db, Guid userId, CancellationToken cancellationToken)
        => db.Database.ExecuteSqlAsync($"""
            UPDATE paliad.outbox_messages SET parked_at = NULL, parked_for_user_id = NULL, next_attempt_at = now()
            WHERE parked_for_user_id = {userId} AND parked_at IS NOT NULL
            """, cancellationToken);

    /// <summary>Marks as processed the other pending messages of <paramref name="types"/> for one user that already
    /// happened and no one else holds (this claimer's own waiting ones included); returns how many.</summary>
    public static Task<int> CoalesceUserResyncsAsync(
        PaliadDbContext db, Guid keepId, Guid userId, IReadOnlyList<string> types, string token, CancellationToken cancellationToken)
    {
        var typeList = types.ToArray();
        var user = userId.ToString();
        return db.Database.ExecuteSqlAsync($"""
            UPDATE paliad.outbox_messages
            SET processed_at = now(), lease_owner = NULL, lease_expires_at = NULL
            WHERE id <> {keepId} AND processed_at IS NULL AND dead_at IS NULL AND parked_at IS NULL
              AND type = ANY({typeList}) AND payload->>'userId' = {user} AND occurred_at <= now()
              AND (lease_owner IS NULL OR lease_owner = {token} OR lease_expires_at < now())
            """, cancellationToken);
    }
}
