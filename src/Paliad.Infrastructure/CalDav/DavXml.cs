using System.Net;
using System.Text;
using System.Xml;
using System.Xml.Linq;

namespace Paliad.Infrastructure.CalDav;

/// <summary>WebDAV/CalDAV XML: the namespaces, request bodies, and a safe multistatus reader.</summary>
/// <remarks>
/// A multistatus is read as a stream, one DAV:response at a time, never as a document: nothing recurses over what a
/// server sends (an element nested a million levels deep is refused at <see cref="MaxDepth"/>, while reading, before
/// the reader has stacked more than that), DTDs are prohibited, and a response is handed to the caller and dropped,
/// so an answer of many responses costs what the caller keeps, not a tree of the whole answer.
/// </remarks>
internal static class DavXml
{
    public static readonly XNamespace Dav = "DAV:";
    public static readonly XNamespace Cal = "urn:ietf:params:xml:ns:caldav";
    public static readonly XNamespace CalendarServer = "http://calendarserver.org/ns/";
    public static readonly XNamespace Apple = "http://apple.com/ns/ical/";

    /// <summary>Deepest element nesting read from a server (a multistatus needs 6; a property's content a few more).</summary>
    public const int MaxDepth = 32;

    /// <summary>Longest text of one property or href (calendar-data aside, which is bounded by the answer's size):
    /// ETags, ctags, sync-tokens and hrefs are short; anything longer is not a CalDAV server's answer.</summary>
    public const int MaxTextChars = 64 * 1024;

    /// <summary>Most attributes (namespace declarations included) on one element. The reader builds every attribute of
    /// an element before handing it over, so an element of a million attributes would cost the reader ~20 times its
    /// bytes: such an element is refused while its bytes are read, before the reader has built it.</summary>
    public const int MaxAttributesPerElement = 64;

    /// <summary>Names, hrefs and component names kept per property (resourcetype, supported-report-set, …).</summary>
    private const int MaxNamesPerProperty = 64;

    /// <summary>Texts shown to people, cut rather than refused when a server sends too much.</summary>
    private static readonly Dictionary<XName, int> DisplayTexts = new()
    {
        [Dav + "displayname"] = 1024,
        [Apple + "calendar-color"] = 64,
    };

