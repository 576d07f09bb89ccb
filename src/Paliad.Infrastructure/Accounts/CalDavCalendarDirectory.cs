using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Paliad.Application.CalDav;
using Paliad.Domain.CalDav;
using Paliad.Application.CalDav.Calendars;
using Paliad.Application.Common;
using Paliad.Infrastructure.CalDav;

namespace Paliad.Infrastructure.Accounts;

/// <summary>GET /api/caldav-calendars: discovery on the user's server, under CalDav:DiscoveryTimeoutSeconds.</summary>
internal sealed class CalDavCalendarDirectory(
    AccountClients clients, IPaliadDbContext db, ICalDavPasswordProtector protector, IOptions<CalDavOptions> options) : ICalDavCalendarDirectory
{
    public async Task<IReadOnlyList<CalDavCalendarDto>> ListAsync(CalDavConfig account, CancellationToken cancellationToken)
    {
        var deadline = TimeSpan.FromSeconds(Math.Max(1, options.Value.DiscoveryTimeoutSeconds));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(deadline);
        try
        {
            var client = await clients.ForAsync(db, protector, account, timeout.Token);
            var calendars = await client.DiscoverCalendarsAsync(timeout.Token);
            return calendars.Select(c => new CalDavCalendarDto(c.Href, c.DisplayName, c.Color, c.SupportsEvents)).ToList();
        }
        catch (CryptographicException e) when (e is not KeyRingBehindException)
        {
            // The key ring that protected it is gone (or its certificate is): only the user can give it again.
            throw new ExternalServiceException("The stored password cannot be decrypted any more; enter it again.", "password");
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
