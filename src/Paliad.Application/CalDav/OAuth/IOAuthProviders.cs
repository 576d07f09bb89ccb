namespace Paliad.Application.CalDav.OAuth;

/// <summary>An OAuth 2.0 provider Paliad is registered with (CalDav:OAuth:Providers:&lt;name&gt;): whose CalDAV server
/// its grants open, and whether that server makes calendars (Google's does not: no MKCALENDAR).</summary>
public sealed record OAuthProviderInfo(string Name, string DisplayName, Uri ServerUrl, bool CreatesCalendars);

/// <summary>The providers configured with a client id (a preset without one is not offered).</summary>
public interface IOAuthProviders
{
    IReadOnlyList<OAuthProviderInfo> Configured { get; }

    OAuthProviderInfo? Find(string name);
}

/// <summary>What a provider's token endpoint gave: the access token, the refresh token (when it gave one), when the
/// access token expires (when it said), and the account it is for (an id_token's e-mail, when it sent one).</summary>
public sealed record OAuthGrant(string AccessToken, string? RefreshToken, DateTimeOffset? ExpiresAt, string? AccountName);

/// <summary>The protocol side of a provider (RFC 6749, RFC 7636 PKCE, RFC 7009 revocation).</summary>
public interface IOAuthProviderClient
{
    /// <summary>Where to send the person for consent: the authorization endpoint with response_type=code, the client
    /// id, the scopes, the state, the S256 code challenge and the redirect URI.</summary>
    Uri AuthorizationUrl(string provider, string state, string codeChallenge, Uri redirectUri);

    /// <summary>The authorization code exchanged (with the PKCE verifier); throws <see cref="OAuthRefusedException"/>
    /// when the provider refuses it, <see cref="OAuthUnavailableException"/> when it cannot be asked.</summary>
    Task<OAuthGrant> ExchangeCodeAsync(string provider, string code, string codeVerifier, Uri redirectUri, CancellationToken cancellationToken);

    /// <summary>A new access token for the refresh token (and, if the provider rotates them, a new refresh token).</summary>
    Task<OAuthGrant> RefreshAsync(string provider, string refreshToken, CancellationToken cancellationToken);

    /// <summary>Revokes the token at the provider; throws like the others (callers treat it as best effort).</summary>
    Task RevokeAsync(string provider, string token, CancellationToken cancellationToken);
}

/// <summary>The provider answered with an OAuth error (RFC 6749 §5.2): <see cref="Error"/> is its code —
/// <c>invalid_grant</c> when the grant is revoked or expired or the code was used or the PKCE verifier is wrong.</summary>
public sealed class OAuthRefusedException : Exception
{
    public OAuthRefusedException(string error, string message)
        : base(message) => Error = error;

    public OAuthRefusedException()
        : this("invalid_request", "The provider refused the request.")
    {
    }

    public OAuthRefusedException(string message)
        : this("invalid_request", message)
    {
    }

    public OAuthRefusedException(string message, Exception innerException)
        : base(message, innerException) => Error = "invalid_request";

    public string Error { get; }

    public bool GrantIsGone => Error == "invalid_grant";
}

/// <summary>The provider could not be asked (unreachable, 5xx, an answer that is not a token response).</summary>
public sealed class OAuthUnavailableException : Exception
{
    public OAuthUnavailableException()
    {
    }

    public OAuthUnavailableException(string message)
        : base(message)
    {
    }

    public OAuthUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
