using System.Diagnostics;
using System.Text.RegularExpressions;
using Paliad.Infrastructure.CalDav;

namespace Paliad.IntegrationTests.CalDav;

/// <summary>
/// A hostile (or badly broken) server behind the fault proxy, in front of each real server: whatever it does, the
/// client's operation ends within its deadline with a typed outcome, reads a bounded amount, and keeps nothing it
/// did not ask for. (The bounds on elapsed time are deadlines being honoured, with generous slack — not speed.)
/// </summary>
public sealed partial class HostileServerTests(string server) : CalDavTest(server)
{
    private const int AttemptSeconds = 1;
    private FaultProxy _proxy = null!;
    private CalDavClient _hostile = null!;
    private RequestCounter _counter = null!;

    [SetUp]
    public async Task StartProxyAsync()
    {
        _proxy = await FaultProxy.StartAsync(ServerUrl);
        _counter = new RequestCounter();
        _hostile = CalDavServers.Client(_proxy.Url, HostileOptions(), _counter);
    }

    [TearDown]
    public async Task StopProxyAsync()
    {
        _counter.Dispose();
        await _proxy.DisposeAsync();
    }

    private static CalDavOptions HostileOptions(Action<CalDavOptions>? configure = null) => CalDavServers.TestOptions(o =>
    {
        o.RequestTimeoutSeconds = AttemptSeconds;
        o.MaxRetries = 1;
        o.MaxSyncCollectionRounds = 5;
        configure?.Invoke(o);
    });

    /// <summary>Attempts × attempt timeout, plus the retry delay, plus slack for a loaded machine.</summary>
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds((AttemptSeconds * 2) + 8);

    [Test]
    public void Headers_then_a_stalled_body_end_at_the_attempt_timeout()
    {
        _proxy.Inject(new Fault.StallAfterHeaders("PROPFIND") { Always = true });
        var clock = Stopwatch.StartNew();

        Assert.ThrowsAsync<CalDavServerErrorException>(() => _hostile.GetCollectionStateAsync(Calendar));

        Assert.That(clock.Elapsed, Is.LessThan(Deadline));
        Assert.That(_counter.Count("PROPFIND"), Is.EqualTo(2), "one attempt and one retry, each cut off at its timeout");
    }

    [Test]
    public void A_slow_drip_body_ends_at_the_attempt_timeout()
    {
        _proxy.Inject(new Fault.SlowDrip("PROPFIND", TimeSpan.FromMilliseconds(100)) { Always = true });
        var clock = Stopwatch.StartNew();

        Assert.ThrowsAsync<CalDavServerErrorException>(() => _hostile.GetCollectionStateAsync(Calendar));

        Assert.That(clock.Elapsed, Is.LessThan(Deadline));
    }

    [Test]
    public void A_blackhole_ends_at_the_attempt_timeout()
    {
        _proxy.Inject(new Fault.Blackhole(null) { Always = true });
        var clock = Stopwatch.StartNew();

        Assert.ThrowsAsync<CalDavServerErrorException>(() => _hostile.GetCollectionStateAsync(Calendar));

        Assert.That(clock.Elapsed, Is.LessThan(Deadline));
    }

    [Test]
    public void An_endless_507_loop_with_fresh_tokens_stops_at_the_round_cap()
    {
        var round = 0;
        _proxy.Inject(new Fault.Respond("REPORT", 207, () =>
            $"""<?xml version="1.0"?><d:multistatus xmlns:d="DAV:"><d:response><d:href>{Calendar}</d:href><d:status>HTTP/1.1 507 Insufficient Storage</d:status></d:response><d:sync-token>http://x/token/{Interlocked.Increment(ref round)}</d:sync-token></d:multistatus>""")
        { Always = true });

        var error = Assert.ThrowsAsync<CalDavInvalidResponseException>(() => _hostile.SyncCollectionAsync(Calendar, "http://x/token/0"));

        Assert.That(error!.Message, Does.Contain("507"));
        Assert.That(_counter.Count("REPORT"), Is.EqualTo(5));
    }

