using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Paliad.Application.Operations;
using Paliad.Infrastructure.Persistence;

namespace Paliad.Infrastructure.Sync;

/// <summary>Reads /health/sync's figures from the database in one round trip per figure (all index-backed or tiny).</summary>
public sealed class SyncHealth(IServiceScopeFactory scopes, IOptionsMonitor<HealthOptions> options) : ISyncHealth
{
    public async Task<SyncHealthReport> ReadAsync(CancellationToken cancellationToken = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PaliadDbContext>();
        var bindings = await db.Database.SqlQuery<BindingStatusCount>($"""
            SELECT sync_status AS status, enabled, count(*) AS count FROM paliad.calendar_bindings GROUP BY sync_status, enabled ORDER BY sync_status, enabled
            """).ToListAsync(cancellationToken);
        // A binding is due its interval after its last tick, or when its backoff ends if that is later: a binding
        // waiting out its own server's failures is that user's problem (its sync log says so), not sync falling behind.
        var overdue = (await db.Database.SqlQuery<OverdueBinding>($"""
            SELECT b.id AS binding_id,
                   extract(epoch FROM now() - greatest(COALESCE(b.last_sync_at + make_interval(mins => c.sync_interval_minutes), b.created_at), b.next_attempt_at))::float8
                       AS overdue_seconds
            FROM paliad.calendar_bindings b JOIN paliad.user_caldav_config c ON c.user_id = b.user_id
            WHERE b.enabled AND c.sync_enabled
            ORDER BY greatest(COALESCE(b.last_sync_at + make_interval(mins => c.sync_interval_minutes), b.created_at), b.next_attempt_at), b.id
            LIMIT 1
            """).ToListAsync(cancellationToken)).SingleOrDefault();
        var dueSql = $"""
            SELECT count(*) FILTER (WHERE b.next_attempt_at IS NULL OR b.next_attempt_at <= now()) AS due,
                   count(*) FILTER (WHERE b.next_attempt_at > now()) AS backing_off
            FROM paliad.calendar_bindings b JOIN paliad.user_caldav_config c ON c.user_id = b.user_id
            WHERE b.enabled AND c.sync_enabled AND ({BindingSchedule.IsDue("b", "c")} OR b.next_attempt_at > now())
            """;
        var due = (await db.Database.SqlQueryRaw<DueCounts>(dueSql).ToListAsync(cancellationToken)).Single();
        var outbox = (await db.Database.SqlQuery<OutboxHealth>($"""
            SELECT count(*) FILTER (WHERE dead_at IS NULL) AS pending,
                   extract(epoch FROM now() - min(occurred_at) FILTER (WHERE dead_at IS NULL))::float8 AS oldest_pending_age_seconds,
                   count(*) FILTER (WHERE dead_at IS NOT NULL) AS dead
            FROM paliad.outbox_messages WHERE processed_at IS NULL
            """).ToListAsync(cancellationToken)).Single();
        var lastTick = await db.CalendarBindings.MaxAsync(b => b.LastSyncAt, cancellationToken);
        var limits = options.CurrentValue;

        // Instances seen in the last day, and whether each reported lately (a stopped instance's last reading says
        // nothing about the fleet now) — both by the database's clock, which every instance's offset is measured against.
        var lately = TimeSpan.FromSeconds(Math.Max(limits.MaxOverdueSeconds, 60));
        var seen = await db.SyncInstances.AsNoTracking()
            .Where(i => i.SeenAt > DateTimeOffset.UtcNow - TimeSpan.FromDays(1))
            .OrderBy(i => i.InstanceId)
            .Select(i => new { Tick = new InstanceTick(i.InstanceId, i.LastTickFinishedAt, i.SeenAt, i.ClockOffsetSeconds), Lately = i.SeenAt > DateTimeOffset.UtcNow - lately })
            .ToListAsync(cancellationToken);
        var instances = seen.Select(i => i.Tick).ToList();
        var degraded = new List<string>();
        if (overdue is { OverdueSeconds: var late } && late > limits.MaxOverdueSeconds)
        {
            degraded.Add($"binding {overdue.BindingId} is {late:0} s overdue (more than {limits.MaxOverdueSeconds} s)");
        }

        if (outbox.OldestPendingAgeSeconds is { } age && age > limits.MaxOutboxAgeSeconds)
        {
            degraded.Add($"the oldest outbox message waits {age:0} s (more than {limits.MaxOutboxAgeSeconds} s)");
        }

        if (outbox.Dead > limits.MaxDeadMessages)
        {
            degraded.Add($"{outbox.Dead} outbox message(s) are dead (more than {limits.MaxDeadMessages})");
        }

        foreach (var skewed in seen.Where(i => i.Lately && Math.Abs(i.Tick.ClockOffsetSeconds) > limits.MaxClockOffsetSeconds).Select(i => i.Tick))
        {
            degraded.Add($"instance {skewed.InstanceId}'s clock is {skewed.ClockOffsetSeconds:+0;-0} s off the database's (more than {limits.MaxClockOffsetSeconds} s): "
                + "changes it stamps may be missed until a full reconcile");
        }

        return new SyncHealthReport(degraded.Count == 0 ? "healthy" : "degraded", degraded, bindings, due.Due, due.BackingOff,
            overdue is { OverdueSeconds: > 0 } ? overdue : null, outbox, lastTick, instances);
    }
}
