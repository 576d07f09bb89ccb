using Paliad.Domain.CalDav;
using Paliad.Domain.Common;

namespace Paliad.Application.CalDav.Activity;

/// <summary>One line of GET /api/caldav-activity.</summary>
public sealed record ActivityEntryDto(
    Guid Id, DateTimeOffset At, string Kind, Guid? AppointmentId, string AppointmentTitle, Guid? BindingId, string CalendarPath, string Detail)
{
    public static ActivityEntryDto From(ActivityEntry e)
        => new(e.Id, e.At, Words.Of(e.Kind), e.AppointmentId, e.AppointmentTitle, e.BindingId, e.CalendarPath, e.Detail);
}
