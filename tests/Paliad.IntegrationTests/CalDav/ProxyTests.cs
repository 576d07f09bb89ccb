using System.Net;
using Paliad.Infrastructure.CalDav;

namespace Paliad.IntegrationTests.CalDav;

/// <summary>Proxies: the environment's are never used (a proxy sees every credential); a configured one is used, and
/// the SSRF guard still judges the target behind it.</summary>
[NonParallelizable]
public sealed class ProxyTests
{
    [Test]
    public async Task An_environment_proxy_is_ignored_by_the_caldav_client()
    {
        using var proxy = new ForeignListener(IPAddress.Loopback);
        var previous = HttpClient.DefaultProxy;
        HttpClient.DefaultProxy = new WebProxy($"http://{proxy.Authority}/"); // what HTTP_PROXY would give every client
        try
        {
            // Control: an ordinary client goes through it (so this test would see a leak).
            using (var ordinary = new HttpClient { Timeout = TimeSpan.FromSeconds(2) })
            {
                Assert.CatchAsync(() => ordinary.GetAsync(CalDavServers.Url(CalDavServers.Radicale)));
            }

            var seenByOrdinary = proxy.Connections;
            var client = CalDavServers.Client(CalDavServers.Url(CalDavServers.Radicale), CalDavServers.TestOptions());

            var principal = await client.FindPrincipalAsync();

            Assert.That(seenByOrdinary, Is.GreaterThan(0));
            Assert.That(principal, Is.Not.Empty);
            Assert.That(proxy.Connections, Is.EqualTo(seenByOrdinary), "the CalDAV client never connected to the environment's proxy");
        }
        finally
        {
            HttpClient.DefaultProxy = previous;
        }
    }

    [Test]
    public void Behind_a_configured_proxy_a_private_target_is_still_refused_before_the_proxy_sees_it()
    {
        using var proxy = new ForeignListener(IPAddress.Loopback);
        var options = CalDavServers.TestOptions(o =>
        {
            o.AllowPrivateNetworks = false;
            o.Proxy = $"http://{proxy.Authority}/";
            o.MaxRetries = 0;
        });
        var client = CalDavServers.Client(new Uri("http://127.0.0.1:9/dav/"), options);

        Assert.ThrowsAsync<CalDavAddressNotAllowedException>(() => client.GetCollectionStateAsync("/dav/cal/"));
        Assert.That(proxy.Connections, Is.Zero);
    }

    [Test]
    public async Task A_configured_proxy_carries_the_requests_to_a_target_the_guard_allows()
    {
        await using var forwarder = await FaultProxy.StartAsync(CalDavServers.Url(CalDavServers.Radicale));
        var options = CalDavServers.TestOptions(o => o.Proxy = forwarder.Url.ToString());
        var client = CalDavServers.Client(new Uri("http://127.0.0.1:9/"), options);

        // An HTTP proxy gets the absolute URL; this forwarder passes the path on to Radicale, which answers.
        var principal = await client.FindPrincipalAsync();

        Assert.That(principal, Is.Not.Empty);
        Assert.That(forwarder.Requests, Has.Some.StartsWith("PROPFIND "), "requests went through the configured proxy");
    }
}
