using Mediator;
using Microsoft.EntityFrameworkCore;
using Paliad.Application.Common;
using Paliad.Application.CalDav.OAuth;
using Paliad.Domain.CalDav;

namespace Paliad.Application.CalDav.Config.DeleteCalDavConfig;

/// <summary>Removes the account, its bindings and (by cascade) their targets. Events already in the calendars stay:
/// no credentials remain to remove them, so the bindings go with keepRemoteEvents. An OAuth 2.0 grant is revoked at
/// the provider afterwards, best effort (the account is gone whatever the provider says).</summary>
public sealed record DeleteCalDavConfig(Guid UserId) : ICommand;

public sealed class DeleteCalDavConfigHandler(IPaliadDbContext db, IOAuthProviderClient providers, ICalDavPasswordProtector protector)
    : ICommandHandler<DeleteCalDavConfig>
{
    public async ValueTask<Unit> Handle(DeleteCalDavConfig command, CancellationToken cancellationToken)
    {
        var config = await db.CalDavConfigs.SingleOrDefaultAsync(c => c.UserId == command.UserId, cancellationToken)
            ?? throw new NotFoundException("The CalDAV account is not configured.");
        var bindings = await db.CalendarBindings.Where(b => b.UserId == command.UserId).ToListAsync(cancellationToken);
        foreach (var binding in bindings)
        {
            binding.Delete(keepRemoteEvents: true, []);
        }

        db.CalendarBindings.RemoveRange(bindings);
        db.CalDavConfigs.Remove(config);
        await db.SaveChangesAsync(cancellationToken);
        await RevokeGrantAsync(config, cancellationToken);
        return Unit.Value;
    }

    private async Task RevokeGrantAsync(CalDavConfig config, CancellationToken cancellationToken)
    {
        if (config is not { Provider: { } provider, Tokens: { } tokens })
        {
            return;
        }

        try
        {
            // Revoking the refresh token ends the whole grant at providers that implement RFC 7009 (Google does).
            var token = protector.Unprotect(tokens.EncryptedRefreshToken ?? tokens.EncryptedAccessToken).Password;
            await providers.RevokeAsync(provider, token, cancellationToken);
        }
        catch (Exception e) when (e is OAuthRefusedException or OAuthUnavailableException or System.Security.Cryptography.CryptographicException)
        {
            // Best effort: the person can still remove Paliad's access in their provider's account settings.
        }
    }
}
