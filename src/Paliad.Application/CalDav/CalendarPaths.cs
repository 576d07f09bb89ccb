using Paliad.Domain.CalDav;

namespace Paliad.Application.CalDav;

/// <summary>
/// What a client may send as a calendar: an absolute path on the configured server ("/alice/court/"), or a full
/// URL on that same origin (scheme, host and port), which is reduced to its path. A URL to another origin is refused:
/// credentials for one server must never be sent to another. The path itself must pass
/// <see cref="CalendarCollectionPath"/>; what is stored is its normalised form.
/// </summary>
public static class CalendarPaths
{
    public static bool TryResolve(string? input, string? serverUrl, out string path)
    {
        path = Resolve(input, serverUrl, out _) ?? string.Empty;
        return path.Length > 0;
    }

    /// <summary>The normalised path, or null with the reason it was refused.</summary>
    public static string? Resolve(string? input, string? serverUrl, out string? problem)
    {
        var trimmed = input?.Trim();
        if (!string.IsNullOrEmpty(trimmed) && !trimmed.StartsWith('/') && Uri.TryCreate(trimmed, UriKind.Absolute, out var url))
        {
            if (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps || !ServerOrigin.Same(trimmed, serverUrl) || !string.IsNullOrEmpty(url.UserInfo))
            {
                problem = "'calendarPath' names another server: give the path on your CalDAV server, or a URL on that same server.";
                return null;
            }

            trimmed = url.AbsolutePath;
        }

        return CalendarCollectionPath.Normalize(trimmed, out problem);
    }
}
