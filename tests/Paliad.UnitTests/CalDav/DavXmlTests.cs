using System.Text;
using System.Xml.Linq;
using Paliad.Infrastructure.CalDav;

namespace Paliad.UnitTests.CalDav;

/// <summary>The multistatus reader: DTDs refused, nesting bounded while reading, only asked-for properties kept,
/// texts bounded.</summary>
public sealed class DavXmlTests
{
    private static readonly XName GetEtag = DavXml.Dav + "getetag";
    private static readonly XName DisplayName = DavXml.Dav + "displayname";

    [Test]
    public void A_multistatus_with_a_dtd_is_refused()
    {
        const string billionLaughs = """
            <?xml version="1.0"?>
            <!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">]>
            <multistatus xmlns="DAV:"><response><href>&lol2;</href></response></multistatus>
            """;

        Assert.Throws<CalDavInvalidResponseException>(() => Read(billionLaughs));
    }

    [Test]
    public void A_multistatus_is_read_with_its_statuses()
    {
        const string xml = """
            <d:multistatus xmlns:d="DAV:"><d:response><d:href>/c/a.ics</d:href><d:propstat><d:prop><d:getetag>"1"</d:getetag></d:prop>
            <d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response><d:response><d:href>/c/b.ics</d:href><d:status>HTTP/1.1 404 Not Found</d:status>
            </d:response><d:sync-token>t2</d:sync-token></d:multistatus>
            """;

        var (responses, syncToken) = Read(xml);

        Assert.That(syncToken, Is.EqualTo("t2"));
        Assert.That(responses[0].Href, Is.EqualTo("/c/a.ics"));
        Assert.That(responses[0].Text(GetEtag), Is.EqualTo("\"1\""));
        Assert.That(responses[1].IsNotFound, Is.True);
    }

    [Test]
    public void A_property_whose_propstat_is_not_2xx_is_missing_not_found()
    {
        var (responses, _) = Read(Response("<d:propstat><d:prop><d:getetag/></d:prop><d:status>HTTP/1.1 404 Not Found</d:status></d:propstat>"));

        Assert.That(responses[0].Property(GetEtag), Is.Null);
        Assert.That(responses[0].MissingProperties, Does.Contain(GetEtag));
    }

