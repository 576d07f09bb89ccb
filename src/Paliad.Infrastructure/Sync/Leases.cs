using Microsoft.EntityFrameworkCore;
using Npgsql;
using Paliad.Domain.CalDav;
using Paliad.Domain.Common;
using Paliad.Infrastructure.Persistence;

namespace Paliad.Infrastructure.Sync;

/// <summary>
/// Work claiming across instances sharing one database. A binding (for a tick or a hook) and an outbox message are
/// claimed by writing a lease token and expiry; candidate rows are picked with FOR UPDATE SKIP LOCKED, so two
/// claimers never take the same row, and a dead instance's lease simply expires. Each claim has its own token
/// (not one per process), so a hook and a tick in one process cannot both hold a binding. Expiry is measured on
/// the database clock, so clock skew between instances does not matter.
/// </summary>
internal static class Leases
{
    /// <summary>A fresh lease token: the claimer's instance, plus a claim id.</summary>
    public static string NewToken(string instanceId) => LeaseTokens.New(instanceId);

    /// <summary>Claims the most overdue binding no one holds (enabled, account sync on, interval elapsed or pending,
    /// not backing off after failures). Fair across users: a user who already holds
    /// <paramref name="maxPerUser"/> leases gets no more, and users holding fewer go first — one user's 500
    /// bindings cannot take every slot.</summary>
    public static async Task<ClaimedBinding?> ClaimDueBindingAsync(
        PaliadDbContext db, string token, TimeSpan lease, int maxPerUser, CancellationToken cancellationToken)
    {
        var sql = $"""
            UPDATE paliad.calendar_bindings b SET lease_owner = @token, lease_expires_at = now() + @lease
            WHERE b.id IN (
                SELECT due.id FROM paliad.calendar_bindings due
                JOIN paliad.user_caldav_config c ON c.user_id = due.user_id
                CROSS JOIN LATERAL (
                    SELECT count(*) AS held FROM paliad.calendar_bindings h
                    WHERE h.user_id = due.user_id AND h.lease_expires_at > now()) busy
                WHERE due.enabled AND c.sync_enabled
                  AND (due.lease_expires_at IS NULL OR due.lease_expires_at < now())
                  AND (due.next_attempt_at IS NULL OR due.next_attempt_at <= now())
                  AND {BindingSchedule.IsDue("due", "c")}
                  AND busy.held < @maxPerUser
                ORDER BY busy.held, due.last_sync_at NULLS FIRST, due.id
                LIMIT 1
                FOR UPDATE OF due SKIP LOCKED)
            RETURNING b.id, b.user_id, b.scope, b.scope_id, b.pushed_through
            """;
        var claimed = await db.Database.SqlQueryRaw<ClaimedBinding>(sql,
                new NpgsqlParameter("token", token), new NpgsqlParameter("lease", lease), new NpgsqlParameter("maxPerUser", maxPerUser))
            .ToListAsync(cancellationToken);
        return claimed.Count == 0 ? null : claimed[0];
    }

    /// <summary>Claims one binding; null when someone holds it (or it does not exist).</summary>
    public static async Task<ClaimedBinding?> TryClaimBindingAsync(PaliadDbContext db, Guid bindingId, string token, TimeSpan lease, CancellationToken cancellationToken)
    {
        var claimed = await db.Database.SqlQuery<ClaimedBinding>($"""
            UPDATE paliad.calendar_bindings b SET lease_owner = {token}, lease_expires_at = now() + {lease}
            WHERE b.id = {bindingId} AND (b.lease_expires_at IS NULL OR b.lease_expires_at < now())
            RETURNING b.id, b.user_id, b.scope, b.scope_id, b.pushed_through
            """).ToListAsync(cancellationToken);
        return claimed.Count == 0 ? null : claimed[0];
    }

    /// <summary>Makes bindings due at the next scheduler beat (work a hook had no time left for).</summary>
    public static Task<int> MarkPendingAsync(PaliadDbContext db, IReadOnlyList<Guid> bindingIds, CancellationToken cancellationToken)
    {
        var ids = bindingIds.ToArray();
        var pending = Words.Of(BindingSyncStatus.Pending);
        return db.Database.ExecuteSqlAsync($"""
            UPDATE paliad.calendar_bindings SET sync_status = {pending} WHERE id = ANY({ids})
            """, cancellationToken);
    }

    /// <summary>Extends a held lease; false when it was lost (expired and taken by someone else).</summary>
    public static async Task<bool> RenewBindingAsync(PaliadDbContext db, Guid bindingId, string token, TimeSpan lease, CancellationToken cancellationToken)
        => await db.Database.ExecuteSqlAsync($"""
            UPDATE paliad.calendar_bindings SET lease_expires_at = now() + {lease}
            WHERE id = {bindingId} AND lease_owner = {token}
            """, cancellationToken) == 1;

    public static Task ReleaseBindingAsync(PaliadDbContext db, Guid bindingId, string token, CancellationToken cancellationToken)
        => db.Database.ExecuteSqlAsync($"""
            UPDATE paliad.calendar_bindings SET lease_owner = NULL, lease_expires_at = NULL
            WHERE id = {bindingId} AND lease_owner = {token}
            """, cancellationToken);
}

/// <summary>A binding just claimed, with what its tick needs to ask "anything to push?" in the same query that loads
/// the binding (so a tick with nothing to do costs three SQL round trips: claim, load, record).</summary>
internal sealed class ClaimedBinding
{
    // Both claims end with RETURNING b.id, b.user_id, b.scope, b.scope_id, b.pushed_through: raw SQL is materialised by
    // column name, under the model's snake_case naming convention.
    public Guid Id { get; init; }

    public Guid UserId { get; init; }

    public required string Scope { get; init; }

    public Guid? ScopeId { get; init; }

    public DateTimeOffset? PushedThrough { get; init; }
}
