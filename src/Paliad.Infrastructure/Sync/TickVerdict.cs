using Paliad.Domain.CalDav;
using Paliad.Infrastructure.CalDav;

namespace Paliad.Infrastructure.Sync;

/// <summary>
/// How a run on a binding ended, judged from what happened: a failure that ended it, its deadline, the events it
/// could not sync, and what it did. A run cut off by its deadline after making progress is due again at once (a large
/// first fill goes on slice by slice); one that failed, or made no progress before its deadline, backs off — longer
/// when the server asked for it.
/// </summary>
internal sealed record TickVerdict(SyncLogStatus Status, BindingSyncStatus BindingStatus, bool RetryLater, TimeSpan? ServerAskedToWait, SyncProblem? Problem)
{
    public static TickVerdict Of(Exception? failure, bool deadlineHit, TimeSpan deadline, IReadOnlyList<string> problems, SyncCounts counts)
    {
        var status = failure is not null ? SyncLogStatus.Error
            : problems.Count > 0 || deadlineHit ? SyncLogStatus.Partial
            : SyncLogStatus.Ok;
        var problem = failure is not null ? SyncProblems.Of(failure)
            : deadlineHit ? SyncProblems.Deadline(deadline)
            : problems.Count > 0 ? SyncProblems.EventsNotSynced(problems)
            : null;
        var bindingStatus = status == SyncLogStatus.Ok ? BindingSyncStatus.Ok
            : deadlineHit && failure is null && counts != SyncCounts.None ? BindingSyncStatus.Pending
            : BindingSyncStatus.Error;
        var retryLater = failure is not null || (deadlineHit && bindingStatus == BindingSyncStatus.Error);
        return new TickVerdict(status, bindingStatus, retryLater, (failure as CalDavRateLimitedException)?.RetryAfter, problem);
    }
}
