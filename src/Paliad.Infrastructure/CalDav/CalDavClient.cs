using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Xml.Linq;
using Polly.CircuitBreaker;
using Polly.Timeout;
using static Paliad.Infrastructure.CalDav.DavXml;

namespace Paliad.Infrastructure.CalDav;

/// <summary>Where and as whom to talk CalDAV. An empty username with a password means a bearer token.</summary>
public sealed record CalDavAccount(Uri ServerUrl, string Username, string? Password);

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
public sealed class CalDavClient(HttpClient http, CalDavAccount account, CalDavOptions options)
{
    private const int MaxRedirects = 5;
    private static readonly MediaTypeHeaderValue XmlContentType = MediaTypeHeaderValue.Parse("application/xml; charset=utf-8");
    private static readonly MediaTypeHeaderValue CalendarContentType = MediaTypeHeaderValue.Parse("text/calendar; charset=utf-8");

    private readonly Uri _server = Hrefs.AsCollection(account.ServerUrl.ToString()) is var s ? new Uri(s) : account.ServerUrl;

    public CalDavAccount Account => account;

    /// <summary>Number of HTTP requests this client sent (redirects and fetch-alone fallbacks included).</summary>
    public int RequestCount { get; private set; }

    // ---- discovery ----------------------------------------------------------------------------------------------

    /// <summary>/.well-known/caldav → current-user-principal → calendar-home-set → the calendars in it.</summary>
    public async Task<IReadOnlyList<RemoteCalendar>> DiscoverCalendarsAsync(CancellationToken cancellationToken = default)
    {
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
                    return Hrefs.Key(href);
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
        return Hrefs.AsCollection(Hrefs.Key(home ?? principal));
    }

