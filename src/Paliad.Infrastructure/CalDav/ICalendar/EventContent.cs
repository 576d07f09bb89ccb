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

    public string ContentHash()
    {
        var canonical = string.Join(
            '\u001f',
            MappingVersion,
            Uid,
            Title,
            Description ?? string.Empty,
            Location ?? string.Empty,
            StartsAt.UtcTicks.ToString(CultureInfo.InvariantCulture),
            EndsAt.UtcTicks.ToString(CultureInfo.InvariantCulture),
            AllDay ? "all-day" : "timed",
            TimeZone);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }
}

/// <summary>The stable names of an appointment's copy in one binding's calendar: derived from the ids, never changed.</summary>
public static class EventNames
{
    public static string Uid(Guid appointmentId, Guid bindingId) => $"paliad-{appointmentId:N}-{bindingId:N}";

    public static string Href(string calendarPath, string uid) => Hrefs.Combine(calendarPath, uid + ".ics");
}