    [Test]
    public void An_href_nested_a_million_levels_deep_is_refused_at_the_depth_limit_while_reading()
    {
        const int levels = 1_000_000;
        var xml = new StringBuilder("<d:multistatus xmlns:d=\"DAV:\"><d:response><d:href>");
        xml.Insert(xml.Length, "<d:x>", levels).Append("/c/");
        xml.Insert(xml.Length, "</d:x>", levels).Append("</d:href></d:response></d:multistatus>");
        using var body = new MemoryStream(Encoding.UTF8.GetBytes(xml.ToString()));
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();

        var error = Assert.Throws<CalDavInvalidResponseException>(() => DavXml.ReadMultiStatus(body, [GetEtag], _ => { }));

        Assert.That(error!.Message, Does.Contain($"more than {DavXml.MaxDepth} levels"));
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - allocatedBefore, Is.LessThan(2 * 1024 * 1024), "refused near the top, not after reading the whole nest");
    }

    [Test]
    public void An_element_of_a_million_attributes_is_refused_before_the_reader_builds_it()
    {
        var attributes = new StringBuilder();
        for (var i = 0; i < 1_000_000; i++)
        {
            attributes.Append(" a").Append(i).Append("=''");
        }

        using var body = new MemoryStream(Encoding.UTF8.GetBytes($"<d:multistatus xmlns:d=\"DAV:\"><d:response{attributes}><d:href>/c/</d:href></d:response></d:multistatus>"));
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();

        var error = Assert.Throws<CalDavInvalidResponseException>(() => DavXml.ReadMultiStatus(body, [GetEtag], _ => { }));

        Assert.That(error!.Message, Does.Contain($"more than {DavXml.MaxAttributesPerElement} attributes"));
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - allocatedBefore, Is.LessThan(2 * 1024 * 1024));
    }

    [Test]
    public void Equals_signs_in_text_quoted_values_comments_and_cdata_are_not_attributes()
    {
        var many = new string('=', 500);
        var xml = $"<d:multistatus xmlns:d=\"DAV:\" xmlns:c=\"urn:ietf:params:xml:ns:caldav\"><!-- {many} --><?pi {many} ?><d:response x='{many}' y=\"a>{many}\">"
                  + $"<d:href>/c/a.ics</d:href><d:propstat><d:prop><c:calendar-data><![CDATA[{many}<x {many}]]>{many}</c:calendar-data></d:prop>"
                  + "<d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response></d:multistatus>";

        var data = Read(xml, DavXml.Cal + "calendar-data").Responses[0].Text(DavXml.Cal + "calendar-data");

        Assert.That(data, Is.EqualTo($"{many}<x {many}{many}"));
    }

    [TestCase(DavXml.MaxDepth, true)]
    [TestCase(DavXml.MaxDepth + 1, false)]
    public void Nesting_up_to_the_limit_is_read_and_one_level_more_is_refused(int depth, bool accepted)
    {
        // multistatus 0, response 1, propstat 2, prop 3, resourcetype 4: the nest inside starts at 5.
        var nest = depth - 4;
        var inside = string.Concat(Enumerable.Repeat("<d:x>", nest)) + string.Concat(Enumerable.Repeat("</d:x>", nest));
        var xml = Response($"<d:propstat><d:prop><d:resourcetype>{inside}</d:resourcetype></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat>");

        if (accepted)
        {
            Assert.That(Read(xml, DavXml.Dav + "resourcetype").Responses[0].Property(DavXml.Dav + "resourcetype")!.Contains(DavXml.Dav + "x"), Is.True);
        }
        else
        {
            Assert.Throws<CalDavInvalidResponseException>(() => Read(xml, DavXml.Dav + "resourcetype"));
        }
    }

    [Test]
    public void Properties_that_were_not_asked_for_are_not_kept()
    {
        var (responses, _) = Read(Response(Ok("<d:getetag>\"1\"</d:getetag><d:displayname>Court</d:displayname><x:secret xmlns:x=\"urn:x\">a</x:secret>")), GetEtag);

        Assert.That(responses[0].Properties.Keys, Is.EquivalentTo(new[] { GetEtag }));
    }

    [Test]
    public void An_etag_longer_than_any_real_one_is_a_malformed_answer()
    {
        var error = Assert.Throws<CalDavInvalidResponseException>(
            () => Read(Response(Ok($"<d:getetag>{new string('7', DavXml.MaxTextChars + 1)}</d:getetag>")), GetEtag));

        Assert.That(error!.Message, Does.Contain("longer than"));
    }

    [Test]
    public void A_display_name_longer_than_people_read_is_cut()
    {
        var (responses, _) = Read(Response(Ok($"<d:displayname>{new string('n', 100_000)}</d:displayname>")), DisplayName);

        Assert.That(responses[0].Text(DisplayName), Is.EqualTo(new string('n', 1024)));
    }

    [Test]
    public void Calendar_data_is_kept_whole()
    {
        var data = new string('d', DavXml.MaxTextChars * 2);
        var (responses, _) = Read(Response(Ok($"<c:calendar-data xmlns:c=\"urn:ietf:params:xml:ns:caldav\">{data}</c:calendar-data>")), DavXml.Cal + "calendar-data");

        Assert.That(responses[0].Text(DavXml.Cal + "calendar-data"), Has.Length.EqualTo(data.Length));
    }

    [Test]
    public void A_structured_property_keeps_its_href_its_elements_and_its_component_names()
    {
        var xml = Response(Ok("""
            <d:current-user-principal><d:href> /principals/ann/ </d:href></d:current-user-principal>
            <c:supported-calendar-component-set xmlns:c="urn:ietf:params:xml:ns:caldav"><c:comp name="VTODO"/><c:comp name="VEVENT"/></c:supported-calendar-component-set>
            """));

        var response = Read(xml, DavXml.Dav + "current-user-principal", DavXml.Cal + "supported-calendar-component-set").Responses[0];

        Assert.That(response.Property(DavXml.Dav + "current-user-principal")!.Href, Is.EqualTo("/principals/ann/"));
        Assert.That(response.Property(DavXml.Cal + "supported-calendar-component-set")!.ComponentNames, Is.EqualTo(new[] { "VTODO", "VEVENT" }));
        Assert.That(response.Property(DavXml.Cal + "supported-calendar-component-set")!.Contains(DavXml.Cal + "comp"), Is.True);
        Assert.That(response.Property(DavXml.Cal + "supported-calendar-component-set")!.Contains(DavXml.Dav + "comp"), Is.False);
    }

    [Test]
    public void More_responses_than_the_cap_are_refused()
    {
        var many = "<d:multistatus xmlns:d=\"DAV:\">" + string.Concat(Enumerable.Range(0, 4).Select(i => $"<d:response><d:href>/c/{i}</d:href></d:response>")) + "</d:multistatus>";

        Assert.DoesNotThrow(() => Read(many, 4));
        Assert.Throws<CalDavInvalidResponseException>(() => Read(many, 3));
    }

    [Test]
    public void A_root_other_than_multistatus_and_an_answer_that_breaks_off_are_malformed()
    {
        Assert.Throws<CalDavInvalidResponseException>(() => Read("<d:error xmlns:d=\"DAV:\"/>"));
        Assert.Throws<CalDavInvalidResponseException>(() => Read("<d:multistatus xmlns:d=\"DAV:\"><d:response><d:href>/c/"));
    }

    private static string Ok(string properties) => $"<d:propstat><d:prop>{properties}</d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat>";

    private static string Response(string inside) => $"<d:multistatus xmlns:d=\"DAV:\"><d:response><d:href>/c/a.ics</d:href>{inside}</d:response></d:multistatus>";

    private static (List<DavResponse> Responses, string? SyncToken) Read(string xml, params XName[] wanted) => Read(xml, int.MaxValue, wanted);

    private static (List<DavResponse> Responses, string? SyncToken) Read(string xml, int maxResponses, params XName[] wanted)
    {
        var responses = new List<DavResponse>();
        using var body = new MemoryStream(Encoding.UTF8.GetBytes(xml));
        var syncToken = DavXml.ReadMultiStatus(body, wanted.Length == 0 ? [GetEtag] : wanted, responses.Add, maxResponses);
        return (responses, syncToken);
    }
}
