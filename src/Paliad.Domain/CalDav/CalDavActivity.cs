using System.Globalization;
using Paliad.Domain.Appointments;
using Paliad.Domain.Common;

namespace Paliad.Domain.CalDav;

/// <summary>What sync did to an appointment that its user should know, as the activity feed lists it.</summary>
public enum ActivityKind
{
    /// <summary>A calendar's edit reached the appointment.</summary>
    RemoteEditApplied,

    /// <summary>A calendar's edit lost: Paliad's version was written back over it.</summary>
    RemoteEditOverwritten,

    /// <summary>A calendar deleted the event; it was put back.</summary>
    RemoteDeletionReverted,

    /// <summary>A calendar made the event a series (or changed one occurrence); the single event was put back.</summary>
    RemoteSeriesReverted,

    /// <summary>Too many of a calendar's edits at once: held until the user decides (a line about the binding).</summary>
    RemoteEditsHeld,

    /// <summary>The user applied the held edits.</summary>
    HeldEditsApplied,

    /// <summary>The user reverted the held edits: Paliad's version was written back.</summary>
    HeldEditsReverted,
}

/// <summary>Why a calendar's edit was overwritten.</summary>
public enum RemoteEditLoss
{
    /// <summary>The appointment was changed in Paliad too, and Paliad is the system of record.</summary>
    ChangedInPaliad,

    /// <summary>The binding's user may only view the appointment.</summary>
    ViewOnly,

    /// <summary>The calendar's copy could not be read as an event.</summary>
    Unreadable,
}

/// <summary>Which appointment, in which of whose calendars: what every activity event names.</summary>
public sealed record ActivitySubject(
    Guid UserId, Guid BindingId, string CalendarPath, Guid AppointmentId, string AppointmentTitle, DateTimeOffset AppointmentStartsAt, bool AllDay, string TimeZone)
{
    public static ActivitySubject Of(CalendarBinding binding, Appointment appointment)
    {
        ArgumentNullException.ThrowIfNull(binding);
        ArgumentNullException.ThrowIfNull(appointment);
        return new ActivitySubject(binding.UserId, binding.Id, binding.CalendarPath, appointment.Id, appointment.Title, appointment.StartsAt, appointment.AllDay,
            appointment.TimeZone);
    }
}

/// <summary>A calendar's edit reached the appointment; <see cref="ChangedFields"/> names what it changed.</summary>
public sealed record RemoteEditApplied(Guid EventId, ActivitySubject Subject, DateTimeOffset At, IReadOnlyList<string> ChangedFields) : IDomainEvent
{
    Guid IDomainEvent.Lane => Subject.UserId;
}

/// <summary>A calendar's edit was overwritten: what it said (<see cref="RemoteTitle"/>), why it lost, and when the
/// appointment was last changed in Paliad.</summary>
public sealed record RemoteEditOverwritten(
    Guid EventId, ActivitySubject Subject, DateTimeOffset At, string? RemoteTitle, RemoteEditLoss Loss, DateTimeOffset ChangedInPaliadAt) : IDomainEvent
{
    Guid IDomainEvent.Lane => Subject.UserId;
}

/// <summary>A calendar deleted the event and it was put back.</summary>
public sealed record RemoteDeletionReverted(Guid EventId, ActivitySubject Subject, DateTimeOffset At) : IDomainEvent
{
    Guid IDomainEvent.Lane => Subject.UserId;
}

/// <summary>A calendar made the event a series, or edited or cancelled one occurrence; the single event was put back.</summary>
public sealed record RemoteSeriesReverted(Guid EventId, ActivitySubject Subject, DateTimeOffset At, string? RemoteTitle) : IDomainEvent
{
    Guid IDomainEvent.Lane => Subject.UserId;
}

/// <summary>
/// One line of a user's activity feed (caldav_activity): what sync did to one of their appointments that they should
/// know, in plain words. Written from the AppointmentTarget events; its id is the event's, so an event delivered
/// twice is one line. Kept <c>Activity:RetentionDays</c>.
/// </summary>
public sealed class ActivityEntry
{
    public const int DetailMaxLength = 2000;
    public const int CalendarPathMaxLength = CalendarBinding.CalendarPathMaxLength;

    private ActivityEntry()
    {
        AppointmentTitle = string.Empty;
        CalendarPath = string.Empty;
        Detail = string.Empty;
    }

    public Guid Id { get; private set; }

    public Guid UserId { get; private set; }

    public DateTimeOffset At { get; private set; }

    public ActivityKind Kind { get; private set; }

    /// <summary>The appointment the line is about; null for a line about a whole binding (held edits).</summary>
    public Guid? AppointmentId { get; private set; }

    public string AppointmentTitle { get; private set; }

    public Guid? BindingId { get; private set; }

    public string CalendarPath { get; private set; }

