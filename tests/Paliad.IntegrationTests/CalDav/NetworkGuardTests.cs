using System.Net;
using Paliad.Infrastructure.CalDav;

namespace Paliad.IntegrationTests.CalDav;

public sealed class NetworkGuardTests
{
    [TestCase("127.0.0.1")]
    [TestCase("10.1.2.3")]
    [TestCase("172.16.0.1")]
    [TestCase("172.31.255.255")]
    [TestCase("192.168.1.10")]
    [TestCase("169.254.169.254")]
    [TestCase("100.64.0.1")]
    [TestCase("0.0.0.0")]
    [TestCase("224.0.0.1")]
    [TestCase("::1")]
    [TestCase("fe80::1")]
    [TestCase("fd00::1")]
    [TestCase("::ffff:127.0.0.1")]
    public void Loopback_private_and_link_local_addresses_are_not_public(string address)
    {
        Assert.That(NetworkGuard.IsPublic(IPAddress.Parse(address)), Is.False);
    }

    [TestCase("93.184.216.34")]
    [TestCase("172.32.0.1")]
    [TestCase("2a00:1450:4001:82b::200e")]
    public void Public_addresses_are_public(string address)
    {
        Assert.That(NetworkGuard.IsPublic(IPAddress.Parse(address)), Is.True);
    }

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
}

/// <summary>The SSRF guard's check when an account is saved (the connect-time check is above).</summary>
public sealed class CalDavServerPolicyTests
{
    private static CalDavServerPolicy Policy(bool allowPrivate) => new(new FixedOptions(new CalDavOptions { AllowPrivateNetworks = allowPrivate }));

    [TestCase("http://127.0.0.1:5232/")]
    [TestCase("http://localhost/dav/")]
    [TestCase("https://10.0.0.5/")]
    [TestCase("http://[::1]:8080/")]
    [TestCase("http://169.254.169.254/latest/meta-data/")]
    public void Local_servers_are_refused_when_private_networks_are_off(string url)
    {
        Assert.That(Policy(allowPrivate: false).Refusal(url), Is.Not.Null);
        Assert.That(Policy(allowPrivate: true).Refusal(url), Is.Null);
    }

    [TestCase("https://caldav.fastmail.com/dav/")]
    [TestCase("https://93.184.216.34/")]
    public void Public_servers_are_allowed(string url)
    {
        Assert.That(Policy(allowPrivate: false).Refusal(url), Is.Null);
    }

    private sealed class FixedOptions(CalDavOptions value) : Microsoft.Extensions.Options.IOptionsMonitor<CalDavOptions>
    {
        public CalDavOptions CurrentValue => value;

        public CalDavOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<CalDavOptions, string?> listener) => null;
    }
}
