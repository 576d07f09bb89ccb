namespace Paliad.Application.CalDav.Calendars;

/// <summary>Discovers calendars on a CalDAV server (well-known → principal → calendar home → calendars).</summary>
public interface ICalDavCalendarDirectory
{
    Task<IReadOnlyList<CalDavCalendarDto>> ListAsync(string serverUrl, string username, string? password, CancellationToken cancellationToken);
}
