using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Paliad.Application.CalDav.Sync;
using Paliad.Domain.CalDav;
using Paliad.Domain.Common;
using Paliad.Infrastructure.CalDav;
using Paliad.Infrastructure.Persistence;

namespace Paliad.Infrastructure.Sync;

/// <summary>One binding's tick: deadline, outcome, and what is recorded (sync log, status and backoff, roll-up).</summary>
public sealed partial class SyncEngine
{
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
}
