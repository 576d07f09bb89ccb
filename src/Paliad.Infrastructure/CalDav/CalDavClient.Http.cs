using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Xml.Linq;
using Polly.CircuitBreaker;
using Paliad.Domain.CalDav;
using Polly.Timeout;
using static Paliad.Infrastructure.CalDav.DavXml;

namespace Paliad.Infrastructure.CalDav;

/// <summary>Plumbing: requests, redirects, authorisation, size caps, status mapping.</summary>
public sealed partial class CalDavClient
{
    // ---- plumbing -----------------------------------------------------------------------------------------------

    private static readonly XName[] CalendarProperties =
    [
        Dav + "resourcetype", Dav + "displayname", Apple + "calendar-color", Cal + "supported-calendar-component-set",
        CalendarServer + "getctag", Dav + "sync-token", Dav + "supported-report-set",
    ];

    private RemoteCalendar ToCalendar(DavResponse response)
    {
        var components = response.Property(Cal + "supported-calendar-component-set");
        return new RemoteCalendar(
            Hrefs.AsCollection(Key(response.Href)),
            response.Text(Dav + "displayname") is { Length: > 0 } name ? name : null,
            response.Text(Apple + "calendar-color") is { Length: > 0 } color ? color : null,
            components is null || components.ComponentNames.Any(c => string.Equals(c, "VEVENT", StringComparison.OrdinalIgnoreCase)),
            response.Text(CalendarServer + "getctag"),
            response.Text(Dav + "sync-token"),
            response.Property(Dav + "supported-report-set")?.Contains(Dav + "sync-collection") == true);
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

    /// <summary>PROPFIND, each DAV:response of the answer handed to <paramref name="onResponse"/> as it is read.</summary>
    private async Task PropFindAsync(string path, int depth, XName[] properties, Action<DavResponse> onResponse, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(new HttpMethod("PROPFIND"), path, Xml(PropFind(properties)),
            request => request.Headers.TryAddWithoutValidation("Depth", depth.ToString(System.Globalization.CultureInfo.InvariantCulture)), cancellationToken);
        EnsureStatus(response, path, HttpStatusCode.MultiStatus);
        await ReadMultiStatusAsync(response, properties, onResponse, cancellationToken);
    }

    /// <summary>PROPFIND Depth 0: the first DAV:response of the answer (null when there is none).</summary>
    private async Task<DavResponse?> PropFindSelfAsync(string path, XName[] properties, CancellationToken cancellationToken)
    {
        DavResponse? self = null;
        await PropFindAsync(path, 0, properties, response => self ??= response, cancellationToken);
        return self;
    }

    /// <summary>REPORT; returns the answer's sync-token.</summary>
    private async Task<string?> ReportAsync(
        string collection, XElement body, int depth, XName[] properties, Action<DavResponse> onResponse, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(new HttpMethod("REPORT"), Hrefs.AsCollection(collection), Xml(body),
            request => request.Headers.TryAddWithoutValidation("Depth", depth.ToString(System.Globalization.CultureInfo.InvariantCulture)), cancellationToken);
        if (response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.Conflict or HttpStatusCode.BadRequest
            && body.Name == Dav + "sync-collection")
        {
            if ((await ReadTextAsync(response, cancellationToken)).Contains("valid-sync-token", StringComparison.Ordinal))
            {
                throw new CalDavInvalidSyncTokenException(response.StatusCode);
            }
        }

        EnsureStatus(response, collection, HttpStatusCode.MultiStatus);
        return await ReadMultiStatusAsync(response, properties, onResponse, cancellationToken);
    }

    /// <summary>Sends one request (following same-host redirects, refusing cross-host ones) and maps transport
    /// failures to <see cref="CalDavException"/>s.</summary>
    private async Task<HttpResponseMessage> SendAsync(
        HttpMethod method, string path, HttpContent? content, Action<HttpRequestMessage>? configure, CancellationToken cancellationToken)
    {
        var target = Resolve(path);
        var body = content is null ? null : await content.ReadAsByteArrayAsync(cancellationToken);
        var renewedAfter401 = false;
        for (var redirects = 0; ; redirects++)
        {
            using var request = new HttpRequestMessage(method, target);
            if (body is not null)
            {
                request.Content = new ByteArrayContent(body);
                request.Content.Headers.ContentType = content!.Headers.ContentType;
            }

            // The one guard: whatever produced this URL (a calendar path, an href the server answered, a redirect),
            // the credentials below go to the account's own origin or nowhere.
            EnsureSameOrigin(target);
            var bearer = await AuthorizeAsync(request, cancellationToken);
            if (account.Partition is { } partition)
            {
                request.Options.Set(CalDavHttp.PartitionKey, partition);
            }

            configure?.Invoke(request);
            Interlocked.Increment(ref _requestCount);
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

            if (response.StatusCode == HttpStatusCode.Unauthorized && bearer is not null && renewedAfter401)
            {
                // A token refreshed a moment ago refused too: the grant does not open this server (any more).
                response.Dispose();
                throw new CalDavReconnectNeededException(
                    account.Bearer!.ProviderName, $"{method} {target.AbsolutePath} answered 401 to a freshly refreshed access token.");
            }

            if (response.StatusCode == HttpStatusCode.Unauthorized && bearer is not null)
            {
                // An access token the server no longer takes (revoked, expired early): refreshed once, then asked again.
                response.Dispose();
                renewedAfter401 = true;
                await RenewBearerAsync(bearer, cancellationToken);
                redirects--;
                continue;
            }

            if (IsQuotaRefusal(response))
            {
                // Google says "slow down" with a 403 (usageLimits) as often as with a 429: a wait, not a refusal.
                var wait = CalDavHttp.RetryAfter(response) ?? QuotaWait;
                response.Dispose();
                throw new CalDavRateLimitedException($"{method} {target.AbsolutePath} answered 403 (usage limits exceeded)", HttpStatusCode.Forbidden, wait);
            }

            if ((int)response.StatusCode is not (301 or 302 or 303 or 307 or 308) || response.Headers.Location is null)
            {
                return response;
            }

            var next = new Uri(target, response.Headers.Location);
            response.Dispose();

            if (redirects >= MaxRedirects)
            {
                throw new CalDavInvalidResponseException("Too many redirects.");
            }

            target = next;
        }
    }

    /// <summary>How long a quota refusal without Retry-After makes the binding wait (Google's quotas are per minute).</summary>
    private static readonly TimeSpan QuotaWait = TimeSpan.FromSeconds(60);

    /// <summary>A 403 whose body names a usage limit (Google: <c>usageLimits</c>, <c>rateLimitExceeded</c>,
    /// <c>quotaExceeded</c>, in JSON or XML) is a rate limit; any other 403 is a refusal.</summary>
    private static bool IsQuotaRefusal(HttpResponseMessage response)
        => response.StatusCode == HttpStatusCode.Forbidden
           && response.Content is BufferedAnswer answer
           && answer.Peek(8192) is var text
           && (text.Contains("usageLimits", StringComparison.OrdinalIgnoreCase)
               || text.Contains("rateLimitExceeded", StringComparison.OrdinalIgnoreCase)
               || text.Contains("quotaExceeded", StringComparison.OrdinalIgnoreCase));

    /// <summary>An href as a request URL: a path (or "//host/…", or an absolute URL) resolved against the server.</summary>
    private Uri Resolve(string href)
    {
        var key = Key(href);
        var url = Hrefs.IsLocal(key) || !Uri.TryCreate(key, UriKind.Absolute, out var absolute)
            ? (Uri.TryCreate(_server, EscapePath(key), out var relative) ? relative : null)
            : absolute;
        return url ?? throw new CalDavOriginRefusedException($"Refused to send a request to '{Clip(href)}': it is not a URL on {ServerOrigin.Describe(_server)}.");
    }

    private void EnsureSameOrigin(Uri target)
    {
        if (!ServerOrigin.Same(target, _server))
        {
            throw new CalDavOriginRefusedException(
                $"Refused to send a request to {ServerOrigin.Describe(target)}: this account's credentials belong to {ServerOrigin.Describe(_server)}.");
        }
    }

    private static string Clip(string text) => text.Length > 200 ? text[..200] + "…" : text;

    private string Key(string href) => Hrefs.Key(href, _server);

    /// <summary>Sets the request's credentials; returns the bearer token it sent when it came from the account's token
    /// source (so a 401 can renew exactly that one).</summary>
    private async Task<string?> AuthorizeAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (account.Bearer is { } source)
        {
            string token;
            try
            {
                token = await source.CurrentAsync(cancellationToken);
            }
            catch (Exception e) when (e is OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                throw new CalDavServerErrorException($"Refreshing the access token: {e.Message}", null, e);
            }

            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            return token;
        }

        if (string.IsNullOrEmpty(account.Password) && string.IsNullOrEmpty(account.Username))
        {
            return null;
        }

        request.Headers.Authorization = string.IsNullOrEmpty(account.Username)
            ? new AuthenticationHeaderValue("Bearer", account.Password)
            : new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{account.Username}:{account.Password}")));
        return null;
    }

