using Ical.Net;
using Ical.Net.CalendarComponents;
using Ical.Net.DataTypes;
using Ical.Net.Serialization;

namespace Paliad.Infrastructure.CalDav.ICalendar;

/// <summary>What a calendar event on the server says, read back into Paliad's terms.</summary>
public sealed record RemoteEvent(
    string Uid,
    string? Title,
    string? Description,
    string? Location,
    DateTimeOffset StartsAt,
    DateTimeOffset EndsAt,
    bool AllDay,
    int Sequence = 0,
    bool IsSeries = false,
    string? ForeignParts = null)
{
    /// <summary>The server's copy in Paliad's terms, to compare its own fields with what was last synced.</summary>
    public EventContent AsContent(string timeZone) => new(Uid, Title ?? string.Empty, Description, Location, StartsAt, EndsAt, AllDay, timeZone);
}

/// <summary>
/// Appointment ↔ VEVENT with Ical.Net (never hand-written folding or escaping). Timed events carry DTSTART/DTEND in
/// the appointment's zone with a VTIMEZONE; a local time that the zone makes ambiguous (the repeated hour when
/// clocks go back) is written in UTC instead, so every instant round-trips exactly. All-day events are DATE values
/// with an exclusive DTEND. What other clients added to an event (<see cref="ForeignParts"/>) is merged into it.
/// </summary>
public static class ICalendarMapper
{
    public const string ProductId = "-//Paliad//Calendar sync//EN";

    private static readonly HashSet<string> RecurrenceProperties = new(StringComparer.OrdinalIgnoreCase) { "RRULE", "RDATE", "EXDATE", "EXRULE" };

    public static string ToICalendar(
        EventContent content, int sequence, DateTimeOffset createdAt, DateTimeOffset lastModified, DateTimeOffset stamp, string? foreignParts = null)
    {
        ArgumentNullException.ThrowIfNull(content);
        var calendar = new Calendar { ProductId = ProductId };
        var evt = Event(content, sequence, createdAt, lastModified, stamp, out var usesZone);
        if (usesZone)
        {
            AddZone(calendar, content.TimeZone, content.StartsAt);
        }

        calendar.Events.Add(evt);
        if (foreignParts is not null)
        {
            ForeignParts.MergeInto(calendar, evt, foreignParts);
        }

        return new CalendarSerializer().SerializeToString(calendar)!;
    }

    /// <summary>A read-only feed (DESIGN §12): one VCALENDAR named <paramref name="name"/> with the refresh hints
    /// clients read (REFRESH-INTERVAL, X-PUBLISHED-TTL), every event as the engine writes it, and one VTIMEZONE per
    /// zone the timed events use (from the earliest of them).</summary>
    public static string ToFeed(string name, TimeSpan refresh, IEnumerable<(EventContent Content, int Sequence, DateTimeOffset CreatedAt, DateTimeOffset LastModified)> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        var calendar = new Calendar { ProductId = ProductId };
        calendar.AddProperty("X-WR-CALNAME", name);
        var interval = new CalendarProperty("REFRESH-INTERVAL", Duration(refresh));
        interval.Parameters.Add("VALUE", "DURATION");
        calendar.AddProperty(interval);
        calendar.AddProperty("X-PUBLISHED-TTL", Duration(refresh));
        var zones = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        foreach (var (content, sequence, createdAt, lastModified) in events)
        {
            calendar.Events.Add(Event(content, sequence, createdAt, lastModified, lastModified, out var usesZone));
            if (usesZone && (!zones.TryGetValue(content.TimeZone, out var earliest) || content.StartsAt < earliest))
            {
                zones[content.TimeZone] = content.StartsAt;
            }
        }

        foreach (var (zone, earliest) in zones.OrderBy(z => z.Key, StringComparer.Ordinal))
        {
            AddZone(calendar, zone, earliest);
        }

        return new CalendarSerializer().SerializeToString(calendar)!;
    }

    private static string Duration(TimeSpan span) => System.Xml.XmlConvert.ToString(span);

    private static CalendarEvent Event(
        EventContent content, int sequence, DateTimeOffset createdAt, DateTimeOffset lastModified, DateTimeOffset stamp, out bool usesZone)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(content.TimeZone);
        var evt = new CalendarEvent
        {
            Uid = content.Uid,
            Summary = content.Title,
            Description = content.Description,
            Location = content.Location,
            Sequence = Math.Max(0, sequence),
            DtStamp = new CalDateTime(stamp.UtcDateTime, CalDateTime.UtcTzId, true),
            Created = new CalDateTime(createdAt.UtcDateTime, CalDateTime.UtcTzId, true),
            LastModified = new CalDateTime(lastModified.UtcDateTime, CalDateTime.UtcTzId, true),
        };

