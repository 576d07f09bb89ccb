using System.Net;
using System.Net.Http.Headers;
using static Paliad.Infrastructure.CalDav.DavXml;

namespace Paliad.Infrastructure.CalDav;

/// <summary>Calendar object resources: conditional PUT, DELETE, GET, getetag.</summary>
public sealed partial class CalDavClient
{
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
        return new RemoteResource(Key(href), response.Headers.ETag?.ToString(), await ReadTextAsync(response, cancellationToken));
    }

    /// <summary>The ETag of one resource (PROPFIND getetag); null when it does not exist.</summary>
    public async Task<string?> GetEtagAsync(string href, CancellationToken cancellationToken = default)
    {
        try
        {
            string? etag = null;
            await PropFindAsync(href, 0, [Dav + "getetag"], response => etag ??= response.Text(Dav + "getetag") is { Length: > 0 } found ? found : null, cancellationToken);
            return etag;
        }
        catch (CalDavNotFoundException)
        {
            return null;
        }
    }
}