    [Test]
    public void A_sync_collection_loop_stops_at_the_operation_byte_budget()
    {
        var client = CalDavServers.Client(_proxy.Url, HostileOptions(o => o.MaxOperationBytes = 64 * 1024), _counter);
        var padding = new string('x', 20 * 1024);
        var round = 0;
        _proxy.Inject(new Fault.Respond("REPORT", 207, () =>
            $"""<?xml version="1.0"?><d:multistatus xmlns:d="DAV:"><d:response><d:href>{Calendar}</d:href><d:status>HTTP/1.1 507 Insufficient Storage</d:status></d:response><d:sync-token>http://x/{Interlocked.Increment(ref round)}</d:sync-token><!-- {padding} --></d:multistatus>""")
        { Always = true });

        var error = Assert.ThrowsAsync<CalDavInvalidResponseException>(() => client.SyncCollectionAsync(Calendar, "http://x/0"));

        Assert.That(error!.Message, Does.Contain("exceeded"));
        Assert.That(_counter.Count("REPORT"), Is.LessThanOrEqualTo(4));
    }

    [Test]
    public void A_gzip_bomb_is_refused_with_memory_bounded()
    {
        _proxy.Inject(new Fault.GzipBomb("PROPFIND", 512 * 1024 * 1024) { Always = true });
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);

        var error = Assert.ThrowsAsync<CalDavInvalidResponseException>(() => _hostile.GetCollectionStateAsync(Calendar));

        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        Assert.That(error!.Message, Does.Contain("decompresses"));
        Assert.That(allocated, Is.LessThan(64L * 1024 * 1024), "the bomb is stopped long before it inflates (512 MiB)");
    }

    [Test]
    public void An_answer_with_more_responses_than_the_cap_is_refused()
    {
        var client = CalDavServers.Client(_proxy.Url, HostileOptions(o => o.MaxHrefsPerResponse = 10), _counter);
        var responses = string.Concat(Enumerable.Range(0, 11).Select(i => $"<d:response><d:href>{Calendar}{i}.ics</d:href><d:propstat><d:prop><d:getetag>\"{i}\"</d:getetag></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>"));
        _proxy.Inject(new Fault.Respond("PROPFIND", 207, () => $"""<?xml version="1.0"?><d:multistatus xmlns:d="DAV:">{responses}</d:multistatus>"""));

        Assert.ThrowsAsync<CalDavInvalidResponseException>(() => client.ListEtagsAsync(Calendar));
    }

    [Test]
    public async Task A_multiget_keeps_only_the_hrefs_it_asked_for()
    {
        await Client.CreateAsync(Href("asked"), Event("asked", "Asked for"));
        await Client.CreateAsync(Href("other"), Event("other", "Not asked for"));
        var smuggled = Hrefs.Key(Href("other"));
        _proxy.Inject(new Fault.Rewrite("REPORT", body => body.Replace("</multistatus>", $"""<response xmlns="DAV:"><href>{smuggled}</href><propstat><prop><getetag>"1"</getetag><calendar-data xmlns="urn:ietf:params:xml:ns:caldav">BEGIN:VCALENDAR</calendar-data></prop><status>HTTP/1.1 200 OK</status></propstat></response><response xmlns="DAV:"><href>http://127.0.0.2:9{Hrefs.Key(Href("asked"))}</href><status>HTTP/1.1 404 Not Found</status></response></multistatus>""", StringComparison.Ordinal)
            .Replace("</d:multistatus>", $"""<d:response><d:href>{smuggled}</d:href><d:status>HTTP/1.1 404 Not Found</d:status></d:response></d:multistatus>""", StringComparison.Ordinal)));

        var result = await _hostile.MultigetAsync(Calendar, [Href("asked")]);

        Assert.That(result.Found.Keys, Is.EqualTo(new[] { Hrefs.Key(Href("asked")) }));
        Assert.That(result.Deleted, Is.Empty, "a 404 for another origin's href says nothing about ours");
    }

    [Test]
    public async Task Long_markers_and_etags_from_a_server_are_read_without_harm()
    {
        await Client.CreateAsync(Href("e"), Event("e", "Event"));
        var longValue = new string('7', 2000);
        _proxy.Inject(new Fault.Rewrite("PROPFIND", body => EtagOrCtag().Replace(body, m => $"{m.Groups[1].Value}\"{longValue}\"{m.Groups[3].Value}")) { Always = true });

        var listing = await _hostile.ListEtagsAsync(Calendar);

        Assert.That(listing.Values.Single(), Has.Length.EqualTo(2002));
    }

    [GeneratedRegex("(<[^>]*getetag[^>]*>)([^<]*)(</[^>]*getetag>)")]
    private static partial Regex EtagOrCtag();
}
