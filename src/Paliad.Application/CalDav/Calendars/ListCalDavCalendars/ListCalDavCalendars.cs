using Mediator;
using Microsoft.EntityFrameworkCore;
using Paliad.Application.Common;

namespace Paliad.Application.CalDav.Calendars.ListCalDavCalendars;

/// <summary>GET /api/caldav-calendars: the calendars on the caller's configured server, to pick bindings from.</summary>
public sealed record ListCalDavCalendars(Guid UserId) : IQuery<IReadOnlyList<CalDavCalendarDto>>;

public sealed class ListCalDavCalendarsHandler(IPaliadDbContext db, ICalDavCalendarDirectory directory)
    : IQueryHandler<ListCalDavCalendars, IReadOnlyList<CalDavCalendarDto>>
{
    public async ValueTask<IReadOnlyList<CalDavCalendarDto>> Handle(ListCalDavCalendars query, CancellationToken cancellationToken)
    {
        var config = await db.CalDavConfigs.AsNoTracking().SingleOrDefaultAsync(c => c.UserId == query.UserId, cancellationToken)
            ?? throw new NotFoundException("The CalDAV account is not configured.");
        return await directory.ListAsync(config, cancellationToken);
    }
}
