using Mediator;
using Microsoft.EntityFrameworkCore;
using Paliad.Application.CalDav.OAuth;
using Paliad.Application.Common;
using Paliad.Domain.CalDav;

namespace Paliad.Application.CalDav.Config.SaveCalDavConfig;

/// <summary>
/// PUT /api/caldav-config. The first save that names a calendarPath also creates an all_visible binding on it, so
/// "configure → events appear" holds as it did in Phase F; later saves create none (changing the path later
/// changes the legacy field only). A missing or empty password keeps the stored one. The password is encrypted
/// before it reaches the aggregate.
/// </summary>
public sealed record SaveCalDavConfig(
    Guid UserId,
    string? ServerUrl,
    string? Username,
    string? Password,
    string? CalendarPath,
    bool? SyncEnabled,
    int? SyncIntervalMinutes,
    IfMatch? IfMatch = null) : ICommand<CalDavConfigDto>;

public sealed class SaveCalDavConfigHandler(IPaliadDbContext db, ICalDavPasswordProtector protector, TimeProvider clock, IOAuthProviderClient providers)
    : ICommandHandler<SaveCalDavConfig, CalDavConfigDto>
{
    public async ValueTask<CalDavConfigDto> Handle(SaveCalDavConfig command, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var encryptedPassword = string.IsNullOrEmpty(command.Password) ? null : protector.Protect(command.Password);
        string? calendarPath = null;
        if (!string.IsNullOrWhiteSpace(command.CalendarPath))
        {
            CalendarPaths.TryResolve(command.CalendarPath, command.ServerUrl, out var path);
            calendarPath = path;
        }

        await using var locked = await db.LockIfConditionalAsync<CalDavConfig>(command.IfMatch, command.UserId, cancellationToken);
        var config = await db.CalDavConfigs.SingleOrDefaultAsync(c => c.UserId == command.UserId, cancellationToken);
        command.IfMatch.Require(config is null ? null : ETags.Of(config.RowVersion), () => config is null ? null : CalDavConfigDto.From(config));
        (string? Provider, ProtectedOAuthTokens? Tokens) droppedGrant = (null, null);
        var firstCalendar = calendarPath is not null && config?.CalendarPath is null;
        if (config is null)
        {
            config = CalDavConfig.Configure(
                command.UserId, command.ServerUrl!, command.Username!, encryptedPassword, calendarPath, command.SyncEnabled ?? true,
                command.SyncIntervalMinutes ?? CalDavConfig.DefaultSyncIntervalMinutes, now);
            db.CalDavConfigs.Add(config);
        }
        else
        {
            droppedGrant = (config.Provider, config.Tokens);
            config.Reconfigure(
                command.ServerUrl!, command.Username!, encryptedPassword, calendarPath, command.SyncEnabled ?? config.SyncEnabled,
                command.SyncIntervalMinutes ?? config.SyncIntervalMinutes, now);
        }

        if (firstCalendar && !await db.CalendarBindings.AnyAsync(b => b.UserId == command.UserId && b.CalendarPath == calendarPath, cancellationToken))
        {
            db.CalendarBindings.Add(CalendarBinding.Create(command.UserId, calendarPath!, null, BindingScope.AllVisible, null, true, now));
        }

        await db.SaveChangesAsync(cancellationToken);
        await locked.CommitIfAnyAsync(cancellationToken);

        // A password given to an account connected through a provider replaced its grant: give the grant back.
        if (droppedGrant is { Provider: { } provider, Tokens: { } tokens } && config.AuthKind == CalDavAuthKind.Basic)
        {
            await providers.RevokeQuietlyAsync(protector, provider, tokens, cancellationToken);
        }

        return CalDavConfigDto.From(config);
    }
}
