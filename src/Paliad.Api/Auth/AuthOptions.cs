using System.Text;
using Microsoft.IdentityModel.Tokens;

namespace Paliad.Api.Auth;

/// <summary>Auth settings (section "Auth"): Supabase's tokens, HS256 with the shared secret and/or ES256/RS256 from
/// the project's key set.</summary>
public sealed class AuthOptions
{
    public const string Section = "Auth";

    /// <summary>The settings as configured (defaults when the section is absent): the one place they are bound.</summary>
    public static AuthOptions Read(IConfiguration configuration) => configuration.GetSection(Section).Get<AuthOptions>() ?? new AuthOptions();

    /// <summary>HS256 needs a key of at least 256 bits.</summary>
    public const int MinimumKeyBytes = 32;

    /// <summary>The shared HS256 secret (older Supabase projects, development tokens). Optional when
    /// <see cref="JwksUrl"/> is set; both may be set while a project moves off the shared secret.</summary>
    public string? JwtSigningKey { get; set; }

    /// <summary>The key set of asymmetric signing keys (Supabase: https://&lt;project&gt;.supabase.co/auth/v1/.well-known/jwks.json).</summary>
    public string? JwksUrl { get; set; }

    /// <summary>How often the key set is fetched again (Supabase caches it for 10 minutes at its edge).</summary>
    public double JwksRefreshMinutes { get; set; } = 10;

    /// <summary>A token with a key id the set does not hold asks for the set again at most this often.</summary>
    public double JwksUnknownKeyRefreshSeconds { get; set; } = 60;

    public TimeSpan KeySetRefreshInterval => TimeSpan.FromMinutes(Math.Max(1, JwksRefreshMinutes));

    public TimeSpan UnknownKeyRefreshInterval => TimeSpan.FromSeconds(Math.Max(1, JwksUnknownKeyRefreshSeconds));

    public bool HasSharedSecret => !string.IsNullOrEmpty(JwtSigningKey);

    public bool HasKeySet => !string.IsNullOrWhiteSpace(JwksUrl);

    /// <summary>Validated when set (Supabase: https://&lt;project&gt;.supabase.co/auth/v1).</summary>
    public string? Issuer { get; set; }

    /// <summary>Validated when set (Supabase: authenticated).</summary>
    public string? Audience { get; set; }

    /// <summary>What must hold for tokens to be checked at all: a shared secret that is long enough, and/or a key set
    /// at an absolute URL (https outside development). Throws naming the setting.</summary>
    public void Validate(bool requireHttps)
    {
        if (!HasKeySet)
        {
            _ = SigningKey();
            return;
        }

        if (!Uri.TryCreate(JwksUrl, UriKind.Absolute, out var url) || url.Scheme is not ("https" or "http"))
        {
            throw new InvalidOperationException($"Auth:JwksUrl must be an absolute https URL (was '{JwksUrl}').");
        }

        if (requireHttps && url.Scheme != Uri.UriSchemeHttps)
        {
            throw new InvalidOperationException("Auth:JwksUrl must use https: keys fetched in clear could be swapped on the way.");
        }

        if (HasSharedSecret)
        {
            _ = SigningKey();
        }
    }

    /// <summary>The shared secret as a key; null when only a key set is configured.</summary>
    public SymmetricSecurityKey? SharedSecretOrNull() => HasSharedSecret ? SigningKey() : null;

    public SymmetricSecurityKey SigningKey()
    {
        if (string.IsNullOrEmpty(JwtSigningKey))
        {
            throw new InvalidOperationException("Neither Auth:JwtSigningKey nor Auth:JwksUrl is set (Auth__JwtSigningKey, Auth__JwksUrl). ./paliad run generates a signing key under .data/.");
        }

        var bytes = Encoding.UTF8.GetBytes(JwtSigningKey);
        if (bytes.Length < MinimumKeyBytes)
        {
            throw new InvalidOperationException($"Auth:JwtSigningKey must be at least {MinimumKeyBytes} bytes for HS256.");
        }

        return new SymmetricSecurityKey(bytes);
    }
}
