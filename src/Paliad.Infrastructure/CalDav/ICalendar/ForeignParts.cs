using Ical.Net;
using Ical.Net.CalendarComponents;
using Ical.Net.Serialization;

namespace Paliad.Infrastructure.CalDav.ICalendar;

/// <summary>
/// What other clients add to a Paliad event (DESIGN §9): everything but Paliad's own fields — VALARMs and other
/// components inside the event, CATEGORIES, COLOR, CLASS, TRANSP, ATTACH, URL, ATTENDEE/ORGANIZER, X- properties
/// with their parameters, and unknown components and properties of the calendar object. Kept as iCalendar text on
/// the copy and merged into every push, so a phone's reminder survives a room change made in Paliad.
/// </summary>
public static class ForeignParts
{
    /// <summary>The event properties Paliad owns: it writes them, and a merge never takes them from the other side.</summary>
    private static readonly HashSet<string> PaliadEventProperties = new(StringComparer.OrdinalIgnoreCase)
    {
        "UID", "SUMMARY", "DESCRIPTION", "LOCATION", "DTSTART", "DTEND", "DURATION", "SEQUENCE", "DTSTAMP", "LAST-MODIFIED", "CREATED",
        "RRULE", "RDATE", "EXDATE", "EXRULE", "RECURRENCE-ID",
    };

    /// <summary>The calendar object's properties the serializer writes itself.</summary>
    private static readonly HashSet<string> EnvelopeProperties = new(StringComparer.OrdinalIgnoreCase) { "PRODID", "VERSION", "CALSCALE", "METHOD" };

    /// <summary>The parts of a parsed server copy that are not Paliad's, as iCalendar text; null when there are none.
    /// Overrides of occurrences (VEVENTs with RECURRENCE-ID) and VTIMEZONEs are Paliad's to write and are left out.</summary>
    internal static string? Of(Calendar calendar, CalendarEvent master)
    {
        var eventProperties = master.Properties.Where(p => !PaliadEventProperties.Contains(p.Name)).ToList();
        var eventComponents = master.Children.OfType<ICalendarComponent>().ToList();
        var calendarProperties = calendar.Properties.Where(p => !EnvelopeProperties.Contains(p.Name)).ToList();
        var calendarComponents = calendar.Children.OfType<ICalendarComponent>().Where(c => c is not CalendarEvent and not VTimeZone).ToList();
        if (eventProperties.Count + eventComponents.Count + calendarProperties.Count + calendarComponents.Count == 0)
        {
            return null;
        }

        var foreign = new Calendar();
        var holder = new CalendarEvent();
        holder.Properties.Clear();
        foreign.Events.Add(holder);
        MoveInto(foreign, holder, eventProperties, eventComponents, calendarProperties, calendarComponents);
        return new CalendarSerializer().SerializeToString(foreign);
    }

    /// <summary>Adds the kept parts to an event Paliad is about to write, already in <paramref name="calendar"/> (its own
    /// fields stay as rendered).</summary>
    internal static void MergeInto(Calendar calendar, CalendarEvent evt, string foreignParts)
    {
        if (ICalendarShape.Problem(foreignParts) is not null)
        {
            return; // kept before shapes were checked: dropped rather than parsed
        }

        var parsed = Calendar.Load(foreignParts);
        var holder = parsed?.Events.FirstOrDefault();
        if (parsed is null)
        {
            return;
        }

        MoveInto(
            calendar,
            evt,
            holder?.Properties.Where(p => !PaliadEventProperties.Contains(p.Name)).ToList() ?? [],
            holder?.Children.OfType<ICalendarComponent>().ToList() ?? [],
            parsed.Properties.Where(p => !EnvelopeProperties.Contains(p.Name)).ToList(),
            parsed.Children.OfType<ICalendarComponent>().Where(c => c is not CalendarEvent and not VTimeZone).ToList());
    }

    private static void MoveInto(
        Calendar calendar,
        CalendarEvent evt,
        List<ICalendarProperty> eventProperties,
        List<ICalendarComponent> eventComponents,
        List<ICalendarProperty> calendarProperties,
        List<ICalendarComponent> calendarComponents)
    {
        foreach (var property in eventProperties)
        {
            evt.Properties.Add(property);
        }

        foreach (var component in eventComponents)
        {
            evt.Children.Add(component);
        }

        foreach (var property in calendarProperties)
        {
            calendar.Properties.Add(property);
        }

        foreach (var component in calendarComponents)
        {
            calendar.Children.Add(component);
        }
    }
}
