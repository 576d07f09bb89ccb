using System.IO.Compression;
using System.Text;
using Paliad.Infrastructure.CalDav;

namespace Paliad.IntegrationTests.CalDav;

/// <summary>Content-Encoding from a server: at most two codings, each gzip, deflate, br or identity, judged before a
/// decoder is built.</summary>
public sealed class ContentCodingTests
{
    private const string Answer = """<?xml version="1.0"?><d:multistatus xmlns:d="DAV:"><d:response><d:href>/dav/c/</d:href><d:propstat><d:prop><d:resourcetype><d:collection/></d:resourcetype><d:getetag>"7"</d:getetag></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response></d:multistatus>""";

    private HostileCalDavServer _server = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _server = await HostileCalDavServer.StartAsync();

    [OneTimeTearDown]
    public async Task StopAsync() => await _server.DisposeAsync();

    [Test]
    public async Task Two_codings_are_decoded_in_order()
    {
        _server.Answer = HostileCalDavServer.MultiStatus(Brotli(Gzip(Encoding.UTF8.GetBytes(Answer))), ("Content-Encoding", "gzip, identity, br"));

        var etag = await Client().GetEtagAsync("/dav/c/");

        Assert.That(etag, Is.EqualTo("\"7\""));
    }

    [Test]
    public void A_third_coding_is_refused()
    {
        _server.Answer = HostileCalDavServer.MultiStatus([1], ("Content-Encoding", "gzip, br, deflate"));

        var error = Assert.ThrowsAsync<CalDavInvalidResponseException>(() => Client().GetEtagAsync("/dav/c/"));

        Assert.That(error!.Message, Does.Contain($"more than {CalDavTransportHandler.MaxContentCodings} content codings"));
    }

    [Test]
    public void Brotli_on_brotli_is_refused()
    {
        _server.Answer = HostileCalDavServer.MultiStatus([1], ("Content-Encoding", "br, br"));

        var error = Assert.ThrowsAsync<CalDavInvalidResponseException>(() => Client().GetEtagAsync("/dav/c/"));

        Assert.That(error!.Message, Does.Contain("Brotli on Brotli"));
    }

    [Test]
    public void Twenty_thousand_stacked_codings_are_refused_before_a_decoder_is_built()
    {
        _server.Answer = HostileCalDavServer.MultiStatus([0x0b], ("Content-Encoding", string.Join(",", Enumerable.Repeat("br", 20_000))));
        var client = Client();
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);

        Assert.ThrowsAsync<CalDavInvalidResponseException>(() => client.GetEtagAsync("/dav/c/"));

        Assert.That(GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore, Is.LessThan(16L * 1024 * 1024));
    }

    [TestCase("compress")]
    [TestCase("zstd")]
    public void A_coding_the_client_does_not_decode_is_refused(string coding)
    {
        _server.Answer = HostileCalDavServer.MultiStatus([1], ("Content-Encoding", coding));

        var error = Assert.ThrowsAsync<CalDavInvalidResponseException>(() => Client().GetEtagAsync("/dav/c/"));

        Assert.That(error!.Message, Does.Contain("unsupported Content-Encoding"));
    }

    private CalDavClient Client() => CalDavServers.Client(_server.Url, CalDavServers.TestOptions(o => o.MaxRetries = 0));

    private static byte[] Gzip(byte[] data)
    {
        using var packed = new MemoryStream();
        using (var gzip = new GZipStream(packed, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(data);
        }

        return packed.ToArray();
    }

    private static byte[] Brotli(byte[] data)
    {
        using var packed = new MemoryStream();
        using (var brotli = new BrotliStream(packed, CompressionLevel.Fastest, leaveOpen: true))
        {
            brotli.Write(data);
        }

        return packed.ToArray();
    }
}
