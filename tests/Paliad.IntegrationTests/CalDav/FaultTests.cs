using Paliad.Infrastructure.CalDav;

namespace Paliad.IntegrationTests.CalDav;

/// <summary>Faults injected by a proxy in front of each real server: each ends in the right typed outcome (a retry
/// that succeeds, or a CalDavException the engine can act on), never an unhandled exception.</summary>
public sealed class FaultTests(string server) : CalDavTest(server)
{
    private FaultProxy _proxy = null!;
    private CalDavClient _viaProxy = null!;
    private RequestCounter _proxyCounter = null!;

    [SetUp]
    public async Task StartProxyAsync()
    {
        _proxy = await FaultProxy.StartAsync(ServerUrl);
        _proxyCounter = new RequestCounter();
        _viaProxy = CalDavServers.Client(_proxy.Url, Options(), _proxyCounter);
    }

    [TearDown]
    public async Task StopProxyAsync()
    {
        _proxyCounter.Dispose();
        await _proxy.DisposeAsync();
    }

    [Test]
    public async Task A_503_with_a_short_retry_after_is_retried_and_succeeds()
    {
        _proxy.Inject(new Fault.Status("PROPFIND", 503, "1"));

        var state = await _viaProxy.GetCollectionStateAsync(Calendar);

        Assert.That(state.SyncToken, Is.Not.Null);
        Assert.That(_proxyCounter.Count("PROPFIND"), Is.EqualTo(2));
        Assert.That(_proxy.FaultsServed, Is.EqualTo(1));
    }

    [Test]
    public void A_503_with_a_long_retry_after_surfaces_as_rate_limited_without_waiting()
    {
        _proxy.Inject(new Fault.Status("PROPFIND", 503, "120"));

        var error = Assert.ThrowsAsync<CalDavRateLimitedException>(() => _viaProxy.GetCollectionStateAsync(Calendar));

        Assert.That(error!.RetryAfter, Is.EqualTo(TimeSpan.FromSeconds(120)).Within(TimeSpan.FromSeconds(2)));
        Assert.That(_proxyCounter.Count("PROPFIND"), Is.EqualTo(1));
    }

    [Test]
    public void A_retry_after_given_as_an_http_date_is_honoured()
    {
        _proxy.Inject(new Fault.Status("PROPFIND", 429, DateTimeOffset.UtcNow.AddMinutes(10).ToString("R")));

        var error = Assert.ThrowsAsync<CalDavRateLimitedException>(() => _viaProxy.GetCollectionStateAsync(Calendar));

        Assert.That(error!.RetryAfter, Is.EqualTo(TimeSpan.FromMinutes(10)).Within(TimeSpan.FromSeconds(5)));
    }

    [Test]
    public void A_403_that_names_a_usage_limit_is_a_rate_limit_and_any_other_403_a_refusal()
    {
        // What Google answers when a user's 600 requests a minute are spent.
        _proxy.Inject(new Fault.Respond("PROPFIND", 403,
            () => "{\"error\":{\"errors\":[{\"domain\":\"usageLimits\",\"reason\":\"rateLimitExceeded\"}],\"code\":403,\"message\":\"Rate Limit Exceeded\"}}"));

        var limited = Assert.ThrowsAsync<CalDavRateLimitedException>(() => _viaProxy.GetCollectionStateAsync(Calendar));
        Assert.That(limited!.RetryAfter, Is.EqualTo(TimeSpan.FromSeconds(60)));
        Assert.That(limited.IsTransient, Is.True);

        _proxy.Inject(new Fault.Respond("PROPFIND", 403, () => "<error xmlns=\"DAV:\"><need-privileges/></error>"));
        Assert.ThrowsAsync<CalDavForbiddenException>(() => _viaProxy.GetCollectionStateAsync(Calendar));
    }

    [Test]
    public async Task A_429_without_retry_after_is_retried_with_backoff()
    {
        _proxy.Inject(new Fault.Status("REPORT", 429), new Fault.Status("REPORT", 429));
        await Client.CreateAsync(Href("one"), Event("one", "One"));

        var result = await _viaProxy.SyncCollectionAsync(Calendar, null);

        Assert.That(result.Changes, Has.Count.EqualTo(1));
        Assert.That(_proxyCounter.Count("REPORT"), Is.EqualTo(3));
    }

