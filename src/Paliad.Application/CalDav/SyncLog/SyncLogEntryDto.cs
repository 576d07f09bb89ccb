using Paliad.Domain.CalDav;
using Paliad.Domain.Common;

namespace Paliad.Application.CalDav.SyncLog;

public sealed record SyncLogEntryDto(
    Guid Id,
    Guid? BindingId,
    DateTimeOffset StartedAt,
    DateTimeOffset? FinishedAt,
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
    public static SyncLogEntryDto From(SyncLogEntry e)
        => new(e.Id, e.BindingId, e.StartedAt, e.FinishedAt, Words.Of(e.Status), e.Counts.Pushed, e.Counts.Updated, e.Counts.Deleted,
            e.Counts.Pulled, e.Counts.Conflicts, e.Counts.Restored, e.Error, e.ErrorDetail);
}
