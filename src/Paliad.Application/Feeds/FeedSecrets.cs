using System.Security.Cryptography;
using System.Text;
using Paliad.Application.Common;

namespace Paliad.Application.Feeds;

/// <summary>A feed's secret: 256 random bits in the URL, only their SHA-256 stored, compared in constant time.</summary>
public static class FeedSecrets
{
    public static string New() => UrlSecrets.New();

    public static string Hash(string secret) => UrlSecrets.Hash(secret);

    /// <summary>Whether the secret is the one whose hash is stored, in time that does not depend on where they differ.</summary>
    public static bool Matches(string secret, string storedHash)
        => CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Hash(secret)), Encoding.ASCII.GetBytes(storedHash));

    /// <summary>The feed's URL: the only place the secret is ever shown. Relative to the base, so a public address with a
    /// path (https://firm.example/paliad/) keeps it.</summary>
    public static Uri UrlOf(Uri baseUrl, Guid feedId, string secret)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        var directory = baseUrl.AbsoluteUri.EndsWith('/') ? baseUrl : new Uri(baseUrl.AbsoluteUri + "/");
        return new Uri(directory, $"feeds/{feedId}/{secret}.ics");
    }
}
