using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Paliad.Application.CalDav.Sync;
using Paliad.Application.Projects;
using Paliad.Domain.CalDav;
using Paliad.Infrastructure.CalDav;
using Paliad.Infrastructure.Persistence;
using Paliad.Application.Common;
using Paliad.Infrastructure.Sync.Phases;

namespace Paliad.Infrastructure.Sync;

/// <summary>
/// The engine's hooks: what the outbox handlers ask for when appointments, bindings or memberships change, fanned out
/// to every binding concerned, each best effort under CalDav:HookTimeoutSeconds. If any binding could not be done, the
/// hook fails afterwards so the outbox retries (what succeeded is then "unchanged" and costs no request); a binding
/// another worker holds is not a failure — the hook hands its work over or waits.
/// </summary>
internal sealed class HookFanOut(BindingRunner runner, SyncDatabase database, SyncMetrics metrics, ILogger logger, TimeSpan hookDeadline)
{
    private static readonly Action<ILogger, Guid, string, Exception?> LogHookFailure = LoggerMessage.Define<Guid, string>(
        LogLevel.Warning, new EventId(30, "HookFailed"), "Sync hook on binding {BindingId} failed (the outbox retries): {Problem}");

    private static readonly Action<ILogger, Guid, string, Exception?> LogHookDeferred = LoggerMessage.Define<Guid, string>(
        LogLevel.Information, new EventId(31, "HookDeferred"), "Sync hook on binding {BindingId} deferred (the outbox retries): {Problem}");

    private static readonly TimeSpan MinimumRun = TimeSpan.FromSeconds(1);

    /// <summary>Appointments were created or changed: each binding (of any user) whose scope contains one gets it, and
    /// those that hold one they no longer contain lose it — one claim and one concurrent push per binding for all of
    /// them. <paramref name="exceptBindingId"/>: the binding they came from (pulled edits), which holds them already.</summary>
    public async Task PushAppointmentsAsync(IReadOnlyCollection<Guid> appointmentIds, Guid? exceptBindingId, CancellationToken cancellationToken)
    {
        var ids = appointmentIds.Distinct().ToList();
        var bindings = await database.UseAsync(db => CandidateBindingsAsync(db, ids, cancellationToken));
        bindings.Remove(exceptBindingId ?? Guid.Empty);
        await ForEachBindingAsync(bindings, bindingId => runner.HookAsync(bindingId, hookDeadline,
            (tick, _, _, ct) => tick.PushAppointmentsAsync(ids, ct), handOver: ids, cancellationToken), cancellationToken);
    }

    /// <summary>Removes events from calendars by href (a deleted appointment's or binding's copies). Bindings that
    /// still exist are worked on under their lease; a deleted binding's copies are removed with its user's account.</summary>
    public async Task DeleteRemoteEventsAsync(IReadOnlyList<RemoteEventLocation> events, CancellationToken cancellationToken)
    {
        var bindingIds = events.Select(e => e.BindingId).Distinct().ToList();
        var existing = (await database.UseAsync(db => db.CalendarBindings.Where(b => bindingIds.Contains(b.Id)).Select(b => b.Id).ToListAsync(cancellationToken)))
            .ToHashSet();
        await ForEachBindingAsync(bindingIds, async bindingId =>
        {
            var copies = events.Where(e => e.BindingId == bindingId).ToList();
            if (existing.Contains(bindingId))
            {
                return await runner.HookAsync(bindingId, hookDeadline, (tick, _, _, ct) => tick.RemoveEventsAsync(copies, ct), handOver: null, cancellationToken);
            }

            return await RemoveOrphanedEventsAsync(bindingId, copies, cancellationToken);
        }, cancellationToken, userOf: bindingId => events.First(e => e.BindingId == bindingId).UserId);
    }

    /// <summary>A binding now points at another calendar: its events leave the old one, then a tick fills the new one.</summary>
    public async Task MoveBindingCalendarAsync(Guid bindingId, CancellationToken cancellationToken)
        => await ForEachBindingAsync([bindingId], async id =>
        {
            var left = await runner.HookAsync(id, hookDeadline, (tick, binding, _, ct) => tick.LeaveOtherCalendarsAsync(binding.CalendarPath, ct), null, cancellationToken);
            return left.Result.IsDone ? RestForTheScheduler(await runner.TickAsync(id, hookDeadline, hookDeadline, cancellationToken)) : left;
        }, cancellationToken);

    /// <summary>A whole tick of one binding now (a binding created, re-scoped or enabled), waiting within the hook
    /// deadline for whoever holds it.</summary>
    public async Task<BindingSyncResult> SyncBindingAsync(Guid bindingId, CancellationToken cancellationToken)
        => (await runner.TickAsync(bindingId, hookDeadline, hookDeadline, cancellationToken)).Result;

    /// <summary>Ticks every enabled binding of a user (after they lost or gained access to a project), within one
    /// hook deadline for all of them: bindings the deadline leaves no time for are marked pending, so the scheduler
    /// ticks them next (a user with many bindings, or one slow server, never makes this hook fail for good).</summary>
    public async Task SyncUserAsync(Guid userId, CancellationToken cancellationToken)
    {
        // Appointments entered or left the user's scopes without changing: each binding looks at its whole scope.
        await database.UseAsync(db => ChangeDetection.RequestFullScanAsync(db, userId, cancellationToken));
        var bindings = await database.UseAsync(db => db.CalendarBindings.Where(b => b.UserId == userId && b.Enabled).Select(b => b.Id).ToListAsync(cancellationToken));
        var elapsed = System.Diagnostics.Stopwatch.StartNew();
        var deferred = new List<Guid>();
        try
        {
            await ForEachBindingAsync(bindings, async id =>
            {
                var left = hookDeadline - elapsed.Elapsed;
                if (left < MinimumRun)
                {
                    deferred.Add(id);
                    return new RunResult(BindingSyncResult.Skipped(id, string.Empty, "Left for the scheduler."), LeftForLater: true);
                }

                return RestForTheScheduler(await runner.TickAsync(id, left, left, cancellationToken));
            }, cancellationToken);
        }
        finally
        {
            if (deferred.Count > 0)
            {
                await database.UseAsync(db => Leases.MarkPendingAsync(db, deferred, CancellationToken.None));
            }
        }
    }

