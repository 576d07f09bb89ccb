using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Paliad.Infrastructure.Persistence;

namespace Paliad.Infrastructure.Sync;

/// <summary>Configuration section "Health": who may read /health/sync, and when sync counts as degraded.</summary>
public sealed class HealthOptions
{
    public const string Section = "Health";

    /// <summary>The key an operator sends as <c>X-Operator-Key</c> to read /health/sync; unset: the endpoint is off (404).</summary>
    public string? OperatorKey { get; set; }

    /// <summary>Degraded when a binding is overdue by more than this.</summary>
    public int MaxOverdueSeconds { get; set; } = 900;

    /// <summary>Degraded when the oldest unprocessed outbox message waits longer than this.</summary>
    public int MaxOutboxAgeSeconds { get; set; } = 300;

    /// <summary>Degraded when more outbox messages than this are dead.</summary>
    public int MaxDeadMessages { get; set; }
}

/// <summary>Bindings in one state.</summary>
public sealed record BindingStatusCount(string Status, bool Enabled, long Count);

/// <summary>The most overdue binding: due this long ago without a tick.</summary>
public sealed record OverdueBinding(Guid BindingId, double OverdueSeconds);

/// <summary>The outbox's backlog.</summary>
public sealed record OutboxHealth(long Pending, double? OldestPendingAgeSeconds, long Dead);

/// <summary>One engine instance's last finished tick (instances seen in the last day).</summary>
public sealed record InstanceTick(string InstanceId, DateTimeOffset LastTickFinishedAt, DateTimeOffset SeenAt);

/// <summary>Is sync keeping up? <see cref="Degraded"/> names each threshold crossed.</summary>
public sealed record SyncHealthReport(
    string Status,
    IReadOnlyList<string> Degraded,
    IReadOnlyList<BindingStatusCount> Bindings,
    long DueBindings,
    OverdueBinding? OldestOverdue,
    OutboxHealth Outbox,
    DateTimeOffset? LastTickFinishedAt,
    IReadOnlyList<InstanceTick> Instances);

/// <summary>Reads /health/sync's figures from the database in one round trip per figure (all index-backed or tiny).</summary>
public sealed class SyncHealth(IServiceScopeFactory scopes, IOptionsMonitor<HealthOptions> options)
{
    public async Task<SyncHealthReport> ReadAsync(CancellationToken cancellationToken = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PaliadDbContext>();
        var bindings = await db.Database.SqlQuery<BindingStatusCount>($"""
            SELECT sync_status AS status, enabled, count(*) AS count FROM paliad.calendar_bindings GROUP BY sync_status, enabled ORDER BY sync_status, enabled
            """).ToListAsync(cancellationToken);
        var overdue = (await db.Database.SqlQuery<OverdueBinding>($"""
            SELECT b.id AS binding_id,
                   extract(epoch FROM now() - COALESCE(b.last_sync_at + make_interval(mins => c.sync_interval_minutes), b.created_at))::float8 AS overdue_seconds
            FROM paliad.calendar_bindings b JOIN paliad.user_caldav_config c ON c.user_id = b.user_id
            WHERE b.enabled AND c.sync_enabled
            ORDER BY COALESCE(b.last_sync_at + make_interval(mins => c.sync_interval_minutes), b.created_at), b.id
            LIMIT 1
            """).ToListAsync(cancellationToken)).SingleOrDefault();
        var due = await db.Database.SqlQuery<long>($"""
            SELECT count(*) AS "Value" FROM paliad.calendar_bindings b JOIN paliad.user_caldav_config c ON c.user_id = b.user_id
            WHERE b.enabled AND c.sync_enabled
              AND (b.last_sync_at IS NULL OR b.sync_status = 'pending' OR b.last_sync_at + make_interval(mins => c.sync_interval_minutes) <= now())
            """).SingleAsync(cancellationToken);
        var outbox = (await db.Database.SqlQuery<OutboxHealth>($"""
            SELECT count(*) FILTER (WHERE dead_at IS NULL) AS pending,
                   extract(epoch FROM now() - min(occurred_at) FILTER (WHERE dead_at IS NULL))::float8 AS oldest_pending_age_seconds,
                   count(*) FILTER (WHERE dead_at IS NOT NULL) AS dead
            FROM paliad.outbox_messages WHERE processed_at IS NULL
            """).ToListAsync(cancellationToken)).Single();
        var lastTick = await db.CalendarBindings.MaxAsync(b => b.LastSyncAt, cancellationToken);
        var dayAgo = DateTimeOffset.UtcNow.AddDays(-1);
        var instances = await db.SyncInstances.AsNoTracking().Where(i => i.SeenAt > dayAgo).OrderBy(i => i.InstanceId)
            .Select(i => new InstanceTick(i.InstanceId, i.LastTickFinishedAt, i.SeenAt)).ToListAsync(cancellationToken);

        var limits = options.CurrentValue;
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

        return new SyncHealthReport(degraded.Count == 0 ? "healthy" : "degraded", degraded, bindings, due,
            overdue is { OverdueSeconds: > 0 } ? overdue : null, outbox, lastTick, instances);
    }
}
