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
    ILogger<SyncEngine> logger) : ISyncRunner
{
    private readonly SyncOptions _options = syncOptions.Value;

    /// <summary>Who holds a lease: unique per engine instance (process, or test host).</summary>
    public string InstanceId { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";

    private TimeSpan Lease => TimeSpan.FromSeconds(_options.LeaseSeconds);

    // ---- ticks --------------------------------------------------------------------------------------------------

    /// <summary>One periodic round: claim the due bindings (enabled, account sync on, interval elapsed or pending)
    /// that no other instance holds, and tick each.</summary>
    public async Task<IReadOnlyList<BindingSyncResult>> RunTickAsync(CancellationToken cancellationToken = default)
    {
        // One binding claimed at a time, so a lease is never waiting while earlier bindings are ticked.
        var results = new List<BindingSyncResult>();
        for (var i = 0; i < _options.MaxBindingsPerTick; i++)
        {
            var token = Leases.NewToken(InstanceId);
            var claimed = await ReadAsync(db => Leases.ClaimDueBindingAsync(db, token, Lease, cancellationToken));
            if (claimed is not { } bindingId)
            {
                break;
            }

            results.Add(await TickClaimedAsync(bindingId, token, cancellationToken));
        }

        return results;
    }

    /// <summary>A tick for one binding now (hooks that reconcile a whole binding: no waiting, the outbox retries).</summary>
    public Task<BindingSyncResult> SyncBindingAsync(Guid bindingId, CancellationToken cancellationToken)
        => SyncBindingAsync(bindingId, TimeSpan.Zero, cancellationToken);

    /// <summary>POST /api/caldav-sync: a hook may be pushing to this calendar right now, so wait for it (up to
    /// Sync:ManualSyncWaitSeconds) rather than answer "skipped" at once.</summary>
    public Task<BindingSyncResult> SyncBindingNowAsync(Guid bindingId, CancellationToken cancellationToken)
        => SyncBindingAsync(bindingId, TimeSpan.FromSeconds(_options.ManualSyncWaitSeconds), cancellationToken);

    private async Task<BindingSyncResult> SyncBindingAsync(Guid bindingId, TimeSpan waitForLease, CancellationToken cancellationToken)
    {
        var token = Leases.NewToken(InstanceId);
        var giveUpAt = clock.GetUtcNow() + waitForLease;
        var claimed = await TryClaimAsync(bindingId, token, cancellationToken);
        while (!claimed && clock.GetUtcNow() < giveUpAt)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(200), clock, cancellationToken);
            claimed = await TryClaimAsync(bindingId, token, cancellationToken);
        }

        if (!claimed)
        {
            var path = await ReadAsync(db => db.CalendarBindings.Where(b => b.Id == bindingId).Select(b => b.CalendarPath).SingleOrDefaultAsync(cancellationToken));
            return new BindingSyncResult(bindingId, path ?? string.Empty, BindingSyncResult.Skipped, 0, 0, 0, 0, 0, 0, "Another sync of this calendar is running.");
        }

        return await TickClaimedAsync(bindingId, token, cancellationToken);
    }

    /// <summary>Ticks every enabled binding of a user (after they lost or gained access to a project).</summary>
    public async Task SyncUserAsync(Guid userId, CancellationToken cancellationToken)
    {
        var bindings = await ReadAsync(db => db.CalendarBindings.Where(b => b.UserId == userId && b.Enabled).Select(b => b.Id).ToListAsync(cancellationToken));
        await ForEachBindingAsync(bindings, async id => RequireDone(await SyncBindingAsync(id, cancellationToken)), cancellationToken);
    }

    private async Task<BindingSyncResult> TickClaimedAsync(Guid bindingId, string token, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        var started = clock.GetUtcNow();
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PaliadDbContext>();
        try
        {
            var binding = await db.CalendarBindings.SingleOrDefaultAsync(b => b.Id == bindingId, cancellationToken);
            var config = binding is null ? null : await db.CalDavConfigs.SingleOrDefaultAsync(c => c.UserId == binding.UserId, cancellationToken);
            if (binding is null || config is null)
            {
                return new BindingSyncResult(bindingId, binding?.CalendarPath ?? string.Empty, BindingSyncResult.Skipped, 0, 0, 0, 0, 0, 0, "No CalDAV account for this binding.");
            }

            BindingTick? tick = null;
            string? fatal = null;
            var calendarPath = binding.CalendarPath;
            var (scope0, scopeId0) = (binding.Scope, binding.ScopeId);
            try
            {
                tick = new BindingTick(db, ClientFor(scope, config), binding, clock, _options, metrics, logger, () => RenewAsync(db, bindingId, token));
                await tick.RunAsync(cancellationToken);
            }
            catch (LeaseLostException)
            {
                return new BindingSyncResult(bindingId, calendarPath, BindingSyncResult.Skipped, 0, 0, 0, 0, 0, 0, "The lease on this binding was lost mid-tick.");
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Anything else (server trouble, data the domain refuses) ends this tick as an error on the record,
                // so the binding is not retried first forever and the other due bindings still get their turn.
                fatal = e.Message;
                db.ChangeTracker.Clear();
                binding = await db.CalendarBindings.SingleAsync(b => b.Id == bindingId, cancellationToken);
                config = await db.CalDavConfigs.SingleAsync(c => c.UserId == binding.UserId, cancellationToken);
            }

            // A PATCH during the tick (another calendar, another scope) wins: what this tick learned about the old
            // calendar is dropped, and the binding stays as the PATCH left it (pending, for its own reconcile).
            var now = await db.CalendarBindings.AsNoTracking().Where(b => b.Id == bindingId)
                .Select(b => new { b.CalendarPath, b.Scope, b.ScopeId }).SingleAsync(cancellationToken);
            var changedMeanwhile = now.CalendarPath != calendarPath || now.Scope != scope0 || now.ScopeId != scopeId0;
            if (changedMeanwhile)
            {
                await db.Entry(binding).ReloadAsync(cancellationToken);
            }

            var problems = tick?.Problems ?? [];
            var counts = tick?.Counts ?? SyncCounts.None;
            var status = fatal is not null ? SyncLogStatus.Error : problems.Count > 0 ? SyncLogStatus.Partial : SyncLogStatus.Ok;
            var error = fatal ?? (problems.Count > 0 ? $"{problems.Count} event(s) not synced: {string.Join("; ", problems)}" : null);
            var finished = clock.GetUtcNow();
            db.SyncLog.Add(SyncLogEntry.Record(binding.UserId, binding.Id, started, finished, status, counts, error));
            if (!changedMeanwhile)
            {
                binding.RecordSync(status == SyncLogStatus.Ok ? BindingSyncStatus.Ok : BindingSyncStatus.Error, error, finished);
            }

            await db.SaveChangesAsync(cancellationToken);
            await RollUpAsync(db, config, finished, cancellationToken);
            if (binding.Scope == BindingScope.AllVisible && fatal is null)
            {
                await WriteLegacyColumnsAsync(db, binding.Id, cancellationToken);
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
        finally
        {
            await Leases.ReleaseBindingAsync(db, bindingId, token, CancellationToken.None);
        }
    }

    private async Task RenewAsync(PaliadDbContext db, Guid bindingId, string token)
    {
        if (!await Leases.RenewBindingAsync(db, bindingId, token, Lease, CancellationToken.None))
        {
            throw new LeaseLostException();
        }
    }

    /// <summary>The account shows the worst of its bindings: the first binding in error, else none.</summary>
    private static async Task RollUpAsync(PaliadDbContext db, CalDavConfig config, DateTimeOffset finished, CancellationToken cancellationToken)
    {
        var worst = await db.CalendarBindings.AsNoTracking()
            .Where(b => b.UserId == config.UserId && b.Enabled && b.SyncStatus == BindingSyncStatus.Error)
            .OrderBy(b => b.CalendarPath)
            .Select(b => b.CalendarPath + ": " + b.LastSyncError)
            .FirstOrDefaultAsync(cancellationToken);
        config.RecordSyncOutcome(finished, worst);
        await db.SaveChangesAsync(cancellationToken);
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
        timeout.CancelAfter(TimeSpan.FromSeconds(calDavOptions.Value.HookTimeoutSeconds));
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
            var tick = new BindingTick(db, ClientFor(scope, config), binding, clock, _options, metrics, logger, () => RenewAsync(db, bindingId, token));
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

    /// <summary>Each binding best effort: all are tried, and if any failed the whole hook fails afterwards.</summary>
    private async Task ForEachBindingAsync(IReadOnlyCollection<Guid> bindingIds, Func<Guid, Task> work, CancellationToken cancellationToken)
    {
        var failures = new List<string>();
        foreach (var bindingId in bindingIds)
        {
            try
            {
                await work(bindingId);
            }
            catch (Exception e) when (e is CalDavException or SyncBusyException or LeaseLostException or DbUpdateException
                                          || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                failures.Add($"binding {bindingId}: {e.Message}");
                metrics.Errors.Add(1);
                LogHookFailure(logger, bindingId, e.Message);
            }
        }

        if (failures.Count > 0)
        {
            throw new SyncBusyException(string.Join("; ", failures));
        }
    }

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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sync hook on binding {BindingId} failed (the outbox retries): {Problem}")]
    private static partial void LogHookFailure(ILogger logger, Guid bindingId, string problem);
}
