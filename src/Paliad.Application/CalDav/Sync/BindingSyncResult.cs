namespace Paliad.Application.CalDav.Sync;

/// <summary>What one (user, binding) tick did: status ok / partial / error, or skipped when another instance was
/// syncing that binding at the time.</summary>
public sealed record BindingSyncResult(
    Guid BindingId,
    string CalendarPath,
    string Status,
    int Pushed,
    int Updated,
    int Deleted,
    int Pulled,
    int Conflicts,
    int Restored,
    string? Error)
{
    public const string Skipped = "skipped";
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