    [Test]
    public void Persistent_server_errors_end_as_a_server_error_after_the_retries()
    {
        _proxy.Inject(Enumerable.Repeat<Fault>(new Fault.Status("PROPFIND", 500), 10).ToArray());

        var error = Assert.ThrowsAsync<CalDavServerErrorException>(() => _viaProxy.GetCollectionStateAsync(Calendar));

        Assert.That(error!.IsTransient, Is.True);
        Assert.That(_proxyCounter.Count("PROPFIND"), Is.EqualTo(Options().MaxRetries + 1));
    }

    [Test]
    public async Task A_connection_reset_is_retried_and_the_write_lands_once()
    {
        _proxy.Inject(new Fault.Reset("PUT"));

        var etag = await _viaProxy.CreateAsync(Href("reset"), Event("reset", "After a reset"));

        Assert.That(etag, Is.Not.Null);
        Assert.That(_proxyCounter.Count("PUT"), Is.EqualTo(2));
        Assert.That((await Client.ListEtagsAsync(Calendar)).Keys, Is.EqualTo(new[] { Hrefs.Key(Href("reset")) }));
    }

    [Test]
    public void Malformed_xml_is_an_invalid_response()
    {
        _proxy.Inject(new Fault.MalformedXml("PROPFIND"));

        Assert.ThrowsAsync<CalDavInvalidResponseException>(() => _viaProxy.GetCollectionStateAsync(Calendar));
    }

    [Test]
    public void An_oversized_answer_is_refused_without_reading_it_all()
    {
        var options = CalDavServers.TestOptions(o => o.MaxResponseBytes = 256 * 1024);
        using var counter = new RequestCounter();
        var client = CalDavServers.Client(_proxy.Url, options, counter);
        _proxy.Inject(new Fault.Oversized("PROPFIND", 4 * 1024 * 1024));

        Assert.ThrowsAsync<CalDavInvalidResponseException>(() => client.GetCollectionStateAsync(Calendar));
    }

    [Test]
    public async Task A_multiget_that_leaves_an_href_out_fetches_it_alone()
    {
        await Client.CreateAsync(Href("kept"), Event("kept", "Kept"));
        await Client.CreateAsync(Href("dropped"), Event("dropped", "Dropped by the server"));
        _proxy.Inject(new Fault.DropHref("REPORT", "dropped"));

        var result = await _viaProxy.MultigetAsync(Calendar, [Href("kept"), Href("dropped")]);

        Assert.That(result.Found.Keys, Is.EquivalentTo(new[] { Hrefs.Key(Href("kept")), Hrefs.Key(Href("dropped")) }));
        Assert.That(result.Deleted, Is.Empty);
        Assert.That(result.Found[Hrefs.Key(Href("dropped"))].ICalendar, Does.Contain("Dropped by the server"));
        Assert.That(_proxyCounter.Count("REPORT"), Is.EqualTo(1));
        Assert.That(_proxyCounter.Count("GET"), Is.EqualTo(1));
    }

    [Test]
    public void A_redirect_to_another_host_is_refused_so_credentials_stay_home()
    {
        _proxy.Inject(new Fault.Redirect("PROPFIND", "http://localhost:9/steal"));

        var error = Assert.ThrowsAsync<CalDavOriginRefusedException>(() => _viaProxy.GetCollectionStateAsync(Calendar));

        Assert.That(error!.Message, Does.Contain("http://localhost:9"));
        Assert.That(_proxyCounter.Requests, Has.None.Contains("/steal"));
    }

    [Test]
    public void A_failed_put_is_a_typed_error_not_an_unhandled_exception()
    {
        _proxy.Inject(Enumerable.Repeat<Fault>(new Fault.Status("PUT", 502), 10).ToArray());

        var error = Assert.CatchAsync<CalDavException>(() => _viaProxy.CreateAsync(Href("x"), Event("x", "X")));

        Assert.That(error, Is.InstanceOf<CalDavServerErrorException>());
    }

    [Test]
    public async Task A_429_from_the_server_halves_its_concurrency_window()
    {
        var concurrency = new ServerConcurrency(() => Options());
        using var counter = new RequestCounter();
        var client = CalDavServers.Client(_proxy.Url, Options(), counter, concurrency: concurrency);
        _proxy.Inject(new Fault.Status("PROPFIND", 429));

        await client.GetCollectionStateAsync(Calendar);

        Assert.That(concurrency.WindowOf(_proxy.Url.Authority), Is.EqualTo(2).Within(0.5), "halved from 4, then widened a little by the retry's success");
    }
}
