using Paliad.Domain.CalDav;

namespace Paliad.Infrastructure.Sync.Phases;

/// <summary>What one tick (or hook) on a binding did so far: its counts, the events it could not sync, and the
/// appointments whose copy it wrote or learned a new ETag of. A push's bookkeeping counts while its writes note
/// problems, so every change is made under one lock.</summary>
internal sealed class TickTally(SyncMetrics metrics)
{
    private readonly Lock _gate = new();
    private readonly List<string> _problems = [];
    private readonly HashSet<Guid> _touched = [];

    private SyncCounts _counts = SyncCounts.None;

    public SyncCounts Counts
    {
        get
        {
            lock (_gate)
            {
                return _counts;
            }
        }
    }

    /// <summary>Per-resource problems (the tick went on without them): the tick is then "partial".</summary>
    public IReadOnlyList<string> Problems
    {
        get
        {
            lock (_gate)
            {
                return [.. _problems];
            }
        }
    }

    /// <summary>Appointments whose copy this tick wrote or learned a new ETag of (for the legacy mirror).</summary>
    public IReadOnlyCollection<Guid> Touched
    {
        get
        {
            lock (_gate)
            {
                return [.. _touched];
            }
        }
    }

    public void Problem(string problem)
    {
        lock (_gate)
        {
            _problems.Add(problem);
        }
    }

    public void Touch(Guid appointmentId)
    {
        lock (_gate)
        {
            _touched.Add(appointmentId);
        }
    }

    public void Created()
    {
        Change(c => c with { Pushed = c.Pushed + 1 });
        metrics.Pushes.Add(1);
    }

    public void Updated()
    {
        Change(c => c with { Updated = c.Updated + 1 });
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
        Change(c => c with { Conflicts = c.Conflicts + 1 });
        metrics.Conflicts.Add(1);
    }

    public void Restored()
    {
        Change(c => c with { Restored = c.Restored + 1 });
        metrics.Restored.Add(1);
    }

    public void Deleted(int events = 1)
    {
        Change(c => c with { Deleted = c.Deleted + events });
        metrics.Deletes.Add(events);
    }

    public void Pulled()
    {
        Change(c => c with { Pulled = c.Pulled + 1 });
        metrics.Pulls.Add(1);
    }

    /// <summary>Takes back what was counted since <paramref name="counts"/> (writes whose record the database refused
    /// are counted again one by one).</summary>
    public void ResetTo(SyncCounts counts) => Change(_ => counts);

    /// <summary>A create whose record was refused and whose event was taken back off the server.</summary>
    public void CreateUndone() => Change(c => c with { Pushed = c.Pushed - 1 });

    private void Change(Func<SyncCounts, SyncCounts> change)
    {
        lock (_gate)
        {
            _counts = change(_counts);
        }
    }
}
