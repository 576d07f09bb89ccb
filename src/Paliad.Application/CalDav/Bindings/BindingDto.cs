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
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    int HeldChanges)
{
    public static BindingDto From(CalendarBinding b)
        => new(b.Id, b.CalendarPath, b.DisplayName, Words.Of(b.Scope), b.ScopeId, b.Enabled, Words.Of(b.SyncStatus), b.LastSyncAt, b.LastSyncError, b.CreatedAt, b.UpdatedAt,
            b.HeldChanges);
}