    private async Task RenewBearerAsync(string rejected, CancellationToken cancellationToken)
    {
        try
        {
            await account.Bearer!.RenewAsync(rejected, cancellationToken);
        }
        catch (Exception e) when (e is OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new CalDavServerErrorException($"Refreshing the access token: {e.Message}", null, e);
        }
    }

    /// <summary>The answer's body as text (already read whole, within bounds, by <see cref="CalDavTransportHandler"/>),
    /// charged to the running operation's byte budget.</summary>
    private async Task<string> ReadTextAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await using var body = await OpenBodyAsync(response, cancellationToken);
        using var text = new StreamReader(body, Encoding.UTF8);
        return await text.ReadToEndAsync(cancellationToken);
    }

    /// <summary>Reads a multistatus answer as a stream (no copy of the body), keeping only the asked-for properties.</summary>
    private async Task<string?> ReadMultiStatusAsync(
        HttpResponseMessage response, XName[] properties, Action<DavResponse> onResponse, CancellationToken cancellationToken)
    {
        await using var body = await OpenBodyAsync(response, cancellationToken);
        return DavXml.ReadMultiStatus(body, properties, onResponse, options.MaxHrefsPerResponse);
    }

    private async Task<Stream> OpenBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var length = response.Content.Headers.ContentLength ?? 0;
        if (length > options.MaxResponseBytes)
        {
            throw new CalDavInvalidResponseException($"The answer is larger than {options.MaxResponseBytes} bytes.", response.StatusCode);
        }

        Budget.Value?.Charge(length);
        try
        {
            return await response.Content.ReadAsStreamAsync(cancellationToken);
        }
        catch (Exception e) when (e is IOException or HttpRequestException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw new CalDavServerErrorException($"The connection broke while reading the answer: {e.Message}", response.StatusCode, e);
        }
    }

    // ---- operation budgets --------------------------------------------------------------------------------------

    /// <summary>The running operation's budget. It flows with the async call (an AsyncLocal), so the concurrent
    /// requests of one operation — a push's parallel PUTs and the GETs their 412s lead to — share it.</summary>
    private static readonly AsyncLocal<ByteBudget?> Budget = new();

    /// <summary>Starts an operation (a push, a sync-collection loop, a multiget run, a discovery) whose answers together
    /// may not exceed CalDav:MaxOperationBytes. Nested operations share the outermost one's budget.</summary>
    public IDisposable BeginOperation(string name)
    {
        if (Budget.Value is not null)
        {
            return new OperationScope(owner: false);
        }

        Budget.Value = new ByteBudget(name, options.MaxOperationBytes);
        return new OperationScope(owner: true);
    }

    private sealed class OperationScope(bool owner) : IDisposable
    {
        public void Dispose()
        {
            if (owner)
            {
                Budget.Value = null;
            }
        }
    }

    private sealed class ByteBudget(string operation, long limit)
    {
        private long _spent;

        public void Charge(long bytes)
        {
            if (Interlocked.Add(ref _spent, bytes) > limit)
            {
                throw new CalDavInvalidResponseException($"The server's answers to one {operation} exceeded {limit} bytes.");
            }
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
