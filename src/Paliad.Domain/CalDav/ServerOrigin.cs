namespace Paliad.Domain.CalDav;

/// <summary>
/// An origin (RFC 6454): scheme, host and port. A CalDAV account's credentials belong to the origin the user typed
/// them for, and nothing else: not another host, not another port on the same host, not http instead of https.
/// </summary>
public static class ServerOrigin
{
    public static bool Same(Uri a, Uri b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return a.IsAbsoluteUri && b.IsAbsoluteUri
               && string.Equals(a.Scheme, b.Scheme, StringComparison.OrdinalIgnoreCase)
               && string.Equals(a.IdnHost, b.IdnHost, StringComparison.OrdinalIgnoreCase)
               && a.Port == b.Port;
    }

    /// <summary>Whether two server URLs (as typed) share an origin; false when either is not an absolute URL.</summary>
    public static bool Same(string? a, string? b)
        => Uri.TryCreate(a?.Trim(), UriKind.Absolute, out var x) && Uri.TryCreate(b?.Trim(), UriKind.Absolute, out var y) && Same(x, y);

    /// <summary>"https://dav.example.com:8443" — for messages: never the path, never user-info.</summary>
    public static string Describe(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        return url.IsAbsoluteUri ? $"{url.Scheme}://{url.Authority}" : url.ToString();
    }
}
