using Paliad.Domain.Common;

namespace Paliad.Domain.CalDav;

/// <summary>How a tick ended: ok, partial (some resources failed), error (the tick could not run).</summary>
public enum SyncLogStatus
{
    Ok,
    Partial,
    Error,
}

/// <summary>What one tick did.</summary>
public sealed record SyncCounts(int Pushed, int Updated, int Deleted, int Pulled, int Conflicts, int Restored)
{
    public static readonly SyncCounts None = new(0, 0, 0, 0, 0, 0);
}

/// <summary>
/// The audit row of one (user, binding) tick in caldav_sync_log. BindingId is nullable since mig 107 and set to
/// null when the binding is deleted, so the history survives.
/// </summary>
public sealed class SyncLogEntry : Entity
{
    public const int ErrorMaxLength = 4000;

    private SyncLogEntry()
    {
        Counts = SyncCounts.None;
    }

    public Guid Id { get; private set; }

    public Guid UserId { get; private set; }

    public Guid? BindingId { get; private set; }

    public DateTimeOffset StartedAt { get; private set; }

    public DateTimeOffset? FinishedAt { get; private set; }

    public SyncLogStatus Status { get; private set; }

    public SyncCounts Counts { get; private set; }

    /// <summary>What failed, in plain words.</summary>
    public string? Error { get; private set; }

    /// <summary>The technical detail of <see cref="Error"/>.</summary>
    public string? ErrorDetail { get; private set; }

    public static SyncLogEntry Record(
        Guid userId,
        Guid? bindingId,
        DateTimeOffset startedAt,
        DateTimeOffset finishedAt,
        SyncLogStatus status,
        SyncCounts counts,
        string? error,
        string? errorDetail = null)
    {
        ArgumentNullException.ThrowIfNull(counts);
        if (finishedAt < startedAt)
        {
            throw new DomainException(nameof(finishedAt), "A tick cannot finish before it started.");
        }

        if (counts.Pushed < 0 || counts.Updated < 0 || counts.Deleted < 0 || counts.Pulled < 0 || counts.Conflicts < 0 || counts.Restored < 0)
        {
            throw new DomainException(nameof(counts), "Sync counts cannot be negative.");
        }

        return new SyncLogEntry
        {
            Id = Guid.CreateVersion7(),
            UserId = userId,
            BindingId = bindingId,
            StartedAt = Instant.Normalize(startedAt),
            FinishedAt = Instant.Normalize(finishedAt),
            Status = status,
            Counts = counts,
            Error = TextLimits.Clip(error, ErrorMaxLength),
            ErrorDetail = TextLimits.Clip(errorDetail, ErrorMaxLength),
        };
    }

}
