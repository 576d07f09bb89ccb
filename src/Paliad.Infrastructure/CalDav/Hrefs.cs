using Paliad.Domain.CalDav;

namespace Paliad.Infrastructure.CalDav;

/// <summary>Servers answer hrefs as paths or absolute URLs, percent-encoded or not. Hrefs are compared by their
/// decoded path, so "/a/b%40c.ics", "/a/b@c.ics" and "https://host/a/b@c.ics" are one resource.</summary>
public static class Hrefs
{
    /// <summary>The decoded path of an href (an absolute URL is reduced to its path, whatever its origin): for hrefs
    /// Paliad itself recorded.</summary>
    public static string Key(string href) => Key(href, server: null);

    /// <summary>The decoded path of an href the server answered. An absolute URL on another origin stays an absolute
    /// URL (it never equals a path, and the client refuses to send anything to it); so does a network-path
    /// reference ("//other/…"), which the client refuses too.</summary>
    public static string Key(string href, Uri? server)
    {
        ArgumentNullException.ThrowIfNull(href);

        // Decode first: some servers (Xandikos, for a missing resource) even percent-encode the scheme's colon.
        var decoded = Uri.UnescapeDataString(href.Trim());
        if (!decoded.StartsWith("http://", StringComparison.OrdinalIgnoreCase) && !decoded.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            return decoded;
        }

        if (!Uri.TryCreate(decoded, UriKind.Absolute, out var url))
        {
            return decoded;
        }

        return server is null || ServerOrigin.Same(url, server) ? Uri.UnescapeDataString(url.AbsolutePath) : decoded;
    }

    /// <summary>The href of a resource in a collection: the collection path with exactly one slash, then the name.</summary>
    public static string Combine(string collectionPath, string resourceName)
        => collectionPath.TrimEnd('/') + "/" + Uri.EscapeDataString(resourceName);

    public static string AsCollection(string path) => path.EndsWith('/') ? path : path + "/";

    /// <summary>Whether a key is a path on the account's own server (not an absolute URL, not "//host/…").</summary>
    public static bool IsLocal(string key) => key.StartsWith('/') && !key.StartsWith("//", StringComparison.Ordinal);
}
