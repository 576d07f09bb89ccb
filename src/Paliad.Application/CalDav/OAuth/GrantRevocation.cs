using Paliad.Domain.CalDav;

namespace Paliad.Application.CalDav.OAuth;

/// <summary>Giving a grant back to its provider when Paliad lets go of it (the account deleted, a password given
/// instead, a new grant replacing it): best effort — the grant is gone from Paliad whatever the provider says, and the
/// person can still remove Paliad's access in the provider's account settings.</summary>
public static class GrantRevocation
{
    public static async Task RevokeQuietlyAsync(
        this IOAuthProviderClient client, ICalDavPasswordProtector protector, string provider, ProtectedOAuthTokens tokens, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(protector);
        ArgumentNullException.ThrowIfNull(tokens);
        try
        {
            // Revoking the refresh token ends the whole grant at providers that implement RFC 7009 (Google does).
            var token = protector.Unprotect(tokens.EncryptedRefreshToken ?? tokens.EncryptedAccessToken).Password;
            await client.RevokeAsync(provider, token, cancellationToken);
        }
        catch (Exception e) when (e is OAuthRefusedException or OAuthUnavailableException or System.Security.Cryptography.CryptographicException)
        {
        }
    }
}
