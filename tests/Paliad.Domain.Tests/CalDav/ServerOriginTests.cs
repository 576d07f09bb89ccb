using Paliad.Domain.CalDav;

namespace Paliad.Domain.Tests.CalDav;

public sealed class ServerOriginTests
{
    [TestCase("https://dav.example.com/", "https://dav.example.com/other/path")]
    [TestCase("https://dav.example.com/", "https://DAV.Example.com:443/")]
    [TestCase("http://dav.example.com/", "http://dav.example.com:80/x")]
    [TestCase("http://127.0.0.1:5232/", "http://127.0.0.1:5232/paliad/")]
    public void Same_scheme_host_and_port_are_one_origin(string a, string b)
    {
        Assert.That(ServerOrigin.Same(a, b), Is.True);
        Assert.That(ServerOrigin.Same(new Uri(a), new Uri(b)), Is.True);
    }

    [TestCase("https://dav.example.com/", "http://dav.example.com/")]
    [TestCase("https://dav.example.com/", "https://dav.example.com:8443/")]
    [TestCase("https://dav.example.com/", "https://evil.example/")]
    [TestCase("https://dav.example.com/", "https://dav.example.com.evil.example/")]
    [TestCase("http://127.0.0.1:5232/", "http://127.0.0.2:5232/")]
    [TestCase("https://dav.example.com/", "not a url")]
    [TestCase("https://dav.example.com/", null)]
    public void Anything_else_is_another_origin(string? a, string? b)
    {
        Assert.That(ServerOrigin.Same(a, b), Is.False);
        Assert.That(ServerOrigin.Same(b, a), Is.False);
    }

    [Test]
    public void A_relative_uri_is_never_the_same_origin()
    {
        Assert.That(ServerOrigin.Same(new Uri("https://dav.example.com/"), new Uri("/x", UriKind.Relative)), Is.False);
    }

    [Test]
    public void An_origin_is_described_without_path_or_credentials()
    {
        Assert.That(ServerOrigin.Describe(new Uri("https://u:p@dav.example.com:8443/secret/path?q=1")), Is.EqualTo("https://dav.example.com:8443"));
        Assert.That(ServerOrigin.Describe(new Uri("/x", UriKind.Relative)), Is.EqualTo("/x"));
    }
}