        usesZone = false;
        if (content.AllDay)
        {
            var (first, endExclusive) = AllDayDates(content, zone);
            evt.DtStart = new CalDateTime(first);
            evt.DtEnd = new CalDateTime(endExclusive);
        }
        else
        {
            evt.DtStart = Timed(content.StartsAt, zone, content.TimeZone, ref usesZone);
            evt.DtEnd = Timed(content.EndsAt, zone, content.TimeZone, ref usesZone);
        }

        return evt;
    }

    /// <summary>The zone's VTIMEZONE, with its transitions from a year before <paramref name="earliest"/>. (Ical.Net builds
    /// it from the zone's transitions between that instant and *now*, and throws when the instant lies after now: a
    /// hearing two years out must not be unrenderable.)</summary>
    private static void AddZone(Calendar calendar, string timeZone, DateTimeOffset earliest)
        => calendar.AddTimeZone(timeZone, Earliest(earliest.UtcDateTime.AddYears(-1), DateTime.UtcNow.AddDays(-1)), false);

    private static DateTime Earliest(DateTime a, DateTime b) => a < b ? a : b;

    /// <summary>Reads the (first, non-override) VEVENT, whether the copy became a series, and what other clients added
    /// to it. Malformed data is reported, never thrown.</summary>
    public static bool TryParse(string iCalendar, string fallbackTimeZone, out RemoteEvent? remoteEvent, out string? error)
    {
        remoteEvent = null;
        if (ICalendarShape.Problem(iCalendar) is { } problem)
        {
            error = $"Malformed iCalendar: {problem}.";
            return false;
        }

        try
        {
            var calendar = Calendar.Load(iCalendar);
            var evt = calendar?.Events.FirstOrDefault(e => e.RecurrenceIdentifier is null);
            if (calendar is null || evt?.DtStart is null)
            {
                error = "The resource has no VEVENT with a DTSTART.";
                return false;
            }

            var allDay = !evt.DtStart.HasTime;
            var start = ToInstant(evt.DtStart, fallbackTimeZone);
            var end = evt.DtEnd is not null
                ? ToInstant(evt.DtEnd, fallbackTimeZone)
                : evt.Duration is { } duration
                    ? ToInstant(evt.DtStart.Add(duration), fallbackTimeZone)
                    : allDay ? ToInstant(evt.DtStart.AddDays(1), fallbackTimeZone) : start;
            var isSeries = evt.Properties.Any(p => RecurrenceProperties.Contains(p.Name)) || calendar.Events.Any(e => e.RecurrenceIdentifier is not null);
            remoteEvent = new RemoteEvent(evt.Uid ?? string.Empty, evt.Summary, evt.Description, evt.Location, start, end < start ? start : end, allDay, evt.Sequence,
                isSeries, ForeignParts.Of(calendar, evt));
            error = null;
            return true;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            error = $"Malformed iCalendar: {e.Message}";
            return false;
        }
    }

    private static CalDateTime Timed(DateTimeOffset instant, TimeZoneInfo zone, string timeZoneId, ref bool usesZone)
    {
        if (timeZoneId == "UTC" || zone.IsAmbiguousTime(instant))
        {
            return new CalDateTime(instant.UtcDateTime, CalDateTime.UtcTzId, true);
        }

        usesZone = true;
        var local = TimeZoneInfo.ConvertTime(instant, zone).DateTime;
        return new CalDateTime(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), timeZoneId, true);
    }

    /// <summary>The all-day span as dates in the appointment's zone: DTEND is exclusive and at least a day later.</summary>
    internal static (DateOnly First, DateOnly EndExclusive) AllDayDates(EventContent content, TimeZoneInfo zone)
    {
        var start = TimeZoneInfo.ConvertTime(content.StartsAt, zone);
        var end = TimeZoneInfo.ConvertTime(content.EndsAt, zone);
        var first = DateOnly.FromDateTime(start.DateTime);
        var last = DateOnly.FromDateTime(end.DateTime);
        if (end.TimeOfDay > TimeSpan.Zero)
        {
            last = last.AddDays(1);
        }

        return (first, last > first ? last : first.AddDays(1));
    }

    private static DateTimeOffset ToInstant(CalDateTime value, string fallbackTimeZone)
    {
        if (value.IsUtc)
        {
            return new DateTimeOffset(DateTime.SpecifyKind(value.Value, DateTimeKind.Utc));
        }

        var zoneId = value.TzId ?? fallbackTimeZone;
        if (!value.HasTime || value.TzId is null)
        {
            // Floating times and DATE values are wall-clock times in the appointment's zone.
            var zone = FindZone(zoneId) ?? TimeZoneInfo.Utc;
            var local = DateTime.SpecifyKind(value.Value, DateTimeKind.Unspecified);
            return new DateTimeOffset(local, zone.GetUtcOffset(local));
        }

        return new DateTimeOffset(DateTime.SpecifyKind(value.AsUtc, DateTimeKind.Utc));
    }

    private static TimeZoneInfo? FindZone(string id) => TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) ? zone : null;
}
