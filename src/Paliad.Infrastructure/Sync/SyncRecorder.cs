using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Npgsql;
using Paliad.Application.CalDav.Sync;
using Paliad.Domain.CalDav;
using Paliad.Domain.Common;
using Paliad.Infrastructure.Persistence;

namespace Paliad.Infrastructure.Sync;

/// <summary>Whether a run was a tick (the binding's whole reconcile, on a schedule or asked for) or a hook (an outbox
/// handler's work on the few appointments or events an event concerns).</summary>
internal enum RunKind
{
    Tick,
    Hook,
}

/// <summary>One run on a binding, finished: what it worked on and how it ended.</summary>
internal sealed record FinishedRun(
    RunKind Kind,
    CalendarBinding Binding,
    WorkedOn WorkedOn,
    string LeaseToken,
    DateTimeOffset Started,
    Stopwatch Elapsed,
    TickVerdict Verdict,
    SyncCounts Counts,
    LegacyMirror? Legacy,
    bool Completed);

/// <summary>
/// The one place that writes what a run on a binding did — a tick's or a hook's: the sync-log row, the binding's
/// status and backoff (ticks), the account's roll-up, the legacy columns, the lease given back (<see cref="RunRecord"/>,
/// one round trip), the log line and the metrics. A value the database refuses is written down as the binding's error
/// rather than thrown.
/// </summary>
internal sealed class SyncRecorder(TimeProvider clock, SyncMetrics metrics, ILogger logger)
{
    private static readonly Action<ILogger, string, Guid, Guid, string, string, string?, Exception?> LogRun = LoggerMessage.Define<string, Guid, Guid, string, string, string?>(
        LogLevel.Information, new EventId(10, "SyncRun"), "Sync {Kind} binding={BindingId} user={UserId} status={Status} {Counts} error={Error}");

    public async Task<BindingSyncResult> RecordAsync(PaliadDbContext db, FinishedRun run)
    {
        var (kind, binding, workedOn, token, started, elapsed, verdict, counts, legacy, completed) = run;
        var finished = clock.GetUtcNow();
        var status = verdict.Status;
        var problem = verdict.Problem;
        if (kind == RunKind.Tick)
        {
            binding.RecordSync(verdict.BindingStatus, problem?.Said, finished, verdict.RetryLater, verdict.ServerAskedToWait, problem?.Detail);
        }

        // A hook leaves a row for what it did (a push, a conflict it resolved, a removal) or could not do to an event —
        // not for every event the outbox handled, nor for a failure the outbox retries.
        var logged = kind == RunKind.Tick || (completed && (counts != SyncCounts.None || problem is not null));
        try
        {
            await RunRecord.WriteAsync(db, new RunRecordContent(binding, workedOn, token, finished,
                logged ? SyncLogEntry.Record(binding.UserId, binding.Id, started, finished, status, counts, Said(problem, binding, kind), problem?.Detail) : null,
                WriteBinding: kind == RunKind.Tick, legacy));
        }
        catch (PostgresException e) when (kind == RunKind.Tick)
        {
            // What the tick learned could not be stored (a value the database refuses, the binding deleted meanwhile):
            // the tick is an error, and the binding backs off rather than being claimed first again.
            status = SyncLogStatus.Error;
            problem = SyncProblems.NotRecorded(e.MessageText);
            db.ChangeTracker.Clear();
            var fresh = await db.CalendarBindings.AsNoTracking().SingleOrDefaultAsync(b => b.Id == binding.Id, CancellationToken.None);
            if (fresh is null)
            {
                return BindingSyncResult.Skipped(binding.Id, workedOn.CalendarPath, "The binding was deleted during its sync.");
            }

            binding = fresh;
            binding.RecordSync(BindingSyncStatus.Error, problem.Said, finished, retryLater: true, errorDetail: problem.Detail);
            await RunRecord.WriteAsync(db, new RunRecordContent(binding, WorkedOn.Of(binding) with { FullScansSeen = -1 }, token, finished,
                SyncLogEntry.Record(binding.UserId, binding.Id, started, finished, status, counts, Said(problem, binding, kind), problem.Detail),
                WriteBinding: true, LegacyColumns: null));
        }

        elapsed.Stop();
        if (kind == RunKind.Tick)
        {
            metrics.TickDuration.Record(elapsed.Elapsed.TotalSeconds);
        }

        if (status != SyncLogStatus.Ok)
        {
            metrics.Errors.Add(1);
        }

        var result = new BindingSyncResult(binding.Id, workedOn.CalendarPath, RunStatus(status), counts, Said(problem, binding, kind), problem?.Detail);
        LogRun(logger, Words.Of(kind), binding.Id, binding.UserId, Words.Of(status), $"{Describe(counts)} ms={elapsed.ElapsedMilliseconds}", problem?.Detail ?? problem?.Said, null);
        return result;
    }

    /// <summary>What failed, and — for a tick, which decides it — what Paliad does next.</summary>
    private static string? Said(SyncProblem? problem, CalendarBinding binding, RunKind kind)
        => problem is null ? null : kind == RunKind.Tick ? $"{problem.Said} {binding.NextStepSaid}" : problem.Said;

    private static SyncRunStatus RunStatus(SyncLogStatus status) => status switch
    {
        SyncLogStatus.Ok => SyncRunStatus.Ok,
        SyncLogStatus.Partial => SyncRunStatus.Partial,
        _ => SyncRunStatus.Error,
    };

    private static string Describe(SyncCounts c)
        => $"pushed={c.Pushed} updated={c.Updated} deleted={c.Deleted} pulled={c.Pulled} conflicts={c.Conflicts} restored={c.Restored}";
}
