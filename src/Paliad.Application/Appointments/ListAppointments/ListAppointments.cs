using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using Paliad.Application.Common;

namespace Paliad.Application.Appointments.ListAppointments;

/// <summary>The appointments the caller sees that overlap [from, to), ordered by start. Either bound may be open.</summary>
public sealed record ListAppointments(Guid UserId, DateTimeOffset? From, DateTimeOffset? To) : IQuery<IReadOnlyList<AppointmentDto>>;

public sealed class ListAppointmentsHandler(IPaliadDbContext db) : IQueryHandler<ListAppointments, IReadOnlyList<AppointmentDto>>
{
    public async ValueTask<IReadOnlyList<AppointmentDto>> Handle(ListAppointments query, CancellationToken cancellationToken)
    {
        var appointments = db.VisibleAppointments(query.UserId).AsNoTracking();
        if (query.From is { } from)
        {
            var fromUtc = from.ToUniversalTime();
            appointments = appointments.Where(a => a.EndsAt > fromUtc || (a.EndsAt == a.StartsAt && a.StartsAt >= fromUtc));
        }

        if (query.To is { } to)
        {
            var toUtc = to.ToUniversalTime();
            appointments = appointments.Where(a => a.StartsAt < toUtc);
        }

        var rows = await appointments.OrderBy(a => a.StartsAt).ThenBy(a => a.Id).ToListAsync(cancellationToken);
        return rows.ConvertAll(AppointmentDto.From);
    }
}
