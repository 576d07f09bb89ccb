using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Paliad.Application.CalDav;
using Paliad.Application.CalDav.Sync;
using Paliad.Domain.CalDav;
using Paliad.Domain.Common;
using Paliad.Infrastructure.CalDav;
using Paliad.Infrastructure.Persistence;
using Paliad.Infrastructure.Persistence.Outbox;

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

    /// <summary>Who holds a lease: unique per engine instance (process, or test host).</summary>
    public string InstanceId { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";

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
        Guid? claimed;
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

        if (claimed is not { } bindingId)
        {
            _slots.Release();
            return null;
        }

        var tick = RunInSlotAsync(bindingId, token, cancellationToken);
        _running.TryAdd(tick, 0);
        _ = tick.ContinueWith(t => _running.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return tick;
    }

    private async Task<BindingSyncResult> RunInSlotAsync(Guid bindingId, string token, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Yield();
            return await TickClaimedAsync(bindingId, token, TickDeadline, cancellationToken);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // Nothing one binding does may end the round or take its slot for good.
            LogTickCrashed(logger, bindingId, e);
            metrics.Errors.Add(1);
            return new BindingSyncResult(bindingId, string.Empty, "error", 0, 0, 0, 0, 0, 0, e.Message);
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
        while (!claimed && elapsed.Elapsed < waitForLease)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(200), clock, cancellationToken);
            claimed = await TryClaimAsync(bindingId, token, cancellationToken);
        }

        if (!claimed)
        {
            var path = await ReadAsync(db => db.CalendarBindings.Where(b => b.Id == bindingId).Select(b => b.CalendarPath).SingleOrDefaultAsync(cancellationToken));
            return new BindingSyncResult(bindingId, path ?? string.Empty, BindingSyncResult.Skipped, 0, 0, 0, 0, 0, 0, "Another sync of this calendar is running.");
        }

        var left = deadline - elapsed.Elapsed;
        return await TickClaimedAsync(bindingId, token, left > MinimumTick ? left : MinimumTick, cancellationToken);
    }

    private static readonly TimeSpan MinimumTick = TimeSpan.FromSeconds(1);

    /// <summary>Ticks every enabled binding of a user (after they lost or gained access to a project), within one
    /// hook deadline for all of them: bindings the deadline leaves no time for are marked pending, so the periodic
    /// scheduler ticks them next (a user with many bindings, or one slow server, never makes this hook fail for
    /// good).</summary>
    public async Task SyncUserAsync(Guid userId, CancellationToken cancellationToken)
    {
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

    /// <summary>One binding's tick, under its lease and <paramref name="deadline"/>. Whatever happens — the server
    /// fails or answers garbage, the deadline passes, the binding is deleted meanwhile, the database refuses a value —
    /// ends as this binding's status and sync-log row, never as an exception that stops other bindings.</summary>
    private async Task<BindingSyncResult> TickClaimedAsync(Guid bindingId, string token, TimeSpan deadline, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        var started = clock.GetUtcNow();
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PaliadDbContext>();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(deadline);
        try
        {
            // The binding and its account in one round trip.
            var loaded = await (
                    from b in db.CalendarBindings
                    where b.Id == bindingId
                    join c in db.CalDavConfigs on b.UserId equals c.UserId
                    select new { Binding = b, Config = c })
                .SingleOrDefaultAsync(cancellationToken);
            if (loaded is null)
            {
                return new BindingSyncResult(bindingId, string.Empty, BindingSyncResult.Skipped, 0, 0, 0, 0, 0, 0, "No CalDAV account for this binding.");
            }

            var (binding, config) = (loaded.Binding, loaded.Config);

            BindingTick? tick = null;
            string? fatal = null;
            TimeSpan? serverAskedToWait = null;
            var deadlineHit = false;
            var calendarPath = binding.CalendarPath;
            var (scope0, scopeId0) = (binding.Scope, binding.ScopeId);
            try
            {
                tick = new BindingTick(db, ClientFor(scope, config), binding, clock, _options, metrics, logger, () => RenewAsync(db, bindingId, token),
                    calDavOptions.Value.MaxConcurrentRequestsPerServer);
                await tick.RunAsync(timeout.Token);
            }
            catch (LeaseLostException)
            {
                return new BindingSyncResult(bindingId, calendarPath, BindingSyncResult.Skipped, 0, 0, 0, 0, 0, 0, "The lease on this binding was lost mid-tick.");
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                // What was done is recorded (each write right after it succeeded); the rest resumes next tick.
                deadlineHit = true;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Anything else (server trouble, data the domain refuses) ends this tick as an error on the record,
                // so the binding backs off and the other due bindings still get their turn.
                fatal = e.Message;
                serverAskedToWait = (e as CalDavRateLimitedException)?.RetryAfter;
            }

            if (fatal is not null || deadlineHit)
            {
                // Unsaved changes belong to the resource that was interrupted: drop them, keep what was saved.
                db.ChangeTracker.Clear();
                binding = await db.CalendarBindings.SingleOrDefaultAsync(b => b.Id == bindingId, cancellationToken);
                config = binding is null ? null : await db.CalDavConfigs.SingleOrDefaultAsync(c => c.UserId == binding.UserId, cancellationToken);
                if (binding is null || config is null)
                {
                    return new BindingSyncResult(bindingId, calendarPath, BindingSyncResult.Skipped, 0, 0, 0, 0, 0, 0, "The binding was deleted during its tick.");
                }
            }

            // A PATCH during the tick (another calendar, another scope) wins: what this tick learned about the old
            // calendar is dropped, and the binding stays as the PATCH left it (pending, for its own reconcile).
            var now = await db.CalendarBindings.AsNoTracking().Where(b => b.Id == bindingId)
                .Select(b => new { b.CalendarPath, b.Scope, b.ScopeId }).SingleOrDefaultAsync(cancellationToken);
            if (now is null)
            {
                return new BindingSyncResult(bindingId, calendarPath, BindingSyncResult.Skipped, 0, 0, 0, 0, 0, 0, "The binding was deleted during its tick.");
            }

            var changedMeanwhile = now.CalendarPath != calendarPath || now.Scope != scope0 || now.ScopeId != scopeId0;
            if (changedMeanwhile)
            {
                await db.Entry(binding).ReloadAsync(cancellationToken);
            }

            var problems = tick?.Problems ?? [];
            var counts = tick?.Counts ?? SyncCounts.None;
            var status = fatal is not null ? SyncLogStatus.Error : problems.Count > 0 || deadlineHit ? SyncLogStatus.Partial : SyncLogStatus.Ok;
            var error = fatal
                        ?? (deadlineHit ? $"Stopped at the {deadline.TotalSeconds:0} s deadline; what was done is kept and the rest resumes next tick." : null)
                        ?? (problems.Count > 0 ? $"{problems.Count} event(s) not synced: {string.Join("; ", problems)}" : null);
            var finished = clock.GetUtcNow();
            // A tick cut off by its deadline after making progress is due again at once (a large first fill goes on
            // slice by slice); one that failed, or made no progress before its deadline, backs off.
            var bindingStatus = status == SyncLogStatus.Ok ? BindingSyncStatus.Ok
                : deadlineHit && fatal is null && counts != SyncCounts.None ? BindingSyncStatus.Pending
                : BindingSyncStatus.Error;
            var retryLater = fatal is not null || (deadlineHit && bindingStatus == BindingSyncStatus.Error);
            return await RecordTickAsync(db, binding, config,
                new TickOutcome(started, finished, status, bindingStatus, counts, error, retryLater, serverAskedToWait, changedMeanwhile), stopwatch);
        }
        finally
        {
            await Leases.ReleaseBindingAsync(db, bindingId, token, CancellationToken.None);
        }
    }

    private sealed record TickOutcome(
        DateTimeOffset Started,
        DateTimeOffset Finished,
        SyncLogStatus Status,
        BindingSyncStatus BindingStatus,
        SyncCounts Counts,
        string? Error,
        bool RetryLater,
        TimeSpan? ServerAskedToWait,
        bool ChangedMeanwhile);

    /// <summary>The tick's sync-log row, the binding's status and backoff, the account's roll-up. A value the database
    /// refuses here is written down as the binding's error rather than thrown.</summary>
    private async Task<BindingSyncResult> RecordTickAsync(
        PaliadDbContext db, CalendarBinding binding, CalDavConfig config, TickOutcome outcome, Stopwatch stopwatch)
    {
        var (status, counts, error) = (outcome.Status, outcome.Counts, outcome.Error);
        try
        {
            db.SyncLog.Add(SyncLogEntry.Record(binding.UserId, binding.Id, outcome.Started, outcome.Finished, status, counts, error));
            if (!outcome.ChangedMeanwhile)
            {
                binding.RecordSync(outcome.BindingStatus, error, outcome.Finished, outcome.RetryLater, outcome.ServerAskedToWait);
            }

            await db.SaveChangesAsync(CancellationToken.None);
        }
        catch (DbUpdateException e)
        {
            // What the tick learned could not be stored (a value the database refuses, the binding deleted meanwhile):
            // the tick is an error, and the binding backs off rather than being claimed first again.
            status = SyncLogStatus.Error;
            error = $"The tick's results could not be recorded: {e.InnerException?.Message ?? e.Message}";
            db.ChangeTracker.Clear();
            var fresh = await db.CalendarBindings.SingleOrDefaultAsync(b => b.Id == binding.Id, CancellationToken.None);
            if (fresh is null)
            {
                return new BindingSyncResult(binding.Id, binding.CalendarPath, BindingSyncResult.Skipped, 0, 0, 0, 0, 0, 0, "The binding was deleted during its tick.");
            }

            binding = fresh;
            db.SyncLog.Add(SyncLogEntry.Record(binding.UserId, binding.Id, outcome.Started, outcome.Finished, status, counts, error));
            binding.RecordSync(BindingSyncStatus.Error, error, outcome.Finished, retryLater: true);
            await db.SaveChangesAsync(CancellationToken.None);
            config = await db.CalDavConfigs.SingleAsync(c => c.UserId == binding.UserId, CancellationToken.None);
        }

        await RollUpAsync(db, config.UserId, outcome.Finished, CancellationToken.None);
        if (binding.Scope == BindingScope.AllVisible && status != SyncLogStatus.Error)
        {
            // Also after a tick that did nothing itself: hooks push without mirroring, the tick catches up.
            await WriteLegacyColumnsAsync(db, binding.Id, CancellationToken.None);
        }

        stopwatch.Stop();
        metrics.TickDuration.Record(stopwatch.Elapsed.TotalSeconds);
        if (status != SyncLogStatus.Ok)
        {
            metrics.Errors.Add(1);
        }

        var statusWord = Words.Of(status);
        LogTick(logger, binding.Id, binding.UserId, statusWord, counts.Pushed, counts.Updated, counts.Deleted, counts.Pulled, counts.Conflicts,
            counts.Restored, stopwatch.ElapsedMilliseconds, error);
        return new BindingSyncResult(binding.Id, binding.CalendarPath, statusWord, counts.Pushed, counts.Updated, counts.Deleted, counts.Pulled,
            counts.Conflicts, counts.Restored, error);
    }

    private async Task RenewAsync(PaliadDbContext db, Guid bindingId, string token)
    {
        if (!await Leases.RenewBindingAsync(db, bindingId, token, Lease, CancellationToken.None))
        {
            throw new LeaseLostException();
        }
    }

    /// <summary>The account shows the worst of its bindings: the first binding in error, else none.</summary>
    /// <remarks>One statement: the account row is a projection of its bindings' states.</remarks>
    private static Task<int> RollUpAsync(PaliadDbContext db, Guid userId, DateTimeOffset finished, CancellationToken cancellationToken)
    {
        var at = Instant.Normalize(finished);
        return db.Database.ExecuteSqlAsync($"""
            UPDATE paliad.user_caldav_config c SET last_sync_at = {at}, last_sync_error = (
                SELECT b.calendar_path || ': ' || coalesce(b.last_sync_error, '') FROM paliad.calendar_bindings b
                WHERE b.user_id = c.user_id AND b.enabled AND b.sync_status = 'error'
                ORDER BY b.calendar_path LIMIT 1)
            WHERE c.user_id = {userId}
            """, cancellationToken);
    }

    /// <summary>Phase F back-compat: appointments.caldav_uid/caldav_etag mirror the all_visible binding's targets.</summary>
    /// <remarks>Only the owner's copies: members' all_visible bindings hold the same shared appointments.</remarks>
    private static Task<int> WriteLegacyColumnsAsync(PaliadDbContext db, Guid bindingId, CancellationToken cancellationToken)
        => db.Database.ExecuteSqlAsync($"""
            UPDATE paliad.appointments a SET caldav_uid = t.caldav_uid, caldav_etag = t.caldav_etag
            FROM paliad.appointment_targets t JOIN paliad.calendar_bindings b ON b.id = t.binding_id
            WHERE t.binding_id = {bindingId} AND t.appointment_id = a.id AND a.owner_id = b.user_id
              AND (a.caldav_uid IS DISTINCT FROM t.caldav_uid OR a.caldav_etag IS DISTINCT FROM t.caldav_etag)
            """, cancellationToken);

    // ---- plumbing -----------------------------------------------------------------------------------------------

    private delegate Task BindingWork(PaliadDbContext db, BindingTick tick, CalendarBinding binding, CancellationToken cancellationToken);

    /// <summary>Runs hook work on one binding under its lease and the hook timeout. A binding another instance holds
    /// is a failure, so the outbox retries once that tick is done (nothing is lost, nothing done twice).</summary>
    private async Task WithBindingAsync(Guid bindingId, BindingWork work, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(HookDeadline);
        var token = Leases.NewToken(InstanceId);
        if (!await TryClaimAsync(bindingId, token, timeout.Token))
        {
            throw new SyncBusyException($"Binding {bindingId} is being synced by another worker; will retry.");
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PaliadDbContext>();
        try
        {
            var binding = await db.CalendarBindings.SingleOrDefaultAsync(b => b.Id == bindingId, timeout.Token);
            var config = binding is null ? null : await db.CalDavConfigs.AsNoTracking().SingleOrDefaultAsync(c => c.UserId == binding.UserId, timeout.Token);
            if (binding is null || config is null)
            {
                return;
            }

            var started = clock.GetUtcNow();
            var tick = new BindingTick(db, ClientFor(scope, config), binding, clock, _options, metrics, logger, () => RenewAsync(db, bindingId, token),
                    calDavOptions.Value.MaxConcurrentRequestsPerServer);
            await work(db, tick, binding, timeout.Token);
            if (tick.Counts != SyncCounts.None || tick.Problems.Count > 0)
            {
                // What a hook did (a push, a conflict it resolved, a removal) belongs in the audit as much as a tick.
                var status = tick.Problems.Count > 0 ? SyncLogStatus.Partial : SyncLogStatus.Ok;
                var error = tick.Problems.Count > 0 ? string.Join("; ", tick.Problems) : null;
                db.SyncLog.Add(SyncLogEntry.Record(binding.UserId, binding.Id, started, clock.GetUtcNow(), status, tick.Counts, error));
                await db.SaveChangesAsync(CancellationToken.None);
                if (error is not null)
                {
                    throw new SyncBusyException(error);
                }
            }
        }
        finally
        {
            await Leases.ReleaseBindingAsync(db, bindingId, token, CancellationToken.None);
        }
    }

    /// <summary>Each binding best effort: all are tried, and if any failed the whole hook fails afterwards. When
    /// every failure was one user's unusable account (401/403, an address or origin the guard refuses) and
    /// <paramref name="userOf"/> says whose, the hook fails with <see cref="AccountNeedsFixingException"/>, so the
    /// outbox waits for that account to change instead of retrying. (Failures of several users' accounts are
    /// retried with backoff: one user's fix must not wait for another's.)</summary>
    private async Task ForEachBindingAsync(
        IReadOnlyCollection<Guid> bindingIds, Func<Guid, Task> work, CancellationToken cancellationToken, Func<Guid, Guid>? userOf = null)
    {
        var failures = new List<(Guid BindingId, Exception Error)>();
        foreach (var bindingId in bindingIds)
        {
            try
            {
                await work(bindingId);
            }
            catch (Exception e) when (e is CalDavException or SyncBusyException or LeaseLostException or DbUpdateException
                                          || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                failures.Add((bindingId, e));
                metrics.Errors.Add(1);
                LogHookFailure(logger, bindingId, e.Message);
            }
        }

        if (failures.Count == 0)
        {
            return;
        }

        var message = string.Join("; ", failures.Select(f => $"binding {f.BindingId}: {f.Error.Message}"));
        if (userOf is not null && failures.TrueForAll(f => IsAccountProblem(f.Error)) && failures.Select(f => userOf(f.BindingId)).Distinct().Count() == 1)
        {
            throw new AccountNeedsFixingException(userOf(failures[0].BindingId), message);
        }

        throw new SyncBusyException(message);
    }

    private static bool IsAccountProblem(Exception e)
        => e is CalDavUnauthorizedException or CalDavForbiddenException or CalDavAddressNotAllowedException or CalDavOriginRefusedException;

    private static void RequireDone(BindingSyncResult result)
    {
        if (result.Status is BindingSyncResult.Skipped or "error")
        {
            throw new SyncBusyException($"Binding {result.BindingId}: {result.Error}");
        }
    }

    private async Task<bool> TryClaimAsync(Guid bindingId, string token, CancellationToken cancellationToken)
        => await ReadAsync(db => Leases.TryClaimBindingAsync(db, bindingId, token, Lease, cancellationToken));



    private CalDavClient ClientFor(AsyncServiceScope scope, CalDavConfig config)
    {
        var protector = scope.ServiceProvider.GetRequiredService<ICalDavPasswordProtector>();
        string? password;
        try
        {
            password = config.EncryptedPassword is null ? null : protector.Unprotect(config.EncryptedPassword);
        }
        catch (System.Security.Cryptography.CryptographicException e)
        {
            // The key that encrypted it is gone (key ring lost): the user has to enter the password again.
            throw new CalDavUnauthorizedException($"The stored CalDAV password cannot be decrypted ({e.Message}); save the account again.");
        }

        return clients.Create(config.ServerUrl, config.Username, password);
    }

    private async Task<CalDavClient?> ClientForUser(PaliadDbContext db, Guid userId)
    {
        var config = await db.CalDavConfigs.AsNoTracking().SingleOrDefaultAsync(c => c.UserId == userId);
        if (config is null)
        {
            return null;
        }

        await using var scope = scopes.CreateAsyncScope();
        return ClientFor(scope, config);
    }

    private async Task<T> ReadAsync<T>(Func<PaliadDbContext, Task<T>> query)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<PaliadDbContext>());
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Sync tick binding={BindingId} user={UserId} status={Status} pushed={Pushed} updated={Updated} deleted={Deleted} pulled={Pulled} conflicts={Conflicts} restored={Restored} ms={ElapsedMs} error={Error}")]
    private static partial void LogTick(ILogger logger, Guid bindingId, Guid userId, string status, int pushed, int updated, int deleted, int pulled,
        int conflicts, int restored, long elapsedMs, string? error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Sync tick on binding {BindingId} crashed; the round goes on")]
    private static partial void LogTickCrashed(ILogger logger, Guid bindingId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sync hook on binding {BindingId} failed (the outbox retries): {Problem}")]
    private static partial void LogHookFailure(ILogger logger, Guid bindingId, string problem);
}