    /// <summary>A deleted binding's events, removed with its user's account (none left: nothing can be done).</summary>
    private async Task<RunResult> RemoveOrphanedEventsAsync(Guid bindingId, List<RemoteEventLocation> copies, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(hookDeadline);
        try
        {
            var deleted = 0;
            if (await database.ClientForUserAsync(copies[0].UserId, timeout.Token) is { } client)
            {
                foreach (var copy in copies)
                {
                    await CopyWriter.DeleteEventAsync(new CalDavCalendar(client, copy.Href), copy.Href, copy.Etag, timeout.Token);
                    metrics.Deletes.Add(1);
                    deleted++;
                }
            }

            return new RunResult(new BindingSyncResult(bindingId, string.Empty, SyncRunStatus.Ok, SyncCounts.None with { Deleted = deleted }));
        }
        catch (Exception e) when (e is CalDavException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            var problem = SyncProblems.Of(e);
            return new RunResult(new BindingSyncResult(bindingId, string.Empty, SyncRunStatus.Error, SyncCounts.None, problem.Said, problem.Detail), e);
        }
    }

    /// <summary>Each binding best effort: all are tried, and if any could not be done the whole hook fails afterwards.
    /// When every failure was one user's unusable account (401/403, an address or origin the guard refuses) and
    /// <paramref name="userOf"/> says whose, the hook fails with <see cref="AccountNeedsFixingException"/>, so the
    /// outbox waits for that account to change instead of retrying. (Failures of several users' accounts are retried
    /// with backoff: one user's fix must not wait for another's.)</summary>
    private async Task ForEachBindingAsync(
        IReadOnlyCollection<Guid> bindingIds, Func<Guid, Task<RunResult>> work, CancellationToken cancellationToken, Func<Guid, Guid>? userOf = null)
    {
        var failures = new List<(Guid BindingId, Exception Error)>();
        foreach (var bindingId in bindingIds)
        {
            var (result, failure, leftForLater) = await work(bindingId);
            if (result.IsDone || leftForLater)
            {
                continue;
            }

            metrics.Errors.Add(1);
            var problem = result.ErrorDetail ?? result.Error ?? Words(result.Status);
            if (failure is null && result.Status == SyncRunStatus.Skipped)
            {
                LogHookDeferred(logger, bindingId, problem, null);
            }
            else
            {
                LogHookFailure(logger, bindingId, problem, null);
            }

            failures.Add((bindingId, failure ?? new SyncBusyException(problem)));
        }

        if (failures.Count == 0)
        {
            return;
        }

        cancellationToken.ThrowIfCancellationRequested();
        var message = string.Join("; ", failures.Select(f => $"binding {f.BindingId}: {f.Error.Message}"));
        if (userOf is not null && failures.TrueForAll(f => IsAccountProblem(f.Error)) && failures.Select(f => userOf(f.BindingId)).Distinct().Count() == 1)
        {
            throw new AccountNeedsFixingException(userOf(failures[0].BindingId), message);
        }

        throw new SyncBusyException(message);
    }

    /// <summary>A tick a hook ran that synced some events but not all: the rest is the next tick's, not a failure.</summary>
    private static RunResult RestForTheScheduler(RunResult run) => run.Result.Status == SyncRunStatus.Partial ? run with { LeftForLater = true } : run;

    private static string Words(SyncRunStatus status) => Domain.Common.Words.Of(status);

    private static bool IsAccountProblem(Exception e)
        => e is CalDavUnauthorizedException or CalDavForbiddenException or CalDavAddressNotAllowedException or CalDavOriginRefusedException;

    /// <summary>Bindings that may carry the appointments — of their owners, or of members of their projects or any
    /// ancestor — plus those holding a copy, in one query; which of them really carry which is decided per binding
    /// under its lease.</summary>
    private static Task<List<Guid>> CandidateBindingsAsync(PaliadDbContext db, IReadOnlyList<Guid> appointmentIds, CancellationToken cancellationToken)
    {
        var appointments = db.Appointments.Where(a => appointmentIds.Contains(a.Id));
        var owners = appointments.Where(a => a.ProjectId == null).Select(a => a.OwnerId);
        var members = (
                from a in appointments
                join p in db.Projects on a.ProjectId equals p.Id
                from m in db.ProjectMembers
                join root in db.Projects on m.ProjectId equals root.Id
                select new { m.UserId, Root = root.Path, p.Path })
            .WhereInSubtree(x => x.Path, x => x.Root)
            .Select(x => x.UserId);
        var holders = db.AppointmentTargets.Where(t => appointmentIds.Contains(t.AppointmentId)).Select(t => t.BindingId);
        return db.CalendarBindings
            .Where(b => b.Enabled && (owners.Contains(b.UserId) || members.Contains(b.UserId) || holders.Contains(b.Id)))
            .Where(b => db.CalDavConfigs.Any(c => c.UserId == b.UserId && c.SyncEnabled))
            .Select(b => b.Id)
            .ToListAsync(cancellationToken);
    }
}
