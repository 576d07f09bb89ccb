using Mediator;
using Microsoft.EntityFrameworkCore;
using Paliad.Application.Common;

namespace Paliad.Application.Appointments.ListAppointments;

/// <summary>The appointments the caller sees that overlap [from, to), ordered by start; a page of at most
/// <c>limit</c>, continuing <c>after</c> a cursor. Either bound may be open.</summary>
public sealed record ListAppointments(Guid UserId, DateTimeOffset? From, DateTimeOffset? To, int? Limit = null, string? After = null)
    : IQuery<Page<AppointmentDto>>;

public sealed class ListAppointmentsHandler(IPaliadDbContext db) : IQueryHandler<ListAppointments, Page<AppointmentDto>>
{
    public async ValueTask<Page<AppointmentDto>> Handle(ListAppointments query, CancellationToken cancellationToken)
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

        if (PageCursor.TryDecodeInstant(query.After, out var startsAt, out var id))
        {
            appointments = appointments.Where(a => a.StartsAt > startsAt || (a.StartsAt == startsAt && a.Id.CompareTo(id) > 0));
        }

        var limit = Paging.Take(query.Limit);
        var rows = await appointments.OrderBy(a => a.StartsAt).ThenBy(a => a.Id).Take(limit + 1).ToListAsync(cancellationToken);
        return Paging.Cut(rows, limit, a => PageCursor.At(a.StartsAt, a.Id)).Map(AppointmentDto.From);
    }
}
