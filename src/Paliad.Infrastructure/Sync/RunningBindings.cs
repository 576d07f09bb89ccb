using System.Collections.Concurrent;
using Paliad.Infrastructure.Sync.Phases;

namespace Paliad.Infrastructure.Sync;

/// <summary>What became of appointments a hook handed to the run holding their binding.</summary>
internal enum HandOverOutcome
{
    /// <summary>The run pushed them.</summary>
    Pushed,

    /// <summary>The run ended before it took them: the hook claims the binding itself.</summary>
    NotTaken,
}

/// <summary>
/// The runs on bindings in this process, so that a hook meeting a binding a run holds does not fail: two workers
/// meeting on one binding is normal. A hook with appointments to push hands them to the run (which pushes them once
/// more before it lets go of the binding), any other waits for the run to end.
/// </summary>
internal sealed class RunningBindings
{
    private readonly ConcurrentDictionary<Guid, RunningBinding> _runs = new();

    public RunningBinding Enter(Guid bindingId)
    {
        var run = new RunningBinding();
        _runs[bindingId] = run;
        return run;
    }

    public void Leave(Guid bindingId, RunningBinding run)
    {
        run.Close();
        _runs.TryRemove(KeyValuePair.Create(bindingId, run));
        run.Left();
    }

    /// <summary>Hands the appointments to the run holding the binding in this process; null when none does (or it is
    /// ending).</summary>
    public Task<HandOverOutcome>? TryHandOver(Guid bindingId, IReadOnlyCollection<Guid> appointmentIds)
        => _runs.TryGetValue(bindingId, out var run) ? run.TryTake(appointmentIds) : null;

    /// <summary>Completes when the run holding the binding in this process ends; null when none does.</summary>
    public Task? WhenLeft(Guid bindingId) => _runs.TryGetValue(bindingId, out var run) ? run.WhenLeft : null;
}

/// <summary>One run on a binding: the appointments hooks handed to it, until it closes.</summary>
internal sealed class RunningBinding
{
    private readonly Lock _gate = new();
    private readonly TaskCompletionSource _left = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private List<HandedOver> _pending = [];
    private bool _closed;

    public Task WhenLeft => _left.Task;

    public Task<HandOverOutcome>? TryTake(IReadOnlyCollection<Guid> appointmentIds)
    {
        lock (_gate)
        {
            if (_closed)
            {
                return null;
            }

            var handed = new HandedOver(appointmentIds);
            _pending.Add(handed);
            return handed.Outcome;
        }
    }

    /// <summary>What was handed over since the last call.</summary>
    public IReadOnlyList<HandedOver> TakePending()
    {
        lock (_gate)
        {
            var pending = _pending;
            _pending = [];
            return pending;
        }
    }

    /// <summary>Takes nothing more; what is still pending goes back to its hooks.</summary>
    public void Close()
    {
        List<HandedOver> rest;
        lock (_gate)
        {
            _closed = true;
            rest = _pending;
            _pending = [];
        }

        foreach (var handed in rest)
        {
            handed.Settle(HandOverOutcome.NotTaken);
        }
    }

    public void Left() => _left.TrySetResult();

    /// <summary>Pushes what hooks handed over while the run worked, until no more comes; each hook learns whether its
    /// appointments went out (a problem with one of them fails the hooks of that batch, so the outbox retries).</summary>
    public async Task PushHandedOverAsync(BindingTick tick, CancellationToken cancellationToken)
    {
        while (TakePending() is { Count: > 0 } batch)
        {
            var problemsBefore = tick.Tally.Problems.Count;
            try
            {
                await tick.PushAppointmentsAsync(batch.SelectMany(h => h.AppointmentIds).Distinct().ToList(), cancellationToken);
            }
            catch (Exception e)
            {
                foreach (var handed in batch)
                {
                    handed.Fail(e);
                }

                throw;
            }

            var problems = tick.Tally.Problems.Skip(problemsBefore).ToList();
            foreach (var handed in batch)
            {
                if (problems.Count > 0)
                {
                    handed.Fail(new SyncBusyException(string.Join("; ", problems)));
                }
                else
                {
                    handed.Settle(HandOverOutcome.Pushed);
                }
            }
        }
    }
}

/// <summary>Appointments one hook handed over, and what became of them.</summary>
internal sealed class HandedOver(IReadOnlyCollection<Guid> appointmentIds)
{
    private readonly TaskCompletionSource<HandOverOutcome> _outcome = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IReadOnlyCollection<Guid> AppointmentIds => appointmentIds;

    public Task<HandOverOutcome> Outcome => _outcome.Task;

    public void Settle(HandOverOutcome outcome) => _outcome.TrySetResult(outcome);

    public void Fail(Exception failure) => _outcome.TrySetException(failure);
}