    public string Detail { get; private set; }

    /// <summary>The binding this line names was deleted before the line was written (the line stays, like the sync log's).</summary>
    public void ForgetBinding() => BindingId = null;

    public static ActivityEntry For(RemoteEditApplied e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var changed = e.ChangedFields.Count == 0 ? "its details" : string.Join(", ", e.ChangedFields);
        return New(e.EventId, e.Subject, e.At, ActivityKind.RemoteEditApplied,
            $"Your change in your calendar to {Named(e.Subject)} was applied in Paliad ({changed}).");
    }

    public static ActivityEntry For(RemoteEditOverwritten e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var said = string.IsNullOrWhiteSpace(e.RemoteTitle) || e.RemoteTitle == e.Subject.AppointmentTitle ? string.Empty : $" (it said '{e.RemoteTitle}')";
        var because = e.Loss switch
        {
            RemoteEditLoss.ChangedInPaliad => $"it was changed in Paliad at {Local(e.ChangedInPaliadAt, e.Subject.TimeZone, "HH:mm 'on' d MMM")}",
            RemoteEditLoss.ViewOnly => "you may only view this appointment",
            _ => "your calendar's copy could not be read",
        };
        return New(e.EventId, e.Subject, e.At, ActivityKind.RemoteEditOverwritten,
            $"Your change in your calendar to {Named(e.Subject)}{said} was overwritten because {because}.");
    }

    public static ActivityEntry For(RemoteDeletionReverted e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return New(e.EventId, e.Subject, e.At, ActivityKind.RemoteDeletionReverted,
            $"{Named(e.Subject)} was deleted in your calendar and put back: appointments are removed in Paliad only.");
    }

    public static ActivityEntry For(RemoteSeriesReverted e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return New(e.EventId, e.Subject, e.At, ActivityKind.RemoteSeriesReverted,
            $"{Named(e.Subject)} was made a repeating event (or one occurrence was changed) in your calendar and put back as a single event: "
            + "Paliad's appointments do not repeat.");
    }

    public static ActivityEntry For(RemoteEditsHeld e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return ForBinding(e.EventId, e.UserId, e.BindingId, e.CalendarPath, e.At, ActivityKind.RemoteEditsHeld,
            $"Your calendar {e.CalendarPath} changed {e.Count} appointments at once. Nothing was changed in Paliad: choose whether to apply "
            + "those changes or put Paliad's appointments back.");
    }

    public static ActivityEntry For(HeldEditsDecided e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return e.Decision == HeldDecision.Apply
            ? ForBinding(e.EventId, e.UserId, e.BindingId, e.CalendarPath, e.At, ActivityKind.HeldEditsApplied,
                $"You applied {e.Count} held changes from your calendar {e.CalendarPath} in Paliad.")
            : ForBinding(e.EventId, e.UserId, e.BindingId, e.CalendarPath, e.At, ActivityKind.HeldEditsReverted,
                $"You put Paliad's version back over {e.Count} held changes in your calendar {e.CalendarPath}.");
    }

    private static ActivityEntry ForBinding(Guid id, Guid userId, Guid bindingId, string calendarPath, DateTimeOffset at, ActivityKind kind, string detail) => new()
    {
        Id = id,
        UserId = userId,
        At = Instant.Normalize(at),
        Kind = kind,
        AppointmentId = null,
        AppointmentTitle = string.Empty,
        BindingId = bindingId,
        CalendarPath = TextLimits.Clip(calendarPath, CalendarPathMaxLength)!,
        Detail = TextLimits.Clip(detail, DetailMaxLength)!,
    };

    private static ActivityEntry New(Guid id, ActivitySubject subject, DateTimeOffset at, ActivityKind kind, string detail) => new()
    {
        Id = id,
        UserId = subject.UserId,
        At = Instant.Normalize(at),
        Kind = kind,
        AppointmentId = subject.AppointmentId,
        AppointmentTitle = TextLimits.Clip(subject.AppointmentTitle, Appointment.TitleMaxLength)!,
        BindingId = subject.BindingId,
        CalendarPath = TextLimits.Clip(subject.CalendarPath, CalendarPathMaxLength)!,
        Detail = TextLimits.Clip(detail, DetailMaxLength)!,
    };

    /// <summary>'Oral hearing' (3 Dec 2026), the date as the appointment's own zone has it.</summary>
    private static string Named(ActivitySubject subject) => $"'{subject.AppointmentTitle}' ({Local(subject.AppointmentStartsAt, subject.TimeZone, "d MMM yyyy")})";

    private static string Local(DateTimeOffset instant, string timeZone, string format)
    {
        var zone = TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out var found) ? found : TimeZoneInfo.Utc;
        return TimeZoneInfo.ConvertTime(instant, zone).ToString(format, CultureInfo.InvariantCulture);
    }
}
