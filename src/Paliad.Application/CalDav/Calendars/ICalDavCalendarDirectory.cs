namespace Paliad.Application.CalDav.Calendars;

/// <summary>Discovers calendars on a CalDAV server (well-known → principal → calendar home → calendars).</summary>
public interface ICalDavCalendarDirectory
{
    /// <summary>The calendars of the person's account (signed in with its password or its OAuth 2.0 grant).</summary>
    Task<IReadOnlyList<CalDavCalendarDto>> ListAsync(Paliad.Domain.CalDav.CalDavConfig account, CancellationToken cancellationToken);
}
