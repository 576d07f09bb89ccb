using Paliad.Domain.CalDav;
using Paliad.Domain.Common;

namespace Paliad.Application.CalDav.Sync;

/// <summary>How a run on a binding ended: the sync-log statuses, or skipped when it did not run (another worker held
/// the binding the whole time, the request's deadline left no time, the binding or its account is gone).</summary>
public enum SyncRunStatus
{
    Ok,
    Partial,
    Error,
    Skipped,
}

/// <summary>What one (user, binding) run did. <see cref="Error"/> says in plain words what failed and what Paliad does
/// next; <see cref="ErrorDetail"/> is the technical detail beside it.</summary>
public sealed record BindingSyncResult(
    Guid BindingId,
    string CalendarPath,
    SyncRunStatus Status,
    SyncCounts Counts,
    string? Error = null,
    string? ErrorDetail = null)
{
    public static BindingSyncResult Skipped(Guid bindingId, string calendarPath, string why)
        => new(bindingId, calendarPath, SyncRunStatus.Skipped, SyncCounts.None, why);

    /// <summary>Everything the run was for is done (a partial run left events for later).</summary>
    public bool IsDone => Status == SyncRunStatus.Ok;
}

/// <summary>A run's result as POST /api/caldav-sync answers it.</summary>
public sealed record BindingSyncResultDto(
    Guid BindingId,
    string CalendarPath,
    string Status,
    int Pushed,
    int Updated,
    int Deleted,
    int Pulled,
    int Conflicts,
    int Restored,
    string? Error,
    string? ErrorDetail)
{
    public static BindingSyncResultDto From(BindingSyncResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var c = result.Counts;
        return new(result.BindingId, result.CalendarPath, Words.Of(result.Status), c.Pushed, c.Updated, c.Deleted, c.Pulled, c.Conflicts, c.Restored,
            result.Error, result.ErrorDetail);
    }
}

/// <summary>Runs ticks on demand (the engine lives in Infrastructure).</summary>
public interface ISyncRunner
{
    /// <summary>Deadline of one "sync now" request over all its bindings (Sync:ManualSyncTimeoutSeconds).</summary>
    TimeSpan ManualSyncDeadline { get; }

    /// <summary>Ticks the binding now, within <paramref name="timeLeft"/>; when another worker holds it (a hook
    /// pushing, say), waits a while for it to finish (Sync:ManualSyncWaitSeconds), then answers "skipped".</summary>
    Task<BindingSyncResult> SyncBindingNowAsync(Guid bindingId, TimeSpan timeLeft, CancellationToken cancellationToken);
}
