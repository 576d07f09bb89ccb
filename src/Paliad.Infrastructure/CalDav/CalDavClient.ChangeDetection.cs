using System.Net;
using System.Xml.Linq;
using static Paliad.Infrastructure.CalDav.DavXml;

namespace Paliad.Infrastructure.CalDav;

/// <summary>Finding what changed: calendar-multiget, sync-collection, the ETag listing.</summary>
public sealed partial class CalDavClient
{
    // ---- change detection ---------------------------------------------------------------------------------------

    /// <summary>REPORT calendar-multiget (RFC 4791 §7.9) in chunks of CalDav:MultigetMaxHrefs. Every requested href
    /// ends up found or deleted: an href the answer leaves out is fetched alone, and only an explicit 404 counts as
    /// deleted.</summary>
    public async Task<MultigetResult> MultigetAsync(string collection, IReadOnlyCollection<string> hrefs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(hrefs);
        using var operation = BeginOperation("multiget");
        var found = new Dictionary<string, RemoteResource>(StringComparer.Ordinal);
        var deleted = new HashSet<string>(StringComparer.Ordinal);
        var wanted = hrefs.Select(Key).Distinct(StringComparer.Ordinal).ToList();
        foreach (var chunk in wanted.Chunk(Math.Max(1, options.MultigetMaxHrefs)))
        {
            var body = new XElement(Cal + "calendar-multiget", new XAttribute(XNamespace.Xmlns + "d", Dav), new XAttribute(XNamespace.Xmlns + "c", Cal),
                new XElement(Dav + "prop", new XElement(Dav + "getetag"), new XElement(Cal + "calendar-data")),
                chunk.Select(h => new XElement(Dav + "href", EscapePath(h))));
            var asked = chunk.ToHashSet(StringComparer.Ordinal);
            await ReportAsync(collection, body, 1, [Dav + "getetag", Cal + "calendar-data"], response =>
            {
                var key = Key(response.Href);
                if (!asked.Contains(key))
                {
                    return; // not asked for: never kept (a hostile server could answer for anything)
                }

                if (response.IsNotFound)
                {
                    deleted.Add(key);
                }
                else if (response.Text(Cal + "calendar-data") is { Length: > 0 } data)
                {
                    found[key] = new RemoteResource(key, response.Text(Dav + "getetag"), data);
                }
            }, cancellationToken);

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
        using var operation = BeginOperation("sync-collection");
        var changes = new Dictionary<string, SyncChange>(StringComparer.Ordinal);
        var collectionKey = Hrefs.AsCollection(Key(collection));
        var token = syncToken;
        var wasReset = false;
        for (var round = 0; round < Math.Max(1, options.MaxSyncCollectionRounds); round++)
        {
            var body = new XElement(Dav + "sync-collection", new XAttribute(XNamespace.Xmlns + "d", Dav),
                new XElement(Dav + "sync-token", token ?? string.Empty),
                new XElement(Dav + "sync-level", "1"),
                new XElement(Dav + "prop", new XElement(Dav + "getetag")));
            var truncated = false;
            string? answeredToken;
            try
            {
                answeredToken = await ReportAsync(collection, body, 0, [Dav + "getetag"], response =>
                {
                    var key = Key(response.Href);
                    if (!Hrefs.IsLocal(key))
                    {
                        return;
                    }

                    if (Hrefs.AsCollection(key) == collectionKey)
                    {
                        truncated |= response.Status == 507;
                        return;
                    }

                    changes[key] = response.IsNotFound
                        ? new SyncChange(key, null, Deleted: true)
                        : new SyncChange(key, response.Text(Dav + "getetag"), Deleted: false);
                }, cancellationToken);
            }
            catch (CalDavException e) when (token is not null && !wasReset && IsTokenRefusal(e))
            {
                token = null;
                wasReset = true;
                changes.Clear();
                continue;
            }

            if (answeredToken is null)
            {
                throw new CalDavInvalidResponseException("sync-collection answered without a sync-token.");
            }

            if (!truncated || answeredToken == token)
            {
                return new SyncCollectionResult(answeredToken, changes.Values.ToList(), wasReset);
            }

            token = answeredToken;
        }

        throw new CalDavInvalidResponseException($"sync-collection kept truncating (507) for {options.MaxSyncCollectionRounds} rounds.");
    }

    /// <summary>PROPFIND Depth 1 getetag: every calendar object in the collection with its ETag (the fallback change
    /// detector for servers without sync-collection).</summary>
    public async Task<IReadOnlyDictionary<string, string?>> ListEtagsAsync(string collection, CancellationToken cancellationToken = default)
    {
        using var operation = BeginOperation("etag listing");
        var collectionKey = Hrefs.AsCollection(Key(collection));
        var etags = new Dictionary<string, string?>(StringComparer.Ordinal);
        await PropFindAsync(collection, 1, [Dav + "getetag", Dav + "resourcetype"], response =>
        {
            var key = Key(response.Href);
            if (!response.IsNotFound && Hrefs.IsLocal(key) && Hrefs.AsCollection(key) != collectionKey
                && response.Property(Dav + "resourcetype")?.Contains(Dav + "collection") != true)
            {
                etags.TryAdd(key, response.Text(Dav + "getetag"));
            }
        }, cancellationToken);
        return etags;
    }

    /// <summary>RFC 6578 says a refused token is a valid-sync-token precondition error; some servers (Xandikos)
    /// answer 500 instead. Either way the listing starts over from no token, and fails for real if that fails too.</summary>
    private static bool IsTokenRefusal(CalDavException e)
        => e is CalDavInvalidSyncTokenException or CalDavConflictException or CalDavForbiddenException
            || e is CalDavServerErrorException { Status: HttpStatusCode.InternalServerError }
            || e is CalDavInvalidResponseException { Status: HttpStatusCode.BadRequest };
}
