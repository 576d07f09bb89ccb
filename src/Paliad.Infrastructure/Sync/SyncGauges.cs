using System.Diagnostics.Metrics;
using Paliad.Application.Operations;

namespace Paliad.Infrastructure.Sync;

/// <summary>The backlog as gauges on meter Paliad.Sync — outbox pending, dead and lag (the oldest pending message's
/// age), bindings due, the most overdue binding's delay — read from <see cref="ISyncHealth"/> at most every 15 s
/// (a scrape never waits for the database: it reports the last reading and starts the next).</summary>
public sealed class SyncGauges
{
    private static readonly TimeSpan Fresh = TimeSpan.FromSeconds(15);
    private readonly ISyncHealth _health;
    private readonly TimeProvider _clock;
    private SyncHealthReport? _last;
    private DateTimeOffset _readAt = DateTimeOffset.MinValue;
    private int _reading;

    public SyncGauges(IMeterFactory meters, ISyncHealth health, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(meters);
        (_health, _clock) = (health, clock);
        var meter = meters.Create(SyncMetrics.MeterName);
        meter.CreateObservableGauge("paliad.outbox.pending", () => Read()?.Outbox.Pending ?? 0, description: "Outbox messages waiting to be handled");
        meter.CreateObservableGauge("paliad.outbox.dead", () => Read()?.Outbox.Dead ?? 0, description: "Outbox messages that gave up");
        meter.CreateObservableGauge("paliad.outbox.oldest_pending_age", () => Read()?.Outbox.OldestPendingAgeSeconds ?? 0, "s",
            "Age of the oldest outbox message waiting (outbox lag)");
        meter.CreateObservableGauge("paliad.sync.bindings_due", () => Read()?.DueBindings ?? 0, description: "Enabled bindings due for a tick");
        meter.CreateObservableGauge("paliad.sync.most_overdue", () => Read()?.OldestOverdue?.OverdueSeconds ?? 0, "s",
            "How long the most overdue binding has been due");
    }

    /// <summary>Reads the figures now (the worker and tests call it; scrapes use the last reading).</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken = default)
    {
        _last = await _health.ReadAsync(cancellationToken);
        _readAt = _clock.GetUtcNow();
    }

    private SyncHealthReport? Read()
    {
        if (_clock.GetUtcNow() - _readAt > Fresh && Interlocked.CompareExchange(ref _reading, 1, 0) == 0)
        {
            _ = Task.Run(async () =>
            {
                try
                {
                    await RefreshAsync();
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    // A failed reading keeps the last one; the next scrape tries again.
                }
                finally
                {
                    Interlocked.Exchange(ref _reading, 0);
                }
            });
        }

        return _last;
    }
}
