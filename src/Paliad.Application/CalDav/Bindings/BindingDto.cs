using Paliad.Application.Common;
using Paliad.Domain.CalDav;
using Paliad.Domain.Common;

namespace Paliad.Application.CalDav.Bindings;

public sealed record BindingDto(
    Guid Id,
    string CalendarPath,
    string? DisplayName,
    string Scope,
    Guid? ScopeId,
    bool Enabled,
    string SyncStatus,
    DateTimeOffset? LastSyncAt,
    string? LastSyncError,
    string? LastSyncErrorDetail,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    int HeldChanges,
    string Etag) : IHasETag
{
    /// <summary>The binding as the API shows it: what failed in plain words followed by what Paliad does next (said when
    /// read, so "tries again at" is never stale), the technical detail beside it.</summary>
    public static BindingDto From(CalendarBinding b)
        => new(b.Id, b.CalendarPath, b.DisplayName, Words.Of(b.Scope), b.ScopeId, b.Enabled, Words.Of(b.SyncStatus), b.LastSyncAt,
            b.LastSyncError is null ? null : $"{b.LastSyncError} {b.NextStepSaid}", b.LastSyncErrorDetail, b.CreatedAt, b.UpdatedAt, b.HeldChanges, ETags.Of(b.RowVersion));
}
