using Paliad.Domain.CalDav;

namespace Paliad.Application.CalDav.Config;

/// <summary>The account as the API shows it: never the password, only whether one is stored.</summary>
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
    DateTimeOffset UpdatedAt)
{
    public static CalDavConfigDto From(CalDavConfig c)
        => new(c.ServerUrl, c.Username, c.CalendarPath, c.SyncEnabled, c.SyncIntervalMinutes, c.EncryptedPassword is not null,
            c.LastSyncAt, c.LastSyncError, c.CreatedAt, c.UpdatedAt);
}
