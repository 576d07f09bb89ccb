using Paliad.Application.CalDav.Calendars;
using Paliad.Application.Common;

namespace Paliad.Infrastructure.CalDav;

internal sealed class CalDavCalendarDirectory(CalDavClientFactory clients) : ICalDavCalendarDirectory
{
    public async Task<IReadOnlyList<CalDavCalendarDto>> ListAsync(string serverUrl, string username, string? password, CancellationToken cancellationToken)
    {
        try
        {
            var calendars = await clients.Create(serverUrl, username, password).DiscoverCalendarsAsync(cancellationToken);
            return calendars.Select(c => new CalDavCalendarDto(c.Href, c.DisplayName, c.Color, c.SupportsEvents)).ToList();
        }
        catch (CalDavAddressNotAllowedException e)
        {
            throw new ExternalServiceException(e.Message, "serverUrl");
        }
        catch (CalDavException e)
        {
            throw new ExternalServiceException($"The CalDAV server could not list calendars: {e.Message}", e);
        }
    }
}
