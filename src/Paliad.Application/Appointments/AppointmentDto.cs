using Paliad.Application.Common;
using Paliad.Domain.Appointments;

namespace Paliad.Application.Appointments;

public sealed record AppointmentDto(
    Guid Id,
    Guid OwnerId,
    Guid? ProjectId,
    string Title,
    string? Description,
    string? Location,
    DateTimeOffset StartsAt,
    DateTimeOffset EndsAt,
    bool AllDay,
    string TimeZone,
    int Version,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string Etag) : IHasETag
{
    public static AppointmentDto From(Appointment a)
        => new(a.Id, a.OwnerId, a.ProjectId, a.Title, a.Description, a.Location, a.StartsAt, a.EndsAt, a.AllDay, a.TimeZone, a.Version, a.CreatedAt, a.UpdatedAt, ETags.Of(a.Version));
}
