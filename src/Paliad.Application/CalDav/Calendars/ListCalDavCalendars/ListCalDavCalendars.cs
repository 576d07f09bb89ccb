using Mediator;
using Microsoft.EntityFrameworkCore;
using Paliad.Application.Common;

namespace Paliad.Application.CalDav.Calendars.ListCalDavCalendars;

/// <summary>GET /api/caldav-calendars: the calendars on the caller's configured server, to pick bindings from.</summary>
public sealed record ListCalDavCalendars(Guid UserId) : IQuery<IReadOnlyList<CalDavCalendarDto>>;

public sealed class ListCalDavCalendarsHandler(IPaliadDbContext db, ICalDavPasswordProtector protector, ICalDavCalendarDirectory directory)
    : IQueryHandler<ListCalDavCalendars, IReadOnlyList<CalDavCalendarDto>>
{
    public async ValueTask<IReadOnlyList<CalDavCalendarDto>> Handle(ListCalDavCalendars query, CancellationToken cancellationToken)
    {
        var config = await db.CalDavConfigs.AsNoTracking().SingleOrDefaultAsync(c => c.UserId == query.UserId, cancellationToken)
            ?? throw new NotFoundException("The CalDAV account is not configured.");
        string? password;
        try
        {
            password = await protector.ReadPasswordAsync(db, config, cancellationToken);
        }
        catch (System.Security.Cryptography.CryptographicException e) when (e is not KeyRingBehindException)
        {
            // The key ring that protected it is gone (or its certificate is): only the user can give it again.
            throw new ExternalServiceException("The stored password cannot be decrypted any more; enter it again.", "password");
        }

        return await directory.ListAsync(config.ServerUrl, config.Username, password, cancellationToken);
    }
}
