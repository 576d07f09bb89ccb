namespace Paliad.Infrastructure.CalDav;

/// <summary>Servers answer hrefs as paths or absolute URLs, percent-encoded or not. Hrefs are compared by their
/// decoded path, so "/a/b%40c.ics", "/a/b@c.ics" and "https://host/a/b@c.ics" are one resource.</summary>
public static class Hrefs
{
    public static string Key(string href)
    {
        // Decode first: some servers (Xandikos, for a missing resource) even percent-encode the scheme's colon.
        var decoded = Uri.UnescapeDataString(href);
        return decoded.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || decoded.StartsWith("https://", StringComparison.OrdinalIgnoreCase)
            ? Uri.UnescapeDataString(new Uri(decoded).AbsolutePath)
            : decoded;
    }

    /// <summary>The href of a resource in a collection: the collection path with exactly one slash, then the name.</summary>
    public static string Combine(string collectionPath, string resourceName)
        => collectionPath.TrimEnd('/') + "/" + Uri.EscapeDataString(resourceName);

    public static string AsCollection(string path) => path.EndsWith('/') ? path : path + "/";
}
