using System.Net;
using System.Xml.Linq;
using static Paliad.Infrastructure.CalDav.DavXml;

namespace Paliad.Infrastructure.CalDav;

/// <summary>Discovery: well-known → principal → calendar home → calendars; collection state; MKCALENDAR.</summary>
public sealed partial class CalDavClient
{
    // ---- discovery ----------------------------------------------------------------------------------------------

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
        foreach (var start in new[] { "/.well-known/caldav", _server.AbsolutePath })
        {
            try
            {
                var answer = await PropFindAsync(start, 0, [Dav + "current-user-principal"], cancellationToken);
                var href = answer.Responses.Select(r => r.Properties.GetValueOrDefault(Dav + "current-user-principal")?.Element(Dav + "href")?.Value.Trim())
                    .FirstOrDefault(h => !string.IsNullOrEmpty(h));
                if (href is not null)
                {
                    return Key(href);
                }
            }
            catch (CalDavException e) when (e is CalDavNotFoundException or CalDavForbiddenException or CalDavInvalidResponseException)
            {
                // Not every server serves .well-known; try the configured URL itself.
            }
        }

        throw new CalDavInvalidResponseException("The server names no current-user-principal.");
    }

    public async Task<string> FindCalendarHomeAsync(string principal, CancellationToken cancellationToken = default)
    {
        var answer = await PropFindAsync(principal, 0, [Cal + "calendar-home-set"], cancellationToken);
        var home = answer.Responses.Select(r => r.Properties.GetValueOrDefault(Cal + "calendar-home-set")?.Element(Dav + "href")?.Value.Trim())
            .FirstOrDefault(h => !string.IsNullOrEmpty(h));
        return Hrefs.AsCollection(Key(home ?? principal));
    }

    public async Task<IReadOnlyList<RemoteCalendar>> ListCalendarsAsync(string home, CancellationToken cancellationToken = default)
    {
        var answer = await PropFindAsync(home, 1, CalendarProperties, cancellationToken);
        return answer.Responses
            .Where(r => r.Properties.GetValueOrDefault(Dav + "resourcetype")?.Element(Cal + "calendar") is not null)
            .Select(ToCalendar)
            .Where(c => Hrefs.IsLocal(c.Href)) // a calendar on another origin cannot be synced with this account
            .OrderBy(c => c.Href, StringComparer.Ordinal)
            .ToList();
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
        var answer = await PropFindAsync(collection, 0, properties, cancellationToken);
        var self = answer.Responses.Count > 0 ? answer.Responses[0] : throw new CalDavInvalidResponseException("PROPFIND answered no response for the collection.");
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
