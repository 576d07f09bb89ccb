using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Paliad.Application.CalDav.Sync;
using Paliad.Domain.CalDav;
using Paliad.Domain.Common;
using Paliad.Infrastructure.CalDav;
using Paliad.Infrastructure.Persistence;
using Paliad.Infrastructure.Sync.Phases;

namespace Paliad.Infrastructure.Sync;

/// <summary>One binding's tick: deadline, outcome, and what is recorded (sync log, status and backoff, roll-up).</summary>
public sealed partial class SyncEngine
{
    /// <summary>One binding's tick, under its lease and <paramref name="deadline"/>. Whatever happens — the server
    /// fails or answers garbage, the deadline passes, the binding is deleted meanwhile, the database refuses a value —
    /// ends as this binding's status and sync-log row, never as an exception that stops other bindings.</summary>
    private async Task<BindingSyncResult> TickClaimedAsync(ClaimedBinding claimed, string token, TimeSpan deadline, CancellationToken cancellationToken)
    {
        using var activity = SyncTelemetry.StartTick(claimed.Id);
        var result = await TickClaimedCoreAsync(claimed, token, deadline, cancellationToken);
        SyncTelemetry.Describe(activity, result);
        Interlocked.Exchange(ref _lastTickFinishedTicks, clock.GetUtcNow().UtcTicks);
        return result;
    }

