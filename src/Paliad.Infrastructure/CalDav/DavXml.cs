using System.Net;
using System.Xml;
using System.Xml.Linq;

namespace Paliad.Infrastructure.CalDav;

/// <summary>WebDAV/CalDAV XML: the namespaces, request bodies, and a safe multistatus reader (DTDs prohibited,
/// no external entities).</summary>
internal static class DavXml
{
    public static readonly XNamespace Dav = "DAV:";
    public static readonly XNamespace Cal = "urn:ietf:params:xml:ns:caldav";
    public static readonly XNamespace CalendarServer = "http://calendarserver.org/ns/";
    public static readonly XNamespace Apple = "http://apple.com/ns/ical/";

    private static readonly XmlReaderSettings SafeReading = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
        MaxCharactersFromEntities = 0,
    };

    public static XDocument Parse(byte[] body)
    {
        try
        {
            using var stream = new MemoryStream(body, writable: false);
            using var reader = XmlReader.Create(stream, SafeReading);
            return XDocument.Load(reader);
        }
        catch (XmlException e)
        {
            throw new CalDavInvalidResponseException($"The server answered malformed XML: {e.Message}", inner: e);
        }
    }

    public static string Serialize(XElement root) => new XDocument(new XDeclaration("1.0", "utf-8", null), root).Declaration + root.ToString(SaveOptions.DisableFormatting);

    public static XElement PropFind(params XName[] properties)
        => new(Dav + "propfind", new XAttribute(XNamespace.Xmlns + "d", Dav), new XAttribute(XNamespace.Xmlns + "c", Cal),
            new XAttribute(XNamespace.Xmlns + "cs", CalendarServer), new XAttribute(XNamespace.Xmlns + "a", Apple),
            new XElement(Dav + "prop", properties.Select(p => new XElement(p))));

    /// <summary>The responses of a 207 Multi-Status body.</summary>
    public static MultiStatus ReadMultiStatus(byte[] body, int maxResponses = int.MaxValue)
    {
        var root = Parse(body).Root;
        if (root is null || root.Name != Dav + "multistatus")
        {
            throw new CalDavInvalidResponseException($"Expected a DAV:multistatus, got {root?.Name.ToString() ?? "nothing"}.");
        }

        var responses = root.Elements(Dav + "response").Take(maxResponses == int.MaxValue ? maxResponses : maxResponses + 1).Select(ReadResponse).ToList();
        if (responses.Count > maxResponses)
        {
            throw new CalDavInvalidResponseException($"The answer holds more than {maxResponses} responses.");
        }

        return new MultiStatus(responses, root.Element(Dav + "sync-token")?.Value.Trim());
    }

    private static DavResponse ReadResponse(XElement response)
    {
        var href = response.Element(Dav + "href")?.Value.Trim()
            ?? throw new CalDavInvalidResponseException("A DAV:response has no DAV:href.");
        var found = new Dictionary<XName, XElement>();
        var missing = new HashSet<XName>();
        foreach (var propstat in response.Elements(Dav + "propstat"))
        {
            var status = ParseStatus(propstat.Element(Dav + "status")?.Value);
            foreach (var prop in propstat.Element(Dav + "prop")?.Elements() ?? [])
            {
                if (status is >= 200 and < 300)
                {
                    found[prop.Name] = prop;
                }
                else
                {
                    missing.Add(prop.Name);
                }
            }
        }

        return new DavResponse(href, ParseStatus(response.Element(Dav + "status")?.Value), found, missing);
    }

    /// <summary>"HTTP/1.1 404 Not Found" → 404; null when absent or unreadable.</summary>
    public static int? ParseStatus(string? statusLine)
    {
        var parts = statusLine?.Trim().Split(' ', 3, StringSplitOptions.RemoveEmptyEntries);
        return parts is { Length: >= 2 } && int.TryParse(parts[1], System.Globalization.CultureInfo.InvariantCulture, out var code) ? code : null;
    }
}

internal sealed record MultiStatus(IReadOnlyList<DavResponse> Responses, string? SyncToken);

/// <summary>One DAV:response: its href, the response-level status (multiget/sync-collection use it for 404), and
/// the properties the server returned with a 2xx propstat.</summary>
internal sealed record DavResponse(string Href, int? Status, IReadOnlyDictionary<XName, XElement> Properties, IReadOnlySet<XName> MissingProperties)
{
    public string? Text(XName property) => Properties.TryGetValue(property, out var element) ? element.Value.Trim() : null;

    public bool IsNotFound => Status is (int)HttpStatusCode.NotFound or (int)HttpStatusCode.Gone;
}
