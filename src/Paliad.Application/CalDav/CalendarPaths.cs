using Paliad.Domain.CalDav;

namespace Paliad.Application.CalDav;

/// <summary>
/// What a client may send as a calendar: an absolute path on the configured server ("/alice/court/"), or a full
/// URL on that same server, which is reduced to its path. A URL to another host is refused: credentials for one
/// server must never be sent to another.
/// </summary>
public static class CalendarPaths
{
    public static bool TryResolve(string? input, string? serverUrl, out string path)
    {
        path = string.Empty;
        var trimmed = input?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            return false;
        }

        if (trimmed.StartsWith('/'))
        {
            path = trimmed;
            return CalendarBinding.IsValidCalendarPath(path);
        }

        if (Uri.TryCreate(trimmed, UriKind.Absolute, out var url)
            && Uri.TryCreate(serverUrl, UriKind.Absolute, out var server)
            && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps)
            && string.Equals(url.Host, server.Host, StringComparison.OrdinalIgnoreCase)
            && url.Port == server.Port)
        {
            path = url.AbsolutePath;
            return CalendarBinding.IsValidCalendarPath(path);
        }

        return false;
    }

    /// <summary>Two paths name one collection when they differ only in a trailing slash or percent-encoding.</summary>
    public static bool SameCollection(string a, string b) => Key(a) == Key(b);

    private static string Key(string path) => Uri.UnescapeDataString(path.Trim()).TrimEnd('/');

    public const string Rule = "'calendarPath' must be an absolute path on your CalDAV server (such as /alice/calendar/) or a URL on that server.";
}
