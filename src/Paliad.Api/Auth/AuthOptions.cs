using System.Text;
using Microsoft.IdentityModel.Tokens;

namespace Paliad.Api.Auth;

/// <summary>Auth settings (section "Auth"): Supabase-compatible HS256 tokens.</summary>
public sealed class AuthOptions
{
    public const string Section = "Auth";

    /// <summary>The settings as configured (defaults when the section is absent): the one place they are bound.</summary>
    public static AuthOptions Read(IConfiguration configuration) => configuration.GetSection(Section).Get<AuthOptions>() ?? new AuthOptions();

    /// <summary>HS256 needs a key of at least 256 bits.</summary>
    public const int MinimumKeyBytes = 32;

    public string? JwtSigningKey { get; set; }

    /// <summary>Validated when set (Supabase: https://&lt;project&gt;.supabase.co/auth/v1).</summary>
    public string? Issuer { get; set; }

    /// <summary>Validated when set (Supabase: authenticated).</summary>
    public string? Audience { get; set; }

    public SymmetricSecurityKey SigningKey()
    {
        if (string.IsNullOrEmpty(JwtSigningKey))
        {
            throw new InvalidOperationException("Auth:JwtSigningKey is not set (Auth__JwtSigningKey). ./paliad run generates one under .data/.");
        }

        var bytes = Encoding.UTF8.GetBytes(JwtSigningKey);
        if (bytes.Length < MinimumKeyBytes)
        {
            throw new InvalidOperationException($"Auth:JwtSigningKey must be at least {MinimumKeyBytes} bytes for HS256.");
        }

        return new SymmetricSecurityKey(bytes);
    }
}
