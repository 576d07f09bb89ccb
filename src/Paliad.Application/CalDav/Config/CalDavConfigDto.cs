using Paliad.Application.Common;
using Paliad.Domain.CalDav;
using Paliad.Domain.Common;

namespace Paliad.Application.CalDav.Config;

/// <summary>The account as the API shows it: never the password or a token, only whether a password is stored, how
/// Paliad signs in (<c>basic</c> | <c>oauth2</c>, through which provider) and whether the person must connect again.</summary>
public sealed record CalDavConfigDto(
    string ServerUrl,
    string Username,
    string? CalendarPath,
    bool SyncEnabled,
    int SyncIntervalMinutes,
    bool HasPassword,
    DateTimeOffset? LastSyncAt,
    string? LastSyncError,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string AuthKind,
    string? Provider,
    bool NeedsReconnect,
    string Etag) : IHasETag
{
    public static CalDavConfigDto From(CalDavConfig c)
        => new(c.ServerUrl, c.Username, c.CalendarPath, c.SyncEnabled, c.SyncIntervalMinutes, c.EncryptedPassword is not null,
            c.LastSyncAt, c.LastSyncError, c.CreatedAt, c.UpdatedAt, Words.Of(c.AuthKind), c.Provider, c.NeedsReconnect, ETags.Of(c.RowVersion));
}
