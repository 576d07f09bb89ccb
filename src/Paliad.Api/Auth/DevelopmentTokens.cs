using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Paliad.Api.Auth;

/// <summary>Mints tokens like Supabase's for local use (<c>./paliad token alice@firm.example</c>). The user id is
/// derived from the e-mail, so the same address is always the same user.</summary>
public static class DevelopmentTokens
{
    public static Guid UserIdFor(string email)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes("paliad-dev-user:" + email.Trim().ToLowerInvariant()));
        var bytes = hash.AsSpan(0, 16).ToArray();
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x50); // version 5 (name-based)
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // RFC 4122 variant
        return new Guid(bytes);
    }

    public static string Mint(AuthOptions options, string email, Guid? userId, TimeSpan lifetime, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(options);
        var descriptor = new SecurityTokenDescriptor
        {
            Subject = new ClaimsIdentity(
            [
                new Claim(Claims.Subject, (userId ?? UserIdFor(email)).ToString()),
                new Claim(Claims.Email, email.Trim()),
                new Claim("role", "authenticated"),
            ]),
            Issuer = options.Issuer,
            Audience = options.Audience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = now.Add(lifetime).UtcDateTime,
            SigningCredentials = new SigningCredentials(options.SigningKey(), SecurityAlgorithms.HmacSha256),
        };
        return new JsonWebTokenHandler().CreateToken(descriptor);
    }
}
