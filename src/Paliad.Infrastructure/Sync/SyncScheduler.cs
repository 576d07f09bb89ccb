using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Paliad.Application.CalDav.Sync;
using Paliad.Domain.CalDav;

namespace Paliad.Infrastructure.Sync;

/// <summary>
/// The periodic side of the engine: claims due bindings (enabled, account sync on, interval elapsed or pending, not
/// backing off) that no other instance holds — fair across users (<see cref="Leases.ClaimDueBindingAsync"/>) — and
/// ticks each in one of this instance's slots (Sync:MaxConcurrentBindings): a stuck binding holds one slot until its
/// deadline, never the others.
/// </summary>
internal sealed class SyncScheduler(BindingRunner runner, SyncDatabase database, SyncOptions options, SyncMetrics metrics, ILogger logger, string instanceId)
    : IDisposable
{
    private static readonly Action<ILogger, Guid, Exception?> LogTickCrashed = LoggerMessage.Define<Guid>(
        LogLevel.Error, new EventId(20, "TickCrashed"), "Sync tick on binding {BindingId} crashed; the round goes on");

    private readonly SemaphoreSlim _slots = new(Math.Max(1, options.MaxConcurrentBindings));
    private readonly ConcurrentDictionary<Task, byte> _running = new();

    private TimeSpan Lease => TimeSpan.FromSeconds(options.LeaseSeconds);

    /// <summary>A tick's deadline: Sync:TickTimeoutSeconds, and always well inside its lease.</summary>
    public TimeSpan TickDeadline => TimeSpan.FromSeconds(Math.Max(1, Math.Min(options.TickTimeoutSeconds, options.LeaseSeconds * 0.9)));

    /// <summary>Ticks due bindings, up to Sync:MaxConcurrentBindings at once, until none is due (at most
    /// Sync:MaxBindingsPerTick); returns what each did.</summary>
    public async Task<IReadOnlyList<BindingSyncResult>> RunTickAsync(CancellationToken cancellationToken)
    {
        var ticks = new List<Task<BindingSyncResult>>();
        for (var i = 0; i < options.MaxBindingsPerTick; i++)
        {
            await _slots.WaitAsync(cancellationToken);
            var tick = await StartNextDueTickAsync(cancellationToken);
            if (tick is null)
            {
                break;
            }

            ticks.Add(tick);
        }

        return await Task.WhenAll(ticks);
    }

    /// <summary>Fills the free slots with due bindings and returns without waiting for them, so a binding that takes
    /// long never delays the others' schedule.</summary>
    public async Task<int> StartDueTicksAsync(CancellationToken cancellationToken)
    {
        var started = 0;
        while (await _slots.WaitAsync(0, cancellationToken))
        {
            if (await StartNextDueTickAsync(cancellationToken) is null)
            {
                break;
            }

            started++;
        }

        return started;
    }

    /// <summary>Waits for the ticks this instance started (on shutdown).</summary>
    public Task WhenIdleAsync() => Task.WhenAll(_running.Keys);

    public void Dispose() => _slots.Dispose();

    /// <summary>Claims one due binding and starts its tick in the slot the caller took; null (slot given back) when
    /// nothing is due.</summary>
    private async Task<Task<BindingSyncResult>?> StartNextDueTickAsync(CancellationToken cancellationToken)
    {
        ClaimedBinding? claimed;
        var token = Leases.NewToken(instanceId);
        try
        {
            claimed = await database.UseAsync(db => Leases.ClaimDueBindingAsync(db, token, Lease, Math.Max(1, options.MaxConcurrentBindingsPerUser), cancellationToken));
        }
        catch
        {
            _slots.Release();
            throw;
        }

        if (claimed is null)
        {
            _slots.Release();
            return null;
        }

        var tick = RunInSlotAsync(claimed, token, cancellationToken);
        _running.TryAdd(tick, 0);
        _ = tick.ContinueWith(t => _running.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return tick;
    }

    private async Task<BindingSyncResult> RunInSlotAsync(ClaimedBinding claimed, string token, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Yield();
            return (await runner.TickClaimedAsync(claimed, token, TickDeadline, cancellationToken)).Result;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // Nothing one binding does may end the round or take its slot for good.
            LogTickCrashed(logger, claimed.Id, e);
            metrics.Errors.Add(1);
            var problem = SyncProblems.Of(e);
            return new BindingSyncResult(claimed.Id, string.Empty, SyncRunStatus.Error, SyncCounts.None, problem.Said, problem.Detail);
        }
        finally
        {
            _slots.Release();
        }
    }
}
