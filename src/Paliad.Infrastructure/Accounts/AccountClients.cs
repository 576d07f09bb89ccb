using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Paliad.Application.CalDav;
using Paliad.Application.CalDav.OAuth;
using Paliad.Application.Common;
using Paliad.Domain.CalDav;
using Paliad.Infrastructure.CalDav;

namespace Paliad.Infrastructure.Accounts;

/// <summary>The one place a client for a person's account is made: with its password opened (basic), or with its
/// access token and a way to refresh it (oauth2).</summary>
public sealed class AccountClients(CalDavClientFactory clients, OAuthTokenRefresher refresher, IOAuthProviders providers)
{
    /// <summary>Throws <see cref="System.Security.Cryptography.CryptographicException"/> when a stored secret cannot be
    /// opened, and <see cref="CalDavReconnectNeededException"/> for an account whose grant the provider refused.</summary>
    public async Task<CalDavClient> ForAsync(IPaliadDbContext db, ICalDavPasswordProtector protector, CalDavConfig config, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(protector);
        ArgumentNullException.ThrowIfNull(config);
        if (config.AuthKind == CalDavAuthKind.Oauth2)
        {
            if (config.NeedsReconnect || config.Tokens is null)
            {
                throw new CalDavReconnectNeededException(ProviderName(config), "The provider refused this account's grant; it has to be connected again.");
            }

            var server = new Uri(config.ServerUrl);
            AccessToken token;
            try
            {
                token = new AccessToken(protector.Unprotect(config.Tokens.EncryptedAccessToken).Password, config.Tokens.AccessTokenExpiresAt);
            }
            catch (CryptographicException e) when (e is not KeyRingBehindException)
            {
                // No key of the ring opens the grant any more (a lost key ring, another certificate): connecting again
                // is the only fix, and the page says so.
                await db.CalDavConfigs.Where(c => c.UserId == config.UserId)
                    .ExecuteUpdateAsync(set => set.SetProperty(c => c.NeedsReconnect, true), CancellationToken.None);
                throw new CalDavReconnectNeededException(ProviderName(config), $"The stored access token cannot be decrypted ({e.Message}); connect the account again.");
            }

            return clients.Create(new CalDavAccount(
                server, string.Empty, null, new AccountBearer(refresher, config.UserId, token, ProviderName(config)), $"{server.Authority}#{config.UserId}",
                CreatesCalendars: config.Provider is { } name && providers.Find(name)?.CreatesCalendars == true)); // unknown: send none
        }

        var password = await protector.ReadPasswordAsync(db, config, cancellationToken);
        return clients.Create(config.ServerUrl, config.Username, password);
    }

    /// <summary>The provider as the person knows it ("Google Calendar").</summary>
    public string ProviderName(CalDavConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return config.Provider is { } name ? providers.Find(name)?.DisplayName ?? name : "calendar";
    }
}