    private static readonly XmlReaderSettings SafeReading = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
        MaxCharactersFromEntities = 0,
        CloseInput = false,
    };

    public static string Serialize(XElement root) => new XDocument(new XDeclaration("1.0", "utf-8", null), root).Declaration + root.ToString(SaveOptions.DisableFormatting);

    public static XElement PropFind(params XName[] properties)
        => new(Dav + "propfind", new XAttribute(XNamespace.Xmlns + "d", Dav), new XAttribute(XNamespace.Xmlns + "c", Cal),
            new XAttribute(XNamespace.Xmlns + "cs", CalendarServer), new XAttribute(XNamespace.Xmlns + "a", Apple),
            new XElement(Dav + "prop", properties.Select(p => new XElement(p))));

    /// <summary>Reads a 207 Multi-Status body, handing each DAV:response to <paramref name="onResponse"/> as soon as
    /// it is read. Only the properties in <paramref name="wanted"/> are kept (null: all). Returns the answer's
    /// DAV:sync-token, if any.</summary>
    public static string? ReadMultiStatus(Stream body, IReadOnlyCollection<XName> wanted, Action<DavResponse> onResponse, int maxResponses = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(onResponse);
        try
        {
            using var guarded = new MarkupGuard(body);
            using var reader = XmlReader.Create(guarded, SafeReading);
            var xml = new BoundedReader(reader);
            if (reader.MoveToContent() != XmlNodeType.Element || !xml.Is(Dav + "multistatus"))
            {
                throw new CalDavInvalidResponseException($"Expected a DAV:multistatus, got {(reader.NodeType == XmlNodeType.Element ? $"{{{reader.NamespaceURI}}}{reader.LocalName}" : "nothing")}.");
            }

            string? syncToken = null;
            var responses = 0;
            foreach (var _ in xml.Children())
            {
                if (xml.Is(Dav + "response"))
                {
                    if (++responses > maxResponses)
                    {
                        throw new CalDavInvalidResponseException($"The answer holds more than {maxResponses} responses.");
                    }

                    onResponse(ReadResponse(xml, wanted));
                }
                else if (xml.Is(Dav + "sync-token"))
                {
                    syncToken = xml.ReadText(MaxTextChars).Trim();
                }
                else
                {
                    xml.Discard();
                }
            }

            return syncToken;
        }
        catch (XmlException e)
        {
            throw new CalDavInvalidResponseException($"The server answered malformed XML: {e.Message}", inner: e);
        }
    }

    private static DavResponse ReadResponse(BoundedReader xml, IReadOnlyCollection<XName> wanted)
    {
        string? href = null;
        int? status = null;
        var found = new Dictionary<XName, DavProperty>();
        var missing = new HashSet<XName>();
        foreach (var _ in xml.Children())
        {
            if (xml.Is(Dav + "href"))
            {
                href ??= xml.ReadText(MaxTextChars).Trim();
            }
            else if (xml.Is(Dav + "status"))
            {
                status = ParseStatus(xml.ReadText(MaxTextChars));
            }
            else if (xml.Is(Dav + "propstat"))
            {
                ReadPropStat(xml, wanted, found, missing);
            }
            else
            {
                xml.Discard();
            }
        }

        return new DavResponse(href ?? throw new CalDavInvalidResponseException("A DAV:response has no DAV:href."), status, found, missing);
    }

    private static void ReadPropStat(BoundedReader xml, IReadOnlyCollection<XName> wanted, Dictionary<XName, DavProperty> found, HashSet<XName> missing)
    {
        int? status = null;
        var properties = new List<DavProperty>();
        foreach (var _ in xml.Children())
        {
            if (xml.Is(Dav + "status"))
            {
                status = ParseStatus(xml.ReadText(MaxTextChars));
            }
            else if (xml.Is(Dav + "prop"))
            {
                foreach (var __ in xml.Children())
                {
                    // Compared as strings: an XName made of what a server sends would stay in the namespace's name
                    // table for the life of the process.
                    if (wanted.FirstOrDefault(xml.Is) is { } name)
                    {
                        properties.Add(ReadProperty(xml, name));
                    }
                    else
                    {
                        xml.Discard();
                    }
                }
            }
            else
            {
                xml.Discard();
            }
        }

        foreach (var property in properties)
        {
            if (status is >= 200 and < 300)
            {
                found[property.Name] = property;
            }
            else
            {
                missing.Add(property.Name);
            }
        }
    }

    /// <summary>One property, flattened as Paliad reads properties: its text, the elements inside it, the DAV:href
    /// inside it and the name attributes of CALDAV:comp elements inside it.</summary>
    private static DavProperty ReadProperty(BoundedReader xml, XName name)
    {
        var isCalendarData = name == Cal + "calendar-data";
        var cut = DisplayTexts.GetValueOrDefault(name);
        var text = new BoundedText(isCalendarData ? int.MaxValue : cut > 0 ? cut : MaxTextChars, refuseOverflow: cut == 0);
        var elements = new HashSet<(string Namespace, string LocalName)>();
        var components = new List<string>();
        string? href = null;
        foreach (var inside in xml.Descendants())
        {
            if (inside == XmlNodeType.Element)
            {
                if (elements.Count < MaxNamesPerProperty)
                {
                    elements.Add(xml.QualifiedName);
                }

                if (xml.Is(Cal + "comp") && components.Count < MaxNamesPerProperty && xml.Attribute("name") is { } component)
                {
                    components.Add(component);
                }

                if (xml.Is(Dav + "href") && href is null)
                {
                    href = xml.ReadText(MaxTextChars).Trim();
                }
            }
            else
            {
                xml.AppendText(text);
            }
        }

        return new DavProperty(name, text.ToString(), elements, components, href);
    }

    /// <summary>"HTTP/1.1 404 Not Found" → 404; null when absent or unreadable.</summary>
    public static int? ParseStatus(string? statusLine)
    {
        var parts = statusLine?.Trim().Split(' ', 3, StringSplitOptions.RemoveEmptyEntries);
        return parts is { Length: >= 2 } && int.TryParse(parts[1], System.Globalization.CultureInfo.InvariantCulture, out var code) ? code : null;
    }

    /// <summary>An <see cref="XmlReader"/> walked only forward, one node at a time, refusing nesting deeper than
    /// <see cref="MaxDepth"/> as it reads (never <c>Skip</c> or <c>ReadSubtree</c>, which would walk a deep subtree
    /// unchecked).</summary>
    private sealed class BoundedReader(XmlReader reader)
    {
        private readonly char[] _chunk = new char[4096];

        public (string Namespace, string LocalName) QualifiedName => (reader.NamespaceURI, reader.LocalName);

        public bool Is(XName name) => reader.LocalName == name.LocalName && reader.NamespaceURI == name.NamespaceName;

        public string? Attribute(string name) => reader.GetAttribute(name);

        /// <summary>Visits the child elements of the element the reader is on; each iteration leaves the reader on a
        /// child's start tag, and the body must consume that child (read it, or <see cref="Discard"/> it).</summary>
        public IEnumerable<int> Children()
        {
            var depth = reader.Depth;
            if (reader.IsEmptyElement)
            {
                yield break;
            }

            var index = 0;
            while (true)
            {
                Read();
                if (reader.NodeType == XmlNodeType.EndElement && reader.Depth == depth)
                {
                    yield break;
                }

                if (reader.NodeType == XmlNodeType.Element && reader.Depth == depth + 1)
                {
                    // The caller reads the child up to its end tag (or it is empty); the next Read moves past it.
                    yield return index++;
                }
            }
        }

        /// <summary>Visits every node inside the element the reader is on, returning each node's type; ends on its
        /// end tag. Text nodes are left for <see cref="AppendText"/>.</summary>
        public IEnumerable<XmlNodeType> Descendants()
        {
            var depth = reader.Depth;
            if (reader.IsEmptyElement)
            {
                yield break;
            }

            while (true)
            {
                Read();
                if (reader.NodeType == XmlNodeType.EndElement && reader.Depth == depth)
                {
                    yield break;
                }

                if (reader.NodeType is XmlNodeType.Element or XmlNodeType.Text or XmlNodeType.CDATA or XmlNodeType.Whitespace or XmlNodeType.SignificantWhitespace)
                {
                    yield return reader.NodeType;
                }
            }
        }

        /// <summary>The text inside the current element (of every node within it), at most <paramref name="limit"/>
        /// characters or a malformed answer.</summary>
        public string ReadText(int limit)
        {
            var text = new BoundedText(limit, refuseOverflow: true);
            foreach (var node in Descendants())
            {
                if (node != XmlNodeType.Element)
                {
                    AppendText(text);
                }
            }

            return text.ToString();
        }

        /// <summary>Appends the text node the reader is on, read in chunks, so a long text is never a string whole
        /// unless the caller keeps it whole.</summary>
        public void AppendText(BoundedText text)
        {
            if (!reader.CanReadValueChunk)
            {
                text.Append(reader.Value.AsSpan());
                return;
            }

            int read;
            while ((read = reader.ReadValueChunk(_chunk, 0, _chunk.Length)) > 0)
            {
                text.Append(_chunk.AsSpan(0, read));
            }
        }

        /// <summary>Reads past the element the reader is on, node by node (depth-checked).</summary>
        public void Discard()
        {
            foreach (var _ in Descendants())
            {
            }
        }

        private void Read()
        {
            if (!reader.Read())
            {
                throw new CalDavInvalidResponseException("The server's XML answer ends before its last element does.");
            }

            if (reader.Depth > MaxDepth)
            {
                throw new CalDavInvalidResponseException($"The server's XML answer nests elements more than {MaxDepth} levels deep.");
            }
        }
    }

    /// <summary>
    /// Watches the bytes the XML reader pulls and refuses an element with more than <see cref="MaxAttributesPerElement"/>
    /// attributes (counted as '=' outside quotes inside a tag; comments, CDATA sections and processing instructions
    /// are passed over). Only ASCII delimiters are looked at, which UTF-8 never uses inside a multi-byte character.
    /// </summary>
    private sealed class MarkupGuard(Stream inner) : Stream
    {
        private enum State
        {
            Text,
            Open,
            Bang,
            Tag,
            Quoted,
            Cdata,
            Comment,
            Instruction,
        }

        private State _state;
        private byte _quote;
        private int _attributes;
        private byte _last;
        private byte _beforeLast;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var read = inner.Read(buffer);
            foreach (var b in buffer[..read])
            {
                Watch(b);
            }

            return read;
        }

        private void Watch(byte b)
        {
            _state = _state switch
            {
                State.Text => b == '<' ? State.Open : State.Text,
                State.Open => b switch
                {
                    (byte)'!' => State.Bang,
                    (byte)'?' => State.Instruction,
                    _ => InTag(b, fresh: true),
                },
                State.Bang => b switch
                {
                    (byte)'[' => State.Cdata,
                    (byte)'-' => State.Comment,
                    _ => InTag(b, fresh: true),
                },
                State.Tag => InTag(b, fresh: false),
                State.Quoted => b == _quote ? State.Tag : State.Quoted,
                State.Cdata => b == '>' && _last == ']' && _beforeLast == ']' ? State.Text : State.Cdata,
                State.Comment => b == '>' && _last == '-' && _beforeLast == '-' ? State.Text : State.Comment,
                _ => b == '>' && _last == '?' ? State.Text : State.Instruction,
            };
            (_beforeLast, _last) = (_last, b);
        }

        private State InTag(byte b, bool fresh)
        {
            if (fresh)
            {
                _attributes = 0;
            }

            switch (b)
            {
                case (byte)'>':
                    return State.Text;
                case (byte)'"' or (byte)'\'':
                    _quote = b;
                    return State.Quoted;
                case (byte)'=' when ++_attributes > MaxAttributesPerElement:
                    throw new CalDavInvalidResponseException($"The server's XML answer has an element with more than {MaxAttributesPerElement} attributes.");
                default:
                    return State.Tag;
            }
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>Text gathered up to a limit: beyond it, refused (a malformed answer) or cut.</summary>
    private sealed class BoundedText(int limit, bool refuseOverflow)
    {
        private readonly StringBuilder _text = new();

        public void Append(ReadOnlySpan<char> chunk)
        {
            var room = limit - _text.Length;
            if (chunk.Length > room && refuseOverflow)
            {
                throw new CalDavInvalidResponseException($"The server's XML answer holds a text longer than {limit} characters where a short one belongs.");
            }

            _text.Append(chunk[..Math.Min(room, chunk.Length)]);
        }

        public override string ToString() => _text.ToString();
    }
}

/// <summary>One property of a DAV:response: its text (trimmed by <see cref="DavResponse.Text"/>), the names of the
/// elements inside it, the name attributes of the CALDAV:comp elements inside it, and the first DAV:href inside it.</summary>
internal sealed record DavProperty(
    XName Name, string Text, IReadOnlySet<(string Namespace, string LocalName)> Elements, IReadOnlyList<string> ComponentNames, string? Href)
{
    public bool Contains(XName element) => Elements.Contains((element.NamespaceName, element.LocalName));
}

/// <summary>One DAV:response: its href, the response-level status (multiget/sync-collection use it for 404), and
/// the properties the server returned with a 2xx propstat.</summary>
internal sealed record DavResponse(string Href, int? Status, IReadOnlyDictionary<XName, DavProperty> Properties, IReadOnlySet<XName> MissingProperties)
{
    public string? Text(XName property) => Properties.TryGetValue(property, out var found) ? found.Text.Trim() : null;

    public DavProperty? Property(XName property) => Properties.GetValueOrDefault(property);

    public bool IsNotFound => Status is (int)HttpStatusCode.NotFound or (int)HttpStatusCode.Gone;
}
