using System.Net;
using System.Net.Http.Headers;

namespace Paliad.Infrastructure.CalDav;

/// <summary>Where and as whom to talk CalDAV. An empty username with a password means a bearer token;
/// <paramref name="Bearer"/> gives an OAuth 2.0 account's (refreshed) tokens. <paramref name="Partition"/> names the
/// account on a server every user shares (Google): its concurrency window, retries and circuit breaker are then the
/// account's own, not one for the whole provider. <paramref name="CreatesCalendars"/> false: the server has no
/// MKCALENDAR (Google), so none is sent.</summary>
public sealed record CalDavAccount(
    Uri ServerUrl, string Username, string? Password, IAccessTokenSource? Bearer = null, string? Partition = null, bool CreatesCalendars = true);

/// <summary>A calendar collection on the server.</summary>
public sealed record RemoteCalendar(
    string Href,
    string? DisplayName,
    string? Color,
    bool SupportsEvents,
    string? Ctag,
    string? SyncToken,
    bool SupportsSyncCollection);

/// <summary>A calendar object resource: its href, ETag and iCalendar text.</summary>
public sealed record RemoteResource(string Href, string? Etag, string ICalendar);

/// <summary>What the server says about a collection's change markers.</summary>
public sealed record CollectionState(string? Ctag, string? SyncToken, bool SupportsSyncCollection);

/// <summary>Which change markers of a collection to ask for.</summary>
[Flags]
public enum ChangeMarkers
{
    Ctag = 1,
    SyncToken = 2,
    Both = Ctag | SyncToken,
}

/// <summary>The answer of calendar-multiget: every requested href is either found or (explicitly) deleted.</summary>
public sealed record MultigetResult(IReadOnlyDictionary<string, RemoteResource> Found, IReadOnlySet<string> Deleted);

/// <summary>A change of sync-collection: the resource changed (with its new ETag) or was deleted.</summary>
public sealed record SyncChange(string Href, string? Etag, bool Deleted);

/// <summary>The answer of sync-collection. <see cref="WasReset"/>: the old token was refused, so this is a full listing.</summary>
public sealed record SyncCollectionResult(string? SyncToken, IReadOnlyList<SyncChange> Changes, bool WasReset);

/// <summary>
/// A CalDAV client for one account (RFC 4791, RFC 6578), behaving like the careful clients: conditional writes,
/// ETags taken from the answer or fetched, never guessed; multiget chunked and every href accounted for;
/// sync-collection with the 507 loop and the invalid-token fallback, never with &lt;limit&gt;. Every failure is a
/// <see cref="CalDavException"/>.
/// </summary>
public sealed partial class CalDavClient(HttpClient http, CalDavAccount account, CalDavOptions options)
{
    private const int MaxRedirects = 5;
    private static readonly MediaTypeHeaderValue XmlContentType = MediaTypeHeaderValue.Parse("application/xml; charset=utf-8");
    private static readonly MediaTypeHeaderValue CalendarContentType = MediaTypeHeaderValue.Parse("text/calendar; charset=utf-8");

    private readonly Uri _server = Hrefs.AsCollection(account.ServerUrl.ToString()) is var s ? new Uri(s) : account.ServerUrl;

    public CalDavAccount Account => account;

    private int _requestCount;

    /// <summary>Number of HTTP requests this client sent (redirects and fetch-alone fallbacks included).</summary>
    public int RequestCount => Volatile.Read(ref _requestCount);
}

/// <summary>The server refused the sync-token (DAV:valid-sync-token): start over with a full listing.</summary>
public sealed class CalDavInvalidSyncTokenException(HttpStatusCode status) : CalDavException("The server refused the sync-token.", status)
{
    public override bool IsTransient => false;
}
