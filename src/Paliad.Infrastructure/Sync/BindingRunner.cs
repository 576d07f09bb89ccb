using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Paliad.Application.CalDav.Sync;
using Paliad.Domain.CalDav;
using Paliad.Domain.Common;
using Paliad.Infrastructure.Persistence;
using Paliad.Infrastructure.Sync.Phases;

namespace Paliad.Infrastructure.Sync;

/// <summary>The work a run does on its binding once it holds it (the phases of a whole tick, or a hook's part).</summary>
internal delegate Task BindingWork(BindingTick tick, CalendarBinding binding, PushDetection detection, CancellationToken cancellationToken);

/// <summary>How a run ended, and the failure that ended it (so a hook can tell an account that needs fixing).
/// <paramref name="LeftForLater"/>: not done, but not a failure either — what is left is the scheduler's (a partial
/// tick, a binding the hook's deadline left no time for).</summary>
internal sealed record RunResult(BindingSyncResult Result, Exception? Failure = null, bool LeftForLater = false);

/// <summary>
/// Runs work on one binding, written once for ticks and hooks: claim the binding (or hand the work to the run that
/// holds it, or wait for that run), load it with its account, make a client, run the phases under a deadline, and
/// record what happened (<see cref="SyncRecorder"/>). Whatever happens — the server fails or answers garbage, the
/// deadline passes, the binding is deleted meanwhile, the database refuses a value — ends as this binding's result,
/// never as an exception that stops other bindings.
/// </summary>
internal sealed class BindingRunner(
    SyncDatabase database,
    TimeProvider clock,
    SyncOptions options,
    TickSettings settings,
    SyncRecorder recorder,
    ILogger logger,
    string instanceId)
{
    private static readonly TimeSpan MinimumRun = TimeSpan.FromSeconds(1);

    private readonly BindingClaims _claims = new(database, clock, TimeSpan.FromSeconds(options.LeaseSeconds), instanceId);
    private long _lastTickFinishedTicks;

    private TimeSpan Lease => TimeSpan.FromSeconds(options.LeaseSeconds);

    /// <summary>When this instance last finished a tick (UTC ticks; 0 before the first).</summary>
    public long LastTickFinished => Interlocked.Read(ref _lastTickFinishedTicks);

    /// <summary>A whole tick on a binding this instance claimed already.</summary>
    public Task<RunResult> TickClaimedAsync(ClaimedBinding claimed, string token, TimeSpan deadline, CancellationToken cancellationToken)
        => RunClaimedAsync(claimed, token, RunKind.Tick, deadline, WholeTick, cancellationToken);

    /// <summary>A whole tick on the binding, claimed first (waiting up to <paramref name="waitForLease"/> for whoever
    /// holds it); <paramref name="deadline"/> covers both, the wait and the tick.</summary>
    public Task<RunResult> TickAsync(Guid bindingId, TimeSpan waitForLease, TimeSpan deadline, CancellationToken cancellationToken)
        => RunAsync(bindingId, RunKind.Tick, waitForLease, deadline, WholeTick, handOver: null, cancellationToken);

    /// <summary>A hook's <paramref name="work"/> on the binding within <paramref name="deadline"/>. When a run holds the
    /// binding, appointments to push (<paramref name="handOver"/>) are handed to it; otherwise the hook waits for it.</summary>
    public Task<RunResult> HookAsync(Guid bindingId, TimeSpan deadline, BindingWork work, IReadOnlyCollection<Guid>? handOver, CancellationToken cancellationToken)
        => RunAsync(bindingId, RunKind.Hook, deadline, deadline, work, handOver, cancellationToken);

    private static Task WholeTick(BindingTick tick, CalendarBinding binding, PushDetection detection, CancellationToken cancellationToken)
        => tick.RunAsync(detection, cancellationToken);

    private async Task<RunResult> RunAsync(
        Guid bindingId, RunKind kind, TimeSpan waitForLease, TimeSpan deadline, BindingWork work, IReadOnlyCollection<Guid>? handOver,
        CancellationToken cancellationToken)
    {
        var elapsed = Stopwatch.StartNew();
        var (claimed, token, settled) = await _claims.ClaimAsync(bindingId, waitForLease, handOver, cancellationToken);
        if (settled is not null)
        {
            return settled;
        }

        var remaining = deadline - elapsed.Elapsed;
        return await RunClaimedAsync(claimed!, token, kind, remaining > MinimumRun ? remaining : MinimumRun, work, cancellationToken);
    }

    private async Task<RunResult> RunClaimedAsync(
        ClaimedBinding claimed, string token, RunKind kind, TimeSpan deadline, BindingWork work, CancellationToken cancellationToken)
    {
        using var activity = kind == RunKind.Tick ? SyncTelemetry.StartTick(claimed.Id) : SyncTelemetry.StartHook(claimed.Id);
        var run = _claims.Running.Enter(claimed.Id);
        try
        {
            var result = await RunHeldAsync(claimed, token, kind, deadline, work, run, cancellationToken);
            SyncTelemetry.Describe(activity, result.Result);
            return result;
        }
        finally
        {
            _claims.Running.Leave(claimed.Id, run);
            if (kind == RunKind.Tick)
            {
                Interlocked.Exchange(ref _lastTickFinishedTicks, clock.GetUtcNow().UtcTicks);
            }
        }
    }

    private async Task<RunResult> RunHeldAsync(
        ClaimedBinding claimed, string token, RunKind kind, TimeSpan deadline, BindingWork work, RunningBinding run, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        var started = clock.GetUtcNow();
        await using var scope = database.NewScope();
        var db = scope.ServiceProvider.GetRequiredService<PaliadDbContext>();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(deadline);
        var recorded = false;
        try
        {
            var loaded = await LoadAsync(db, claimed, cancellationToken);
            if (loaded is null)
            {
                // The binding or its account went away: a tick says so, a hook has nothing left to do.
                return new RunResult(kind == RunKind.Tick
                    ? BindingSyncResult.Skipped(claimed.Id, string.Empty, "No CalDAV account for this binding.")
                    : new BindingSyncResult(claimed.Id, string.Empty, SyncRunStatus.Ok, SyncCounts.None));
            }

            var (binding, config, detection) = loaded.Value;
            var workedOn = WorkedOn.Of(binding);
            BindingTick? tick = null;
            Exception? failure = null;
            var deadlineHit = false;
            try
            {
                var client = await database.ClientForAsync(scope.ServiceProvider, db, config, timeout.Token);
                tick = new BindingTick(binding, new CalDavCalendar(client, binding.CalendarPath), new DatabaseCopyBook(db, binding), settings, logger,
                    () => RenewAsync(db, binding.Id, token));
                await work(tick, binding, detection, timeout.Token);
                await run.PushHandedOverAsync(tick, timeout.Token);
            }
            catch (LeaseLostException)
            {
                return new RunResult(BindingSyncResult.Skipped(binding.Id, workedOn.CalendarPath, "The lease on this binding was lost mid-sync."));
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                // What was done is recorded (each write right after it succeeded); the rest resumes next tick.
                deadlineHit = true;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Anything else (server trouble, data the domain refuses) ends this run as an error on the record, so the
                // binding backs off and the other due bindings still get their turn.
                failure = e;
            }
            finally
            {
                run.Close();
            }

            if (failure is not null || deadlineHit)
            {
                // Unsaved changes belong to the resource that was interrupted: drop them, keep what was saved.
                db.ChangeTracker.Clear();
                var reloaded = await db.CalendarBindings.AsNoTracking().SingleOrDefaultAsync(b => b.Id == binding.Id, cancellationToken);
                if (reloaded is null)
                {
                    return new RunResult(BindingSyncResult.Skipped(binding.Id, workedOn.CalendarPath, "The binding was deleted during its sync."), failure);
                }

                binding = reloaded;
            }

            var counts = tick?.Tally.Counts ?? SyncCounts.None;
            var verdict = TickVerdict.Of(failure, deadlineHit, deadline, tick?.Tally.Problems ?? [], counts);
            if (kind == RunKind.Tick && tick is { PushedEverything: true } && failure is null && !deadlineHit)
            {
                binding.RecordPushedThrough(started);
            }

            var result = await recorder.RecordAsync(db, new FinishedRun(kind, binding, workedOn, token, started, stopwatch, verdict, counts,
                LegacyFor(kind, binding, verdict, detection, claimed, tick), Completed: failure is null && !deadlineHit));
            recorded = true; // the record gave the lease back
            return new RunResult(result, failure);
        }
        finally
        {
            if (!recorded)
            {
                await Leases.ReleaseBindingAsync(db, claimed.Id, token, CancellationToken.None);
            }
        }
    }

    /// <summary>The binding, its account, and how the tick finds what to push — in one round trip, with whether
    /// anything changed since its push mark.</summary>
    private async Task<(CalendarBinding Binding, CalDavConfig Config, PushDetection Detection)?> LoadAsync(
        PaliadDbContext db, ClaimedBinding claimed, CancellationToken cancellationToken)
    {
        var anythingToPush = claimed.PushedThrough is { } since
            ? ChangeDetection.AnythingSince(db, claimed.Id, claimed.UserId, Words.Parse<BindingScope>(claimed.Scope), claimed.ScopeId, since)
            : db.CalendarBindings.Where(b => b.Id == claimed.Id).Select(_ => true);
        var loaded = await (
                from b in db.CalendarBindings
                where b.Id == claimed.Id
                join c in db.CalDavConfigs on b.UserId equals c.UserId
                select new { Binding = b, Config = c, AnythingToPush = anythingToPush.Any() })
            .SingleOrDefaultAsync(cancellationToken);
        if (loaded is null)
        {
            return null;
        }

        var binding = loaded.Binding;
        var detection = binding.PushedThrough is null || binding.PushedThrough != claimed.PushedThrough || binding.FullReconcileDue(options.FullReconcileEvery)
            ? PushDetection.WholeScope
            : loaded.AnythingToPush ? PushDetection.SincePushMark : PushDetection.NothingChanged;
        return (binding, loaded.Config, detection);
    }

    /// <summary>A tick that did not look at the whole scope mirrors the legacy columns only for the owner's appointments
    /// changed since the mark (what hooks pushed) and the copies it wrote itself — never the whole calendar. Hooks and
    /// failed ticks mirror nothing.</summary>
    private static LegacyMirror? LegacyFor(RunKind kind, CalendarBinding binding, TickVerdict verdict, PushDetection detection, ClaimedBinding claimed, BindingTick? tick)
        => kind != RunKind.Tick || binding.Scope != BindingScope.AllVisible || verdict.Status == SyncLogStatus.Error ? null
            : new LegacyMirror(detection != PushDetection.WholeScope && tick is not null ? claimed.PushedThrough : null, tick?.Tally.Touched.ToArray() ?? []);

    private async Task RenewAsync(PaliadDbContext db, Guid bindingId, string token)
    {
        if (!await Leases.RenewBindingAsync(db, bindingId, token, Lease, CancellationToken.None))
        {
            throw new LeaseLostException();
        }
    }
}