    public async Task<IReadOnlyList<RemoteCalendar>> ListCalendarsAsync(string home, CancellationToken cancellationToken = default)
    {
        var answer = await PropFindAsync(home, 1, CalendarProperties, cancellationToken);
        return answer.Responses
            .Where(r => r.Properties.GetValueOrDefault(Dav + "resourcetype")?.Element(Cal + "calendar") is not null)
            .Select(ToCalendar)
            .OrderBy(c => c.Href, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>ctag and sync-token of a collection: when neither moved, nothing changed on the server.</summary>
    public async Task<CollectionState> GetCollectionStateAsync(string collection, CancellationToken cancellationToken = default)
    {
        var answer = await PropFindAsync(collection, 0, CalendarProperties, cancellationToken);
        var self = answer.Responses.Count > 0 ? answer.Responses[0] : throw new CalDavInvalidResponseException("PROPFIND answered no response for the collection.");
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

    // ---- resources ----------------------------------------------------------------------------------------------

    /// <summary>PUT a new resource with If-None-Match: * (a Conflict when it exists). Returns its ETag.</summary>
    public Task<string?> CreateAsync(string href, string iCalendar, CancellationToken cancellationToken = default)
        => PutAsync(href, iCalendar, request => request.Headers.IfNoneMatch.Add(EntityTagHeaderValue.Any), cancellationToken);

    /// <summary>PUT over the resource with If-Match: etag (a Conflict when it changed meanwhile). Returns the new ETag.</summary>
    public Task<string?> UpdateAsync(string href, string iCalendar, string etag, CancellationToken cancellationToken = default)
        => PutAsync(href, iCalendar, request => request.Headers.TryAddWithoutValidation("If-Match", etag), cancellationToken);

    /// <summary>DELETE with If-Match when an ETag is known. False when the resource was already gone (404/410).</summary>
    public async Task<bool> DeleteAsync(string href, string? etag, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(HttpMethod.Delete, href, null, request =>
        {
            if (!string.IsNullOrEmpty(etag))
            {
                request.Headers.TryAddWithoutValidation("If-Match", etag);
            }
        }, cancellationToken);
        if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Gone)
        {
            return false;
        }

        EnsureStatus(response, href, HttpStatusCode.OK, HttpStatusCode.NoContent, HttpStatusCode.Accepted);
        return true;
    }

    /// <summary>GET one resource; null when it does not exist.</summary>
    public async Task<RemoteResource?> GetAsync(string href, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(HttpMethod.Get, href, null, null, cancellationToken);
        if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Gone)
        {
            return null;
        }

        EnsureStatus(response, href, HttpStatusCode.OK);
        var body = await ReadBodyAsync(response, cancellationToken);
        return new RemoteResource(Hrefs.Key(href), response.Headers.ETag?.ToString(), Encoding.UTF8.GetString(body));
    }

    /// <summary>The ETag of one resource (PROPFIND getetag); null when it does not exist.</summary>
    public async Task<string?> GetEtagAsync(string href, CancellationToken cancellationToken = default)
    {
        try
        {
            var answer = await PropFindAsync(href, 0, [Dav + "getetag"], cancellationToken);
            return answer.Responses.Select(r => r.Text(Dav + "getetag")).FirstOrDefault(e => !string.IsNullOrEmpty(e));
        }
        catch (CalDavNotFoundException)
        {
            return null;
        }
    }

    // ---- change detection ---------------------------------------------------------------------------------------

    /// <summary>REPORT calendar-multiget (RFC 4791 §7.9) in chunks of CalDav:MultigetMaxHrefs. Every requested href
    /// ends up found or deleted: an href the answer leaves out is fetched alone, and only an explicit 404 counts as
    /// deleted.</summary>
    public async Task<MultigetResult> MultigetAsync(string collection, IReadOnlyCollection<string> hrefs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(hrefs);
        var found = new Dictionary<string, RemoteResource>(StringComparer.Ordinal);
        var deleted = new HashSet<string>(StringComparer.Ordinal);
        var wanted = hrefs.Select(Hrefs.Key).Distinct(StringComparer.Ordinal).ToList();
        foreach (var chunk in wanted.Chunk(Math.Max(1, options.MultigetMaxHrefs)))
        {
            var body = new XElement(Cal + "calendar-multiget", new XAttribute(XNamespace.Xmlns + "d", Dav), new XAttribute(XNamespace.Xmlns + "c", Cal),
                new XElement(Dav + "prop", new XElement(Dav + "getetag"), new XElement(Cal + "calendar-data")),
                chunk.Select(h => new XElement(Dav + "href", EscapePath(h))));
            var answer = await ReportAsync(collection, body, 1, cancellationToken);
            foreach (var response in answer.Responses)
            {
                var key = Hrefs.Key(response.Href);
                if (response.IsNotFound)
                {
                    deleted.Add(key);
                }
                else if (response.Text(Cal + "calendar-data") is { Length: > 0 } data)
                {
                    found[key] = new RemoteResource(key, response.Text(Dav + "getetag"), data);
                }
            }

            foreach (var missing in chunk.Where(h => !found.ContainsKey(h) && !deleted.Contains(h)))
            {
                if (await GetAsync(missing, cancellationToken) is { } alone)
                {
                    found[missing] = alone;
                }
                else
                {
                    deleted.Add(missing);
                }
            }
        }

        return new MultigetResult(found, deleted);
    }

    /// <summary>sync-collection (RFC 6578) from a token (null: from the start). Loops while the server truncates
    /// (507); a refused token (valid-sync-token) restarts with a full listing. Never sends &lt;limit&gt;.</summary>
    public async Task<SyncCollectionResult> SyncCollectionAsync(string collection, string? syncToken, CancellationToken cancellationToken = default)
    {
        var changes = new Dictionary<string, SyncChange>(StringComparer.Ordinal);
        var collectionKey = Hrefs.AsCollection(Hrefs.Key(collection));
        var token = syncToken;
        var wasReset = false;
        for (var round = 0; round < 1000; round++)
        {
            var body = new XElement(Dav + "sync-collection", new XAttribute(XNamespace.Xmlns + "d", Dav),
                new XElement(Dav + "sync-token", token ?? string.Empty),
                new XElement(Dav + "sync-level", "1"),
                new XElement(Dav + "prop", new XElement(Dav + "getetag")));
            MultiStatus answer;
            try
            {
                answer = await ReportAsync(collection, body, 0, cancellationToken);
            }
            catch (CalDavException e) when (token is not null && !wasReset && IsTokenRefusal(e))
            {
                token = null;
                wasReset = true;
                changes.Clear();
                continue;
            }

            var truncated = false;
            foreach (var response in answer.Responses)
            {
                var key = Hrefs.Key(response.Href);
                if (Hrefs.AsCollection(key) == collectionKey)
                {
                    truncated |= response.Status == 507;
                    continue;
                }

                changes[key] = response.IsNotFound
                    ? new SyncChange(key, null, Deleted: true)
                    : new SyncChange(key, response.Text(Dav + "getetag"), Deleted: false);
            }

            if (answer.SyncToken is null)
            {
                throw new CalDavInvalidResponseException("sync-collection answered without a sync-token.");
            }

            if (!truncated || answer.SyncToken == token)
            {
                return new SyncCollectionResult(answer.SyncToken, changes.Values.ToList(), wasReset);
            }

            token = answer.SyncToken;
        }

        throw new CalDavInvalidResponseException("sync-collection kept truncating.");
    }

    /// <summary>PROPFIND Depth 1 getetag: every calendar object in the collection with its ETag (the fallback change
    /// detector for servers without sync-collection).</summary>
    public async Task<IReadOnlyDictionary<string, string?>> ListEtagsAsync(string collection, CancellationToken cancellationToken = default)
    {
        var answer = await PropFindAsync(collection, 1, [Dav + "getetag", Dav + "resourcetype"], cancellationToken);
        var collectionKey = Hrefs.AsCollection(Hrefs.Key(collection));
        return answer.Responses
            .Where(r => Hrefs.AsCollection(Hrefs.Key(r.Href)) != collectionKey)
            .Where(r => r.Properties.GetValueOrDefault(Dav + "resourcetype")?.Element(Dav + "collection") is null)
            .GroupBy(r => Hrefs.Key(r.Href), StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First().Text(Dav + "getetag"), StringComparer.Ordinal);
    }

    /// <summary>RFC 6578 says a refused token is a valid-sync-token precondition error; some servers (Xandikos)
    /// answer 500 instead. Either way the listing starts over from no token, and fails for real if that fails too.</summary>
    private static bool IsTokenRefusal(CalDavException e)
        => e is CalDavInvalidSyncTokenException or CalDavConflictException or CalDavForbiddenException
            || e is CalDavServerErrorException { Status: HttpStatusCode.InternalServerError }
            || e is CalDavInvalidResponseException { Status: HttpStatusCode.BadRequest };

    // ---- plumbing -----------------------------------------------------------------------------------------------

    private static readonly XName[] CalendarProperties =
    [
        Dav + "resourcetype", Dav + "displayname", Apple + "calendar-color", Cal + "supported-calendar-component-set",
        CalendarServer + "getctag", Dav + "sync-token", Dav + "supported-report-set",
    ];

    private static RemoteCalendar ToCalendar(DavResponse response)
    {
        var components = response.Properties.GetValueOrDefault(Cal + "supported-calendar-component-set");
        var reports = response.Properties.GetValueOrDefault(Dav + "supported-report-set");
        return new RemoteCalendar(
            Hrefs.AsCollection(Hrefs.Key(response.Href)),
            response.Text(Dav + "displayname") is { Length: > 0 } name ? name : null,
            response.Text(Apple + "calendar-color") is { Length: > 0 } color ? color : null,
            components is null || components.Elements(Cal + "comp").Any(c => string.Equals((string?)c.Attribute("name"), "VEVENT", StringComparison.OrdinalIgnoreCase)),
            response.Text(CalendarServer + "getctag"),
            response.Text(Dav + "sync-token"),
            reports?.Descendants(Dav + "sync-collection").Any() == true);
    }

    private async Task<string?> PutAsync(string href, string iCalendar, Action<HttpRequestMessage> condition, CancellationToken cancellationToken)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(iCalendar));
        content.Headers.ContentType = CalendarContentType;
        using var response = await SendAsync(HttpMethod.Put, href, content, condition, cancellationToken);
        EnsureStatus(response, href, HttpStatusCode.OK, HttpStatusCode.Created, HttpStatusCode.NoContent);

