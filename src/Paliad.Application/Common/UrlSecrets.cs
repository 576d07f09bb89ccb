using System.Security.Cryptography;
using System.Text;

namespace Paliad.Application.Common;

/// <summary>Secrets that travel in URLs (an OAuth state, a PKCE verifier, a feed's secret) and how they are stored.</summary>
public static class UrlSecrets
{
    /// <summary>256 random bits, base64url without padding (43 characters).</summary>
    public static string New() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>How such a secret is stored: SHA-256, lowercase hex.</summary>
    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
}
