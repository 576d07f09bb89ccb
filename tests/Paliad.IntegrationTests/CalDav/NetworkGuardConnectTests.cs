using Paliad.Infrastructure.CalDav;

namespace Paliad.IntegrationTests.CalDav;

/// <summary>The SSRF guard at connect time, through the production HTTP stack (the address judgement itself is unit-tested
/// in Paliad.UnitTests).</summary>
public sealed class NetworkGuardConnectTests
{
    [Test]
    public void The_client_refuses_a_loopback_server_when_private_networks_are_off()
    {
        var options = CalDavServers.TestOptions(o => o.AllowPrivateNetworks = false);
        using var counter = new RequestCounter();
        var client = CalDavServers.Client(CalDavServers.Url(CalDavServers.Radicale), options, counter);

        Assert.ThrowsAsync<CalDavAddressNotAllowedException>(() => client.DiscoverCalendarsAsync());
        Assert.That(counter.Requests, Has.Count.EqualTo(1), "refused at connect, not retried");
    }

    [Test]
    public void A_name_that_resolves_to_loopback_is_refused_too()
    {
        var options = CalDavServers.TestOptions(o => o.AllowPrivateNetworks = false);
        var url = new UriBuilder(CalDavServers.Url(CalDavServers.Radicale)) { Host = "localhost" }.Uri;
        using var counter = new RequestCounter();

        Assert.ThrowsAsync<CalDavAddressNotAllowedException>(() => CalDavServers.Client(url, options, counter).DiscoverCalendarsAsync());
    }

    [Test]
    public void A_name_resolving_to_a_private_address_and_a_name_resolving_to_nothing_are_told_the_same()
    {
        var options = CalDavServers.TestOptions(o => o.AllowPrivateNetworks = false);
        string Refusal(string host)
        {
            using var counter = new RequestCounter();
            var url = new UriBuilder(CalDavServers.Url(CalDavServers.Radicale)) { Host = host }.Uri;
            var error = Assert.ThrowsAsync<CalDavAddressNotAllowedException>(() => CalDavServers.Client(url, options, counter).DiscoverCalendarsAsync());
            return error!.Message.Replace(host, "HOST", StringComparison.Ordinal);
        }

        var resolvesPrivately = Refusal("localhost");
        var resolvesToNothing = Refusal("no-such-host.invalid");

        Assert.That(resolvesToNothing, Is.EqualTo(resolvesPrivately));
        Assert.That(resolvesPrivately, Does.Contain("address not allowed").And.Not.Contain("loopback").And.Not.Contain("private"));
    }
}
