using Microsoft.Extensions.Options;
using Paliad.Application.CalDav.Calendars;
using Paliad.Application.Common;

namespace Paliad.Infrastructure.CalDav;

/// <summary>GET /api/caldav-calendars: discovery on the user's server, under CalDav:DiscoveryTimeoutSeconds.</summary>
internal sealed class CalDavCalendarDirectory(CalDavClientFactory clients, IOptions<CalDavOptions> options) : ICalDavCalendarDirectory
{
    public async Task<IReadOnlyList<CalDavCalendarDto>> ListAsync(string serverUrl, string username, string? password, CancellationToken cancellationToken)
    {
        var deadline = TimeSpan.FromSeconds(Math.Max(1, options.Value.DiscoveryTimeoutSeconds));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(deadline);
        try
        {
            var calendars = await clients.Create(serverUrl, username, password).DiscoverCalendarsAsync(timeout.Token);
            return calendars.Select(c => new CalDavCalendarDto(c.Href, c.DisplayName, c.Color, c.SupportsEvents)).ToList();
        }
        catch (CalDavAddressNotAllowedException e)
        {
            throw new ExternalServiceException(e.Message, "serverUrl");
        }
        catch (CalDavException e)
        {
            throw new ExternalServiceException($"The CalDAV server could not list calendars: {e.Message}", ReasonOf(e), e);
        }
        catch (OperationCanceledException e) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new ExternalServiceException($"The CalDAV server did not list its calendars within {deadline.TotalSeconds:0} s.", ExternalFailure.Timeout, e);
        }
    }

    private static ExternalFailure ReasonOf(CalDavException e) => e switch
    {
        CalDavUnauthorizedException or CalDavForbiddenException => ExternalFailure.Unauthorized,
        CalDavServerErrorException { Status: null, InnerException: TimeoutException or OperationCanceledException } => ExternalFailure.Timeout,
        CalDavServerErrorException { Status: null } => ExternalFailure.Unreachable,
        CalDavNotFoundException or CalDavInvalidResponseException or CalDavConflictException or CalDavOriginRefusedException => ExternalFailure.NotACalendarServer,
        _ => ExternalFailure.ServerError,
    };
}
