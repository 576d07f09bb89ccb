using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Paliad.Domain.Appointments;

namespace Paliad.Infrastructure.CalDav.ICalendar;

/// <summary>
/// What of an appointment goes into a calendar event: exactly the fields whose change must reach the server.
/// The content hash is computed over these only (never DTSTAMP, LAST-MODIFIED or SEQUENCE), so an unchanged
/// appointment is never PUT again.
/// </summary>
public sealed record EventContent(
    string Uid,
    string Title,
    string? Description,
    string? Location,
    DateTimeOffset StartsAt,
    DateTimeOffset EndsAt,
    bool AllDay,
    string TimeZone)
{
    /// <summary>Bump when the mapping changes in a way that should re-push every event once.</summary>
    private const string MappingVersion = "paliad-ics-v1";

    public static EventContent From(Appointment appointment, string uid)
    {
        ArgumentNullException.ThrowIfNull(appointment);
        return new EventContent(uid, appointment.Title, appointment.Description, appointment.Location, appointment.StartsAt, appointment.EndsAt,
            appointment.AllDay, appointment.TimeZone);
    }

    /// <summary>The hash of what an event says in Paliad's fields, normalised as a calendar holds them (an all-day
    /// span as its dates, text line breaks as LF, an empty text as none), so the hash of a server's copy read back
    /// equals the hash of the appointment it was written from: a copy whose hash still matches changed only in what
    /// other clients own.</summary>
    public string ContentHash()
    {
        var (startsAt, endsAt) = (StartsAt, EndsAt);
        if (AllDay && TimeZoneInfo.TryFindSystemTimeZoneById(TimeZone, out var zone))
        {
            var (first, endExclusive) = ICalendarMapper.AllDayDates(this, zone);
            (startsAt, endsAt) = (AtMidnight(first, zone), AtMidnight(endExclusive, zone));
        }

        var canonical = string.Join(
            '\u001f',
            MappingVersion,
            Uid,
            Text(Title),
            Text(Description),
            Text(Location),
            startsAt.UtcTicks.ToString(CultureInfo.InvariantCulture),
            endsAt.UtcTicks.ToString(CultureInfo.InvariantCulture),
            AllDay ? "all-day" : "timed",
            TimeZone);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }

    private static string Text(string? value) => value?.ReplaceLineEndings("\n") ?? string.Empty;

    private static DateTimeOffset AtMidnight(DateOnly date, TimeZoneInfo zone)
    {
        var local = date.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        return new DateTimeOffset(local, zone.GetUtcOffset(local));
    }
}

/// <summary>The stable names of an appointment's copy in one binding's calendar: derived from the ids, never changed.</summary>
public static class EventNames
{
    public static string Uid(Guid appointmentId, Guid bindingId) => $"paliad-{appointmentId:N}-{bindingId:N}";

    /// <summary>An appointment's UID in a subscription feed: never one a binding uses.</summary>
    public static string FeedUid(Guid appointmentId, Guid feedId) => $"paliad-feed-{appointmentId:N}-{feedId:N}";

    public static string Href(string calendarPath, string uid) => Hrefs.Combine(calendarPath, uid + ".ics");
}