        // A PUT answer without an ETag means the server changed what it stored: ask, never guess.
        return response.Headers.ETag?.ToString() ?? await GetEtagAsync(href, cancellationToken);
    }

    private async Task<MultiStatus> PropFindAsync(string path, int depth, IEnumerable<XName> properties, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(new HttpMethod("PROPFIND"), path, Xml(PropFind([.. properties])),
            request => request.Headers.TryAddWithoutValidation("Depth", depth.ToString(System.Globalization.CultureInfo.InvariantCulture)), cancellationToken);
        EnsureStatus(response, path, HttpStatusCode.MultiStatus);
        return ReadMultiStatus(await ReadBodyAsync(response, cancellationToken));
    }

    private async Task<MultiStatus> ReportAsync(string collection, XElement body, int depth, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(new HttpMethod("REPORT"), Hrefs.AsCollection(collection), Xml(body),
            request => request.Headers.TryAddWithoutValidation("Depth", depth.ToString(System.Globalization.CultureInfo.InvariantCulture)), cancellationToken);
        if (response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.Conflict or HttpStatusCode.BadRequest
            && body.Name == Dav + "sync-collection")
        {
            var error = await ReadBodyAsync(response, cancellationToken);
            if (Encoding.UTF8.GetString(error).Contains("valid-sync-token", StringComparison.Ordinal))
            {
                throw new CalDavInvalidSyncTokenException(response.StatusCode);
            }
        }

        EnsureStatus(response, collection, HttpStatusCode.MultiStatus);
        return ReadMultiStatus(await ReadBodyAsync(response, cancellationToken));
    }

    /// <summary>Sends one request (following same-host redirects, refusing cross-host ones) and maps transport
    /// failures to <see cref="CalDavException"/>s.</summary>
    private async Task<HttpResponseMessage> SendAsync(
        HttpMethod method, string path, HttpContent? content, Action<HttpRequestMessage>? configure, CancellationToken cancellationToken)
    {
        var target = new Uri(_server, EscapePath(Hrefs.Key(path)));
        var body = content is null ? null : await content.ReadAsByteArrayAsync(cancellationToken);
        for (var redirects = 0; ; redirects++)
        {
            using var request = new HttpRequestMessage(method, target);
            if (body is not null)
            {
                request.Content = new ByteArrayContent(body);
                request.Content.Headers.ContentType = content!.Headers.ContentType;
            }

            Authorize(request);
            configure?.Invoke(request);
            RequestCount++;
            HttpResponseMessage response;
            try
            {
                response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            }
            catch (HttpRequestException e) when (e.InnerException is CalDavAddressNotAllowedException blocked)
            {
                throw blocked;
            }
            catch (HttpRequestException e)
            {
                throw new CalDavServerErrorException($"{method} {target.AbsolutePath}: {e.Message}", null, e);
            }
            catch (Exception e) when (e is TimeoutRejectedException or BrokenCircuitException
                                          || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                throw new CalDavServerErrorException($"{method} {target.AbsolutePath}: {e.Message}", null, e);
            }

            if ((int)response.StatusCode is not (301 or 302 or 303 or 307 or 308) || response.Headers.Location is null)
            {
                return response;
            }

            var next = new Uri(target, response.Headers.Location);
            response.Dispose();
            if (!string.Equals(next.Authority, _server.Authority, StringComparison.OrdinalIgnoreCase) || next.Scheme != _server.Scheme)
            {
                throw new CalDavInvalidResponseException($"Refused a redirect to another host ({next.Authority}): credentials stay with {_server.Authority}.");
            }

            if (redirects >= MaxRedirects)
            {
                throw new CalDavInvalidResponseException("Too many redirects.");
            }

            target = next;
        }
    }

    private void Authorize(HttpRequestMessage request)
    {
        if (string.IsNullOrEmpty(account.Password) && string.IsNullOrEmpty(account.Username))
        {
            return;
        }

        request.Headers.Authorization = string.IsNullOrEmpty(account.Username)
            ? new AuthenticationHeaderValue("Bearer", account.Password)
            : new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{account.Username}:{account.Password}")));
    }

    private async Task<byte[]> ReadBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var limit = options.MaxResponseBytes;
        if (response.Content.Headers.ContentLength > limit)
        {
            throw new CalDavInvalidResponseException($"The answer is larger than {limit} bytes.", response.StatusCode);
        }

        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            using var buffer = new MemoryStream();
            var chunk = new byte[81920];
            int read;
            while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (buffer.Length + read > limit)
                {
                    throw new CalDavInvalidResponseException($"The answer is larger than {limit} bytes.", response.StatusCode);
                }

                buffer.Write(chunk, 0, read);
            }

            return buffer.ToArray();
        }
        catch (Exception e) when (e is IOException or HttpRequestException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw new CalDavServerErrorException($"The connection broke while reading the answer: {e.Message}", response.StatusCode, e);
        }
    }

    private static void EnsureStatus(HttpResponseMessage response, string path, params HttpStatusCode[] expected)
    {
        if (expected.Contains(response.StatusCode))
        {
            return;
        }

        var what = $"{response.RequestMessage?.Method} {path} answered {(int)response.StatusCode} {response.ReasonPhrase}";
        throw (int)response.StatusCode switch
        {
            401 => new CalDavUnauthorizedException(what),
            403 => new CalDavForbiddenException(what),
            404 or 410 => new CalDavNotFoundException(what),
            409 or 412 => new CalDavConflictException(what, response.StatusCode),
            429 or 503 when CalDavHttp.RetryAfter(response) is { } wait => new CalDavRateLimitedException(what, response.StatusCode, wait),
            429 => new CalDavRateLimitedException(what, response.StatusCode, TimeSpan.FromSeconds(60)),
            >= 500 => new CalDavServerErrorException(what, response.StatusCode),
            _ => new CalDavInvalidResponseException(what, response.StatusCode),
        };
    }

    private static StringContent Xml(XElement body)
    {
        var content = new StringContent(Serialize(body), Encoding.UTF8);
        content.Headers.ContentType = XmlContentType;
        return content;
    }

    /// <summary>Percent-encodes each path segment (the decoded key may hold '@', spaces, …).</summary>
    private static string EscapePath(string path)
        => string.Join('/', path.Split('/').Select(Uri.EscapeDataString));
}

/// <summary>The server refused the sync-token (DAV:valid-sync-token): start over with a full listing.</summary>
public sealed class CalDavInvalidSyncTokenException(HttpStatusCode status) : CalDavException("The server refused the sync-token.", status)
{
    public override bool IsTransient => false;
}
