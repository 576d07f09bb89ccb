using Paliad.Domain.Common;

namespace Paliad.Domain.CalDav;

/// <summary>
/// One person's way through a provider's consent screen (authorization code + PKCE, RFC 6749/7636), between "connect"
/// and the provider's redirect back: the <c>state</c> that identifies it (stored hashed), the PKCE code verifier
/// (protected like a password), where the provider sends the person back, and until when. Used once: taking it
/// removes it, so a replayed callback finds nothing.
/// </summary>
public sealed class OAuthConnection : Entity
{
    public const int ProviderMaxLength = 64;
    public const int RedirectUriMaxLength = 2048;

    /// <summary>How long the person has to give consent.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);

    private OAuthConnection()
    {
        StateHash = string.Empty;
        Provider = string.Empty;
        EncryptedCodeVerifier = string.Empty;
        RedirectUri = string.Empty;
    }

    public Guid Id { get; private set; }

    public Guid UserId { get; private set; }

    /// <summary>SHA-256 of the state, hex: the state itself travels through the browser and is never stored.</summary>
    public string StateHash { get; private set; }

    public string Provider { get; private set; }

    public string EncryptedCodeVerifier { get; private set; }

    /// <summary>The redirect_uri sent with the authorization request; the token request must repeat it exactly.</summary>
    public string RedirectUri { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset ExpiresAt { get; private set; }

    public static OAuthConnection Start(Guid userId, string provider, string stateHash, string encryptedCodeVerifier, string redirectUri, DateTimeOffset now)
        => new()
        {
            Id = Guid.CreateVersion7(),
            UserId = userId,
            Provider = Guard.RequiredText(provider, ProviderMaxLength, nameof(provider)),
            StateHash = Guard.RequiredText(stateHash, 128, nameof(stateHash)),
            EncryptedCodeVerifier = Guard.RequiredText(encryptedCodeVerifier, 4096, nameof(encryptedCodeVerifier)),
            RedirectUri = Guard.RequiredText(redirectUri, RedirectUriMaxLength, nameof(redirectUri)),
            CreatedAt = Instant.Normalize(now),
            ExpiresAt = Instant.Normalize(now + Lifetime),
        };

    public bool HasExpired(DateTimeOffset now) => now >= ExpiresAt;
}
