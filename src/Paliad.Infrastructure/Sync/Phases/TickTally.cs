using Paliad.Domain.CalDav;

namespace Paliad.Infrastructure.Sync.Phases;

/// <summary>What one tick (or hook) on a binding did so far: its counts, the events it could not sync, and the
/// appointments whose copy it wrote or learned a new ETag of. Touched by the tick's own thread only.</summary>
internal sealed class TickTally(SyncMetrics metrics)
{
    private readonly List<string> _problems = [];
    private readonly HashSet<Guid> _touched = [];

    public SyncCounts Counts { get; private set; } = SyncCounts.None;

    /// <summary>Per-resource problems (the tick went on without them): the tick is then "partial".</summary>
    public IReadOnlyList<string> Problems => _problems;

    /// <summary>Appointments whose copy this tick wrote or learned a new ETag of (for the legacy mirror).</summary>
    public IReadOnlyCollection<Guid> Touched => _touched;

    public void Problem(string problem) => _problems.Add(problem);

    public void Touch(Guid appointmentId) => _touched.Add(appointmentId);

    public void Created()
    {
        Counts = Counts with { Pushed = Counts.Pushed + 1 };
        metrics.Pushes.Add(1);
    }

    public void Updated()
    {
        Counts = Counts with { Updated = Counts.Updated + 1 };
        metrics.Pushes.Add(1);
    }

    /// <summary>Paliad's version written over a copy whose edit of Paliad's fields is lost.</summary>
    public void UpdatedOverConflict()
    {
        Updated();
        Conflict();
    }

    /// <summary>A conflict without a write (the event left the calendar with Paliad's version standing).</summary>
    public void Conflict()
    {
        Counts = Counts with { Conflicts = Counts.Conflicts + 1 };
        metrics.Conflicts.Add(1);
    }

    public void Restored()
    {
        Counts = Counts with { Restored = Counts.Restored + 1 };
        metrics.Restored.Add(1);
    }

    public void Deleted(int events = 1)
    {
        Counts = Counts with { Deleted = Counts.Deleted + events };
        metrics.Deletes.Add(events);
    }

    public void Pulled()
    {
        Counts = Counts with { Pulled = Counts.Pulled + 1 };
        metrics.Pulls.Add(1);
    }

    /// <summary>Takes back what was counted since <paramref name="counts"/> (writes whose record the database refused
    /// are counted again one by one).</summary>
    public void ResetTo(SyncCounts counts) => Counts = counts;

    /// <summary>A create whose record was refused and whose event was taken back off the server.</summary>
    public void CreateUndone() => Counts = Counts with { Pushed = Counts.Pushed - 1 };
}