    private async Task<BindingSyncResult> TickClaimedCoreAsync(ClaimedBinding claimed, string token, TimeSpan deadline, CancellationToken cancellationToken)
    {
        var bindingId = claimed.Id;
        var stopwatch = Stopwatch.StartNew();
        var started = clock.GetUtcNow();
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PaliadDbContext>();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(deadline);
        var recorded = false;
        try
        {
            // The binding, its account, and whether anything changed since its push mark, in one round trip.
            var anythingToPush = claimed.PushedThrough is { } since
                ? ChangeDetection.AnythingSince(db, bindingId, claimed.UserId, Words.Parse<BindingScope>(claimed.Scope), claimed.ScopeId, since)
                : db.CalendarBindings.Where(b => b.Id == bindingId).Select(_ => true);
            var loaded = await (
                    from b in db.CalendarBindings
                    where b.Id == bindingId
                    join c in db.CalDavConfigs on b.UserId equals c.UserId
                    select new { Binding = b, Config = c, AnythingToPush = anythingToPush.Any() })
                .SingleOrDefaultAsync(cancellationToken);
            if (loaded is null)
            {
                return new BindingSyncResult(bindingId, string.Empty, BindingSyncResult.Skipped, 0, 0, 0, 0, 0, 0, "No CalDAV account for this binding.");
            }

            var (binding, config) = (loaded.Binding, loaded.Config);
            var workedOn = (binding.CalendarPath, binding.Scope, binding.ScopeId, binding.FullScansRequested);
            var detection = binding.PushedThrough is null || binding.PushedThrough != claimed.PushedThrough || binding.FullReconcileDue(_options.FullReconcileEvery)
                ? PushDetection.WholeScope
                : loaded.AnythingToPush ? PushDetection.SincePushMark : PushDetection.NothingChanged;

            BindingTick? tick = null;
            string? fatal = null;
            TimeSpan? serverAskedToWait = null;
            var deadlineHit = false;
            try
            {
                var client = await ClientForAsync(scope, db, config, timeout.Token);
                tick = new BindingTick(binding, new CalDavCalendar(client, binding.CalendarPath), new DatabaseCopyBook(db, binding), TickSettings, logger,
                    () => RenewAsync(db, bindingId, token));
                await tick.RunAsync(detection, timeout.Token);
            }
            catch (LeaseLostException)
            {
                return new BindingSyncResult(bindingId, workedOn.CalendarPath, BindingSyncResult.Skipped, 0, 0, 0, 0, 0, 0, "The lease on this binding was lost mid-tick.");
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
                binding = await db.CalendarBindings.AsNoTracking().SingleOrDefaultAsync(b => b.Id == bindingId, cancellationToken);
                if (binding is null)
                {
                    return new BindingSyncResult(bindingId, workedOn.CalendarPath, BindingSyncResult.Skipped, 0, 0, 0, 0, 0, 0, "The binding was deleted during its tick.");
                }
            }

            var problems = tick?.Tally.Problems ?? [];
            var counts = tick?.Tally.Counts ?? SyncCounts.None;
            var status = fatal is not null ? SyncLogStatus.Error : problems.Count > 0 || deadlineHit ? SyncLogStatus.Partial : SyncLogStatus.Ok;
            var error = fatal
                        ?? (deadlineHit ? $"Stopped at the {deadline.TotalSeconds:0} s deadline; what was done is kept and the rest resumes next tick." : null)
                        ?? (problems.Count > 0 ? $"{problems.Count} event(s) not synced: {string.Join("; ", problems)}" : null);

            // A tick cut off by its deadline after making progress is due again at once (a large first fill goes on
            // slice by slice); one that failed, or made no progress before its deadline, backs off.
            var bindingStatus = status == SyncLogStatus.Ok ? BindingSyncStatus.Ok
                : deadlineHit && fatal is null && counts != SyncCounts.None ? BindingSyncStatus.Pending
                : BindingSyncStatus.Error;
            var retryLater = fatal is not null || (deadlineHit && bindingStatus == BindingSyncStatus.Error);
            if (tick is { PushedEverything: true } && fatal is null && !deadlineHit)
            {
                binding.RecordPushedThrough(started);
            }

            // A tick that did not look at the whole scope mirrors the legacy columns only for the owner's appointments
            // changed since the mark (what hooks pushed) and the copies it wrote itself — never the whole calendar.
            var legacyChangedSince = detection != PushDetection.WholeScope && tick is not null ? claimed.PushedThrough : null;
            var touched = tick?.Tally.Touched.ToArray() ?? [];
            var result = await RecordTickAsync(db, binding, workedOn, token,
                new TickOutcome(started, clock.GetUtcNow(), status, bindingStatus, counts, error, retryLater, serverAskedToWait, legacyChangedSince, touched),
                stopwatch);
            recorded = true; // the record gave the lease back
            return result;
        }
        finally
        {
            if (!recorded)
            {
                await Leases.ReleaseBindingAsync(db, bindingId, token, CancellationToken.None);
            }
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
        DateTimeOffset? LegacyChangedSince,
        Guid[] Touched);

    /// <summary>The tick's sync-log row, the binding's status and backoff, the lease, the account's roll-up, in one
    /// round trip (<see cref="TickRecord"/>). A value the database refuses there is written down as the binding's error
    /// rather than thrown.</summary>
    private async Task<BindingSyncResult> RecordTickAsync(
        PaliadDbContext db, CalendarBinding binding, (string CalendarPath, BindingScope Scope, Guid? ScopeId, int FullScansSeen) workedOn, string token,
        TickOutcome outcome, Stopwatch stopwatch)
    {
        var (status, counts, error) = (outcome.Status, outcome.Counts, outcome.Error);
        binding.RecordSync(outcome.BindingStatus, error, outcome.Finished, outcome.RetryLater, outcome.ServerAskedToWait);
        try
        {
            await TickRecord.WriteAsync(db, SyncLogEntry.Record(binding.UserId, binding.Id, outcome.Started, outcome.Finished, status, counts, error),
                binding, workedOn, token, outcome.Finished, writeLegacyColumns: binding.Scope == BindingScope.AllVisible && status != SyncLogStatus.Error,
                outcome.LegacyChangedSince, outcome.Touched);
        }
        catch (PostgresException e)
        {
            // What the tick learned could not be stored (a value the database refuses, the binding deleted meanwhile):
            // the tick is an error, and the binding backs off rather than being claimed first again.
            status = SyncLogStatus.Error;
            error = $"The tick's results could not be recorded: {e.MessageText}";
            db.ChangeTracker.Clear();
            var fresh = await db.CalendarBindings.AsNoTracking().SingleOrDefaultAsync(b => b.Id == binding.Id, CancellationToken.None);
            if (fresh is null)
            {
                return new BindingSyncResult(binding.Id, workedOn.CalendarPath, BindingSyncResult.Skipped, 0, 0, 0, 0, 0, 0, "The binding was deleted during its tick.");
            }

            binding = fresh;
            binding.RecordSync(BindingSyncStatus.Error, error, outcome.Finished, retryLater: true);
            await TickRecord.WriteAsync(db, SyncLogEntry.Record(binding.UserId, binding.Id, outcome.Started, outcome.Finished, status, counts, error),
                binding, (binding.CalendarPath, binding.Scope, binding.ScopeId, -1), token, outcome.Finished, writeLegacyColumns: false);
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
        return new BindingSyncResult(binding.Id, workedOn.CalendarPath, statusWord, counts.Pushed, counts.Updated, counts.Deleted, counts.Pulled,
            counts.Conflicts, counts.Restored, error);
    }

    private async Task RenewAsync(PaliadDbContext db, Guid bindingId, string token)
    {
        if (!await Leases.RenewBindingAsync(db, bindingId, token, Lease, CancellationToken.None))
        {
            throw new LeaseLostException();
        }
    }
}
