using System.Net;
using Paliad.Infrastructure.CalDav;

namespace Paliad.UnitTests.CalDav;

/// <summary>The SSRF guard's judgement of addresses.</summary>
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
    [TestCase("::ffff:10.0.0.1")]
    [TestCase("::127.0.0.1")]
    [TestCase("64:ff9b::7f00:1")]
    [TestCase("64:ff9b::a9fe:a9fe")]
    [TestCase("64:ff9b::c0a8:101")]
    [TestCase("64:ff9b:1::a00:1")]
    [TestCase("2002:7f00:1::1")]
    [TestCase("2002:a9fe:a9fe::")]
    [TestCase("2002:c0a8:0101:1::1")]
    [TestCase("2001:0:4136:e378:8000:63bf:80ff:fffe")]
    [TestCase("2001:0:a00:1::5db8:d9dd")]
    [TestCase("192.0.2.1")]
    [TestCase("198.51.100.7")]
    [TestCase("203.0.113.9")]
    [TestCase("100::1")]
    [TestCase("168.63.129.16")]
    [TestCase("::ffff:93.184.216.34")]
    [TestCase("::ffff:0:93.184.216.34")]
    public void Loopback_private_and_link_local_addresses_are_not_public(string address)
    {
        Assert.That(NetworkGuard.IsPublic(IPAddress.Parse(address)), Is.False);
    }

    [TestCase("93.184.216.34")]
    [TestCase("172.32.0.1")]
    [TestCase("2a00:1450:4001:82b::200e")]
    [TestCase("168.63.129.17")]
    [TestCase("64:ff9b::5db8:d822")]
    [TestCase("64:ff9b:1::808:808")]
    [TestCase("2002:5db8:d822::1")]
    [TestCase("2001:0:5db8:d822::a247:27dd")]
    public void Public_addresses_are_public(string address)
    {
        Assert.That(NetworkGuard.IsPublic(IPAddress.Parse(address)), Is.True);
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

    [TestCase("64:ff9b::7f00:1", "127.0.0.1")]
    [TestCase("64:ff9b:1::a00:1", "10.0.0.1")]
    [TestCase("2002:c0a8:0101::1", "192.168.1.1")]
    [TestCase("::ffff:10.1.2.3", "10.1.2.3")]
    public void The_ipv4_an_address_embeds_is_found(string address, string embedded)
    {
        Assert.That(NetworkGuard.EmbeddedIPv4(IPAddress.Parse(address)), Has.Member(IPAddress.Parse(embedded)));
    }

    [Test]
    public void Teredo_embeds_its_server_and_its_obfuscated_client()
    {
        // 2001:0:4136:e378:8000:63bf:3fff:fdd2 — server 65.54.227.120, client 192.0.2.45 (RFC 4380's example).
        var embedded = NetworkGuard.EmbeddedIPv4(IPAddress.Parse("2001:0:4136:e378:8000:63bf:3fff:fdd2"));

        Assert.That(embedded, Is.EqualTo(new[] { IPAddress.Parse("65.54.227.120"), IPAddress.Parse("192.0.2.45") }));
    }

    [TestCase("2a00:1450:4001:82b::200e")]
    [TestCase("fd00::1")]
    [TestCase("93.184.216.34")]
    public void Other_addresses_embed_nothing(string address)
    {
        Assert.That(NetworkGuard.EmbeddedIPv4(IPAddress.Parse(address)), Is.Null);
    }

    [Test]
    public void Environment_proxies_are_never_used_unless_configured()
    {
        using var plain = CalDavHttp.CreatePrimaryHandler(() => new CalDavOptions());
        using var proxied = CalDavHttp.CreatePrimaryHandler(() => new CalDavOptions { Proxy = "http://egress.internal:3128/" });

        Assert.That(plain.UseProxy, Is.False);
        Assert.That(plain.Proxy, Is.Null);
        Assert.That(proxied.UseProxy, Is.True);
        Assert.That(proxied.Proxy!.GetProxy(new Uri("https://dav.example.com/")), Is.EqualTo(new Uri("http://egress.internal:3128/")));
    }
}
