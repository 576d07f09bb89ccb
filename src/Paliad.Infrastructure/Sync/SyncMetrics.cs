using System.Diagnostics.Metrics;

namespace Paliad.Infrastructure.Sync;

/// <summary>The engine's instruments (meter "Paliad.Sync").</summary>
public sealed class SyncMetrics
{
    public const string MeterName = "Paliad.Sync";

    public SyncMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var meter = meters.Create(MeterName);
        Pushes = meter.CreateCounter<long>("paliad.sync.pushes", description: "Events created or updated on CalDAV servers");
        Pulls = meter.CreateCounter<long>("paliad.sync.pulls", description: "Remote edits applied to appointments");
        Deletes = meter.CreateCounter<long>("paliad.sync.deletes", description: "Events removed from CalDAV servers");
        Conflicts = meter.CreateCounter<long>("paliad.sync.conflicts", description: "Events changed on both sides (Paliad won)");
        Restored = meter.CreateCounter<long>("paliad.sync.restored", description: "Events deleted remotely and re-created");
        Errors = meter.CreateCounter<long>("paliad.sync.errors", description: "Ticks or hooks that failed");
        TickDuration = meter.CreateHistogram<double>("paliad.sync.tick.duration", "s", "Duration of one binding's tick");
    }

    public Counter<long> Pushes { get; }

    public Counter<long> Pulls { get; }

    public Counter<long> Deletes { get; }

    public Counter<long> Conflicts { get; }

    public Counter<long> Restored { get; }

    public Counter<long> Errors { get; }

    public Histogram<double> TickDuration { get; }
}
