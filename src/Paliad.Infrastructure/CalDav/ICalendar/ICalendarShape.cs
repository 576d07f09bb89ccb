namespace Paliad.Infrastructure.CalDav.ICalendar;

/// <summary>
/// Bounds on a calendar object's structure, checked on its text before Ical.Net sees it: Ical.Net's parser and
/// serialiser recurse once per nesting level, and a stack overflow cannot be caught — one event of 100,000 nested
/// components would end the process for every tenant. Real calendar objects nest three deep (VCALENDAR → VEVENT →
/// VALARM, VCALENDAR → VTIMEZONE → STANDARD) and hold a few dozen components.
/// </summary>
public static class ICalendarShape
{
    /// <summary>Deepest component nesting accepted (one level more than any standard component needs).</summary>
    public const int MaxNesting = 4;

    /// <summary>Most components (BEGIN lines) in one calendar object.</summary>
    public const int MaxComponents = 1000;

    /// <summary>Most content lines (properties and BEGIN/END lines, after unfolding) in one calendar object.</summary>
    public const int MaxContentLines = 20_000;

    /// <summary>What is wrong with the object's shape, in words; null when it is within the bounds. Folded lines are
    /// unfolded as RFC 5545 §3.1 says (a line break followed by a space or tab continues the line); a lone CR or LF
    /// counts as a line break; a line's name is what comes before its first ';' or ':' (blanks ignored, any case), so
    /// no spelling of a BEGIN line — "BEGIN;X=1:VEVENT", "begin :x", folded — escapes the count.</summary>
    public static string? Problem(string iCalendar)
    {
        ArgumentNullException.ThrowIfNull(iCalendar);
        var depth = 0;
        var components = 0;
        var lines = 0;
        Span<char> name = stackalloc char[8];
        var nameLength = 0;
        var nameEnded = false;
        var empty = true;
        for (var i = 0; i <= iCalendar.Length; i++)
        {
            var end = i == iCalendar.Length;
            var c = end ? '\n' : iCalendar[i];
            if (c is not ('\r' or '\n'))
            {
                empty = false;
                if (nameEnded || c is ' ' or '\t')
                {
                    continue;
                }

                if (c is ';' or ':')
                {
                    nameEnded = true;
                }
                else if (nameLength++ < name.Length)
                {
                    name[nameLength - 1] = char.ToUpperInvariant(c);
                }

                continue;
            }

            if (c == '\r' && i + 1 < iCalendar.Length && iCalendar[i + 1] == '\n')
            {
                i++;
            }

            if (!end && i + 1 < iCalendar.Length && iCalendar[i + 1] is ' ' or '\t')
            {
                i++; // a folded line goes on
                continue;
            }

            if (empty)
            {
                continue;
            }

            var line = nameLength <= name.Length ? name[..nameLength] : [];
            (nameLength, nameEnded, empty) = (0, false, true);
            if (++lines > MaxContentLines)
            {
                return $"more than {MaxContentLines} lines";
            }

            if (line.SequenceEqual("BEGIN"))
            {
                if (++components > MaxComponents)
                {
                    return $"more than {MaxComponents} components";
                }

                if (++depth > MaxNesting)
                {
                    return $"components nested more than {MaxNesting} deep";
                }
            }
            else if (line.SequenceEqual("END") && --depth < 0)
            {
                return "an END without its BEGIN";
            }
        }

        return null;
    }
}
