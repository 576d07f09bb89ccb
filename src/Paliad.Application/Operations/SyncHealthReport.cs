namespace Paliad.Application.Operations;

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

    /// <summary>Degraded when an instance's clock, when it last reported, was further than this from the database's.
    /// Two instances this far off either way are still within a push mark's margin (5 min).</summary>
    public int MaxClockOffsetSeconds { get; set; } = 60;
}

/// <summary>Bindings in one state.</summary>
public sealed record BindingStatusCount(string Status, bool Enabled, long Count);

/// <summary>The most overdue binding: due this long ago without a tick.</summary>
public sealed record OverdueBinding(Guid BindingId, double OverdueSeconds);

/// <summary>Enabled bindings due now, and those waiting out a backoff after failures.</summary>
public sealed record DueCounts(long Due, long BackingOff);

/// <summary>The outbox's backlog.</summary>
public sealed record OutboxHealth(long Pending, double? OldestPendingAgeSeconds, long Dead);

/// <summary>One engine instance's last finished tick (instances seen in the last day), and its clock's offset from the
/// database's then.</summary>
public sealed record InstanceTick(string InstanceId, DateTimeOffset LastTickFinishedAt, DateTimeOffset SeenAt, double ClockOffsetSeconds);

/// <summary>Is sync keeping up? <see cref="Degraded"/> names each threshold crossed.</summary>
public sealed record SyncHealthReport(
    string Status,
    IReadOnlyList<string> Degraded,
    IReadOnlyList<BindingStatusCount> Bindings,
    long DueBindings,
    long BackingOffBindings,
    OverdueBinding? OldestOverdue,
    OutboxHealth Outbox,
    DateTimeOffset? LastTickFinishedAt,
    IReadOnlyList<InstanceTick> Instances);

/// <summary>Reads whether sync keeps up (GET /health/sync); the engine's database side implements it.</summary>
public interface ISyncHealth
{
    Task<SyncHealthReport> ReadAsync(CancellationToken cancellationToken = default);
}
