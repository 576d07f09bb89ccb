namespace Paliad.Domain.CalDav;

/// <summary>
/// The one rule for a calendar collection's path on the user's server. The path is user input that becomes part of a
/// request URL sent with the account's credentials, so anything that could make that URL leave the configured server
/// or address something other than what it says is refused: a decoded form that starts with "//" (a network-path
/// reference: <c>new Uri(server, "//evil.example/")</c> is another host), a backslash, "." or ".." segments, empty
/// segments, a scheme, control characters, or percent-encoding that still decodes (a second decoding must not
/// change it). The stored form is the decoded path with exactly one trailing slash.
/// </summary>
public static class CalendarCollectionPath
{
    public const int MaxLength = 1024;

    public const string Rule = "'calendarPath' must be an absolute path on your CalDAV server (such as /alice/calendar/) or a URL on that server, "
                               + "without '.', '..' or empty segments, backslashes, schemes or control characters.";

    /// <summary>The normalised form of <paramref name="input"/>, or null (with the reason) when it is refused.</summary>
    public static string? Normalize(string? input, out string? problem)
    {
        var trimmed = input?.Trim();
        problem = Problem(trimmed);
        if (problem is not null)
        {
            return null;
        }

        var decoded = Uri.UnescapeDataString(trimmed!);
        var normalized = decoded.TrimEnd('/') + "/";
        if (normalized.Length > MaxLength)
        {
            problem = $"'calendarPath' must be at most {MaxLength} characters.";
            return null;
        }

        return normalized;
    }

    public static bool IsValid(string? input) => Normalize(input, out _) is not null;

    /// <summary>Two paths name one collection when they differ only in a trailing slash or percent-encoding.</summary>
    public static bool SameCollection(string a, string b)
        => string.Equals(Normalize(a, out _) ?? a, Normalize(b, out _) ?? b, StringComparison.Ordinal);

    private static string? Problem(string? trimmed)
    {
        if (string.IsNullOrEmpty(trimmed))
        {
            return "'calendarPath' must not be empty.";
        }

        if (trimmed.Length > MaxLength)
        {
            return $"'calendarPath' must be at most {MaxLength} characters.";
        }

        var decoded = Uri.UnescapeDataString(trimmed);
        if (!decoded.StartsWith('/'))
        {
            return "'calendarPath' must be an absolute path starting with '/'.";
        }

        if (decoded.StartsWith("//", StringComparison.Ordinal))
        {
            return "'calendarPath' must not start with '//': that names another server.";
        }

        if (decoded.Contains('\\', StringComparison.Ordinal))
        {
            return "'calendarPath' must not contain a backslash.";
        }

        if (decoded.Any(char.IsControl))
        {
            return "'calendarPath' must not contain control characters.";
        }

        if (decoded.Contains("://", StringComparison.Ordinal) || decoded.Contains(":\\", StringComparison.Ordinal))
        {
            return "'calendarPath' must not contain a scheme: give the path on your server, or a URL on that server.";
        }

        if (!string.Equals(Uri.UnescapeDataString(decoded), decoded, StringComparison.Ordinal))
        {
            return "'calendarPath' is percent-encoded twice.";
        }

        var segments = decoded.TrimEnd('/').Split('/')[1..];
        if (segments.Any(s => s is "." or ".."))
        {
            return "'calendarPath' must not contain '.' or '..' segments.";
        }

        if (segments.Any(s => s.Length == 0))
        {
            return "'calendarPath' must not contain empty segments ('//').";
        }

        return null;
    }
}
