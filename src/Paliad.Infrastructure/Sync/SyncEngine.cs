using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Paliad.Application.CalDav.Sync;
using Paliad.Infrastructure.CalDav;
using Paliad.Infrastructure.Sync.Phases;

namespace Paliad.Infrastructure.Sync;

/// <summary>
/// The sync engine: periodic ticks over due bindings, on-demand ticks, and the hooks the outbox calls when an
/// appointment or binding changes. All work on a binding happens under that binding's lease, so several instances
/// (and a hook racing a tick) never work on one calendar at once.
/// </summary>
public sealed partial class SyncEngine(
    IServiceScopeFactory scopes,
    CalDavClientFactory clients,
    TimeProvider clock,
    IOptions<SyncOptions> syncOptions,
    IOptions<CalDavOptions> calDavOptions,
    SyncMetrics metrics,
    ILogger<SyncEngine> logger) : ISyncRunner, IDisposable
{
    private readonly SyncOptions _options = syncOptions.Value;

    private TickSettings TickSettings => new(clock, _options, metrics, calDavOptions.Value.MaxConcurrentRequestsPerServer);

    /// <summary>Who holds a lease: unique per engine instance (process, or test host).</summary>
    public string InstanceId { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";

    private long _lastTickFinishedTicks;
    private long _lastReportedTicks;

    /// <summary>Tells /health/sync (sync_instances) when this instance last finished a tick, if that moved since it
    /// last said so. The sync worker calls it once per beat.</summary>
    public async Task ReportInstanceAsync(CancellationToken cancellationToken = default)
    {
        var finished = Interlocked.Read(ref _lastTickFinishedTicks);
        if (finished == 0 || finished == Interlocked.Read(ref _lastReportedTicks))
        {
            return;
        }

        await ReadAsync(db => SyncInstance.ReportAsync(db, InstanceId, new DateTimeOffset(finished, TimeSpan.Zero), clock.GetUtcNow(), cancellationToken));
        Interlocked.Exchange(ref _lastReportedTicks, finished);
    }

    private TimeSpan Lease => TimeSpan.FromSeconds(_options.LeaseSeconds);

    private TimeSpan TickDeadline => TimeSpan.FromSeconds(Math.Max(1, Math.Min(_options.TickTimeoutSeconds, _options.LeaseSeconds * 0.9)));

    private TimeSpan HookDeadline => TimeSpan.FromSeconds(Math.Max(1, calDavOptions.Value.HookTimeoutSeconds));

    /// <summary>Slots for periodic ticks in this instance (Sync:MaxConcurrentBindings): a stuck binding holds one
    /// slot until its deadline, never the others.</summary>
    private readonly SemaphoreSlim _slots = new(Math.Max(1, syncOptions.Value.MaxConcurrentBindings));

    private readonly ConcurrentDictionary<Task, byte> _running = new();

    // ---- ticks --------------------------------------------------------------------------------------------------

    /// <summary>Claims due bindings (enabled, account sync on, interval elapsed or pending, not backing off) that no
    /// other instance holds and ticks them, up to Sync:MaxConcurrentBindings at once, until none is due (at most
    /// Sync:MaxBindingsPerTick); returns what each did. Tests drive the engine through this.</summary>
    public async Task<IReadOnlyList<BindingSyncResult>> RunTickAsync(CancellationToken cancellationToken = default)
    {
        var ticks = new List<Task<BindingSyncResult>>();
        for (var i = 0; i < _options.MaxBindingsPerTick; i++)
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

    /// <summary>The background worker's step: fills the free slots with due bindings and returns without waiting for
    /// them, so a binding that takes long never delays the others' schedule.</summary>
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

    public void Dispose() => _slots.Dispose();

    /// <summary>Waits for the ticks this instance started (on shutdown).</summary>
    public Task WhenIdleAsync() => Task.WhenAll(_running.Keys);

    /// <summary>Claims one due binding and starts its tick in the slot the caller took; null (slot given back) when
    /// nothing is due.</summary>
    private async Task<Task<BindingSyncResult>?> StartNextDueTickAsync(CancellationToken cancellationToken)
    {
        ClaimedBinding? claimed;
        var token = Leases.NewToken(InstanceId);
        try
        {
            claimed = await ReadAsync(db => Leases.ClaimDueBindingAsync(db, token, Lease, Math.Max(1, _options.MaxConcurrentBindingsPerUser), cancellationToken));
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
            return await TickClaimedAsync(claimed, token, TickDeadline, cancellationToken);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // Nothing one binding does may end the round or take its slot for good.
            LogTickCrashed(logger, claimed.Id, e);
            metrics.Errors.Add(1);
            return new BindingSyncResult(claimed.Id, string.Empty, "error", 0, 0, 0, 0, 0, 0, e.Message);
        }
        finally
        {
            _slots.Release();
        }
    }

    /// <summary>A tick for one binding now, under the hook deadline (hooks that reconcile a whole binding: no
    /// waiting, the outbox retries).</summary>
    public Task<BindingSyncResult> SyncBindingAsync(Guid bindingId, CancellationToken cancellationToken)
        => SyncBindingAsync(bindingId, TimeSpan.Zero, HookDeadline, cancellationToken);

    /// <summary>POST /api/caldav-sync: <paramref name="timeLeft"/> of the request's deadline covers waiting for the
    /// lease and the tick.</summary>
    /// <remarks>A hook may be pushing to this calendar right now, so this waits for it (up to
    /// Sync:ManualSyncWaitSeconds) rather than answer "skipped" at once. The tick ignores the binding's backoff.</remarks>
    public Task<BindingSyncResult> SyncBindingNowAsync(Guid bindingId, TimeSpan timeLeft, CancellationToken cancellationToken)
        => SyncBindingAsync(bindingId, Min(TimeSpan.FromSeconds(_options.ManualSyncWaitSeconds), timeLeft), Min(TickDeadline, timeLeft), cancellationToken);

    public TimeSpan ManualSyncDeadline => TimeSpan.FromSeconds(Math.Max(1, _options.ManualSyncTimeoutSeconds));

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    /// <summary>Claims the binding (waiting up to <paramref name="waitForLease"/> for a holder to finish) and ticks
    /// it; <paramref name="deadline"/> covers both, the wait and the tick.</summary>
    private async Task<BindingSyncResult> SyncBindingAsync(Guid bindingId, TimeSpan waitForLease, TimeSpan deadline, CancellationToken cancellationToken)
    {
        var elapsed = Stopwatch.StartNew();
        var token = Leases.NewToken(InstanceId);
        var claimed = await TryClaimAsync(bindingId, token, cancellationToken);
        while (claimed is null && elapsed.Elapsed < waitForLease)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(200), clock, cancellationToken);
            claimed = await TryClaimAsync(bindingId, token, cancellationToken);
        }

        if (claimed is null)
        {
            var path = await ReadAsync(db => db.CalendarBindings.Where(b => b.Id == bindingId).Select(b => b.CalendarPath).SingleOrDefaultAsync(cancellationToken));
            return new BindingSyncResult(bindingId, path ?? string.Empty, BindingSyncResult.Skipped, 0, 0, 0, 0, 0, 0, "Another sync of this calendar is running.");
        }

        var left = deadline - elapsed.Elapsed;
        return await TickClaimedAsync(claimed, token, left > MinimumTick ? left : MinimumTick, cancellationToken);
    }

    private static readonly TimeSpan MinimumTick = TimeSpan.FromSeconds(1);

    /// <summary>Ticks every enabled binding of a user (after they lost or gained access to a project), within one
    /// hook deadline for all of them: bindings the deadline leaves no time for are marked pending, so the periodic
    /// scheduler ticks them next (a user with many bindings, or one slow server, never makes this hook fail for
    /// good).</summary>
    public async Task SyncUserAsync(Guid userId, CancellationToken cancellationToken)
    {
        // Appointments entered or left the user's scopes without changing: each binding looks at its whole scope.
        await ReadAsync(db => ChangeDetection.RequestFullScanAsync(db, userId, cancellationToken));
        var bindings = await ReadAsync(db => db.CalendarBindings.Where(b => b.UserId == userId && b.Enabled).Select(b => b.Id).ToListAsync(cancellationToken));
        var elapsed = Stopwatch.StartNew();
        var deferred = new List<Guid>();
        try
        {
            await ForEachBindingAsync(bindings, async id =>
            {
                var left = HookDeadline - elapsed.Elapsed;
                if (left < MinimumTick)
                {
                    deferred.Add(id);
                    return;
                }

                RequireDone(await SyncBindingAsync(id, TimeSpan.Zero, left, cancellationToken));
            }, cancellationToken);
        }
        finally
        {
            if (deferred.Count > 0)
            {
                await ReadAsync(db => Leases.MarkPendingAsync(db, deferred, CancellationToken.None));
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Sync tick binding={BindingId} user={UserId} status={Status} pushed={Pushed} updated={Updated} deleted={Deleted} pulled={Pulled} conflicts={Conflicts} restored={Restored} ms={ElapsedMs} error={Error}")]
    private static partial void LogTick(ILogger logger, Guid bindingId, Guid userId, string status, int pushed, int updated, int deleted, int pulled,
        int conflicts, int restored, long elapsedMs, string? error);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Sync hook binding={BindingId} user={UserId} status={Status} pushed={Pushed} updated={Updated} deleted={Deleted} pulled={Pulled} conflicts={Conflicts} restored={Restored} ms={ElapsedMs} error={Error}")]
    private static partial void LogHook(ILogger logger, Guid bindingId, Guid userId, string status, int pushed, int updated, int deleted, int pulled,
        int conflicts, int restored, long elapsedMs, string? error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Sync tick on binding {BindingId} crashed; the round goes on")]
    private static partial void LogTickCrashed(ILogger logger, Guid bindingId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sync hook on binding {BindingId} failed (the outbox retries): {Problem}")]
    private static partial void LogHookFailure(ILogger logger, Guid bindingId, string problem);
}
