using System.Net;
using System.Xml.Linq;
using Paliad.Domain.CalDav;
using static Paliad.Infrastructure.CalDav.DavXml;

namespace Paliad.Infrastructure.CalDav;

/// <summary>Discovery: well-known → principal → calendar home → calendars; collection state; MKCALENDAR.</summary>
public sealed partial class CalDavClient
{
    // ---- discovery ----------------------------------------------------------------------------------------------

    /// <summary>Most calendars one account may list: people have a handful; a listing of thousands is not a calendar
    /// server's answer, and every one kept costs memory while the page waits.</summary>
    public const int MaxCalendarsPerAccount = 1000;

    /// <summary>/.well-known/caldav → current-user-principal → calendar-home-set → the calendars in it.</summary>
    public async Task<IReadOnlyList<RemoteCalendar>> DiscoverCalendarsAsync(CancellationToken cancellationToken = default)
    {
        using var operation = BeginOperation("discovery");
        var principal = await FindPrincipalAsync(cancellationToken);
        var home = await FindCalendarHomeAsync(principal, cancellationToken);
        return await ListCalendarsAsync(home, cancellationToken);
    }

    public async Task<string> FindPrincipalAsync(CancellationToken cancellationToken = default)
    {
        CalDavInvalidResponseException? malformed = null;
        foreach (var start in new[] { "/.well-known/caldav", _server.AbsolutePath })
        {
            try
            {
                string? href = null;
                await PropFindAsync(start, 0, [Dav + "current-user-principal"],
                    response => href ??= response.Property(Dav + "current-user-principal")?.Href is { Length: > 0 } found ? found : null, cancellationToken);
                if (href is not null)
                {
                    return Key(href);
                }
            }
            catch (CalDavException e) when (e is CalDavNotFoundException or CalDavForbiddenException or CalDavInvalidResponseException)
            {
                // Not every server serves .well-known; try the configured URL itself.
                malformed = e as CalDavInvalidResponseException ?? malformed;
            }
        }

        // What was wrong with an answer says more than "no principal" (a malformed or hostile answer, say).
        throw malformed ?? new CalDavInvalidResponseException("The server names no current-user-principal.");
    }

    public async Task<string> FindCalendarHomeAsync(string principal, CancellationToken cancellationToken = default)
    {
        string? home = null;
        await PropFindAsync(principal, 0, [Cal + "calendar-home-set"],
            response => home ??= response.Property(Cal + "calendar-home-set")?.Href is { Length: > 0 } found ? found : null, cancellationToken);
        return Hrefs.AsCollection(Key(home ?? principal));
    }

    public async Task<IReadOnlyList<RemoteCalendar>> ListCalendarsAsync(string home, CancellationToken cancellationToken = default)
    {
        var calendars = new List<RemoteCalendar>();
        await PropFindAsync(home, 1, CalendarProperties, response =>
        {
            if (response.Property(Dav + "resourcetype")?.Contains(Cal + "calendar") != true)
            {
                return;
            }

            var calendar = ToCalendar(response);
            if (!Hrefs.IsLocal(calendar.Href))
            {
                return; // a calendar on another origin cannot be synced with this account
            }

            if (calendars.Count == MaxCalendarsPerAccount)
            {
                throw new CalDavInvalidResponseException($"The server lists more than {MaxCalendarsPerAccount} calendars.");
            }

            calendars.Add(calendar);
        }, cancellationToken);
        return calendars.OrderBy(c => c.Href, StringComparer.Ordinal).ToList();
    }

    /// <summary>ctag and sync-token of a collection: when neither moved, nothing changed on the server.
    /// <paramref name="markers"/>: ask only for the one the caller keeps — servers compute each over the whole
    /// collection (Radicale hashes every item for either), so a no-change check should not pay for both.</summary>
    public async Task<CollectionState> GetCollectionStateAsync(
        string collection, ChangeMarkers markers = ChangeMarkers.Both, CancellationToken cancellationToken = default)
    {
        XName[] properties =
        [
            Dav + "resourcetype", Dav + "supported-report-set",
            .. markers.HasFlag(ChangeMarkers.Ctag) ? [CalendarServer + "getctag"] : Array.Empty<XName>(),
            .. markers.HasFlag(ChangeMarkers.SyncToken) ? [Dav + "sync-token"] : Array.Empty<XName>(),
        ];
        var self = await PropFindSelfAsync(collection, properties, cancellationToken)
            ?? throw new CalDavInvalidResponseException("PROPFIND answered no response for the collection.");
        if (self.IsNotFound)
        {
            // Xandikos answers 207 with a 404 inside for a collection that does not exist.
            throw new CalDavNotFoundException($"{collection} does not exist.");
        }

        var calendar = ToCalendar(self);
        return new CollectionState(calendar.Ctag, calendar.SyncToken, calendar.SupportsSyncCollection);
    }

    /// <summary>MKCALENDAR for VEVENTs. An existing collection is a Conflict.</summary>
    public async Task MakeCalendarAsync(string collection, string displayName, CancellationToken cancellationToken = default)
    {
        if (!account.CreatesCalendars)
        {
            throw new CalDavNotFoundException(
                $"{collection} does not exist, and {ServerOrigin.Describe(_server)} creates no calendars (no MKCALENDAR): create it there, then bind it.");
        }

        var body = new XElement(Cal + "mkcalendar", new XAttribute(XNamespace.Xmlns + "d", Dav), new XAttribute(XNamespace.Xmlns + "c", Cal),
            new XElement(Dav + "set", new XElement(Dav + "prop",
                new XElement(Dav + "displayname", displayName),
                new XElement(Cal + "supported-calendar-component-set", new XElement(Cal + "comp", new XAttribute("name", "VEVENT"))))));
        using var response = await SendAsync(new HttpMethod("MKCALENDAR"), Hrefs.AsCollection(collection), Xml(body), null, cancellationToken);
        if (response.StatusCode is HttpStatusCode.MethodNotAllowed or HttpStatusCode.MultiStatus)
        {
            // 405 (Radicale) or a 207 listing the failed properties (Xandikos): the collection is already there.
            throw new CalDavConflictException($"{collection} already exists.", response.StatusCode);
        }

        EnsureStatus(response, collection, HttpStatusCode.Created, HttpStatusCode.OK, HttpStatusCode.NoContent);
    }
}
