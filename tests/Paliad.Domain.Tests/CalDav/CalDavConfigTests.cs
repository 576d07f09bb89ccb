using Paliad.Domain.CalDav;
using Paliad.Domain.Common;

namespace Paliad.Domain.Tests.CalDav;

public sealed class CalDavConfigTests
{
    private static readonly Guid User = Guid.CreateVersion7();

    private static CalDavConfig Configure(string serverUrl = "https://dav.example.com/", int interval = 15, string? password = "enc:1")
        => CalDavConfig.Configure(User, serverUrl, "alice", password, "/dav/alice/master/", true, interval, Clock.Now);

    [TestCase("http://dav.example.com")]
    [TestCase("https://dav.example.com/remote.php/dav/")]
    public void Http_and_https_servers_are_accepted(string url)
    {
        Assert.That(Configure(url).ServerUrl, Is.EqualTo(url));
    }

    [TestCase("ftp://dav.example.com/")]
    [TestCase("dav.example.com")]
    [TestCase("javascript:alert(1)")]
    [TestCase("")]
    public void Other_server_urls_are_refused(string url)
    {
        var error = Assert.Throws<DomainException>(() => Configure(url));
        Assert.That(error!.Field, Is.EqualTo("serverUrl"));
    }

    [TestCase(CalDavConfig.MinSyncIntervalMinutes)]
    [TestCase(CalDavConfig.MaxSyncIntervalMinutes)]
    public void The_interval_edges_are_accepted(int minutes)
    {
        Assert.That(Configure(interval: minutes).SyncIntervalMinutes, Is.EqualTo(minutes));
    }

    [TestCase(CalDavConfig.MinSyncIntervalMinutes - 1)]
    [TestCase(CalDavConfig.MaxSyncIntervalMinutes + 1)]
    public void Intervals_outside_the_range_are_refused(int minutes)
    {
        var error = Assert.Throws<DomainException>(() => Configure(interval: minutes));
        Assert.That(error!.Field, Is.EqualTo("syncIntervalMinutes"));
    }

    [Test]
    public void Reconfiguring_without_a_password_keeps_the_stored_one()
    {
        var config = Configure(password: "enc:secret");

        config.Reconfigure("https://dav.example.com/", "alice", null, "/dav/alice/other/", true, 30, Clock.Now);

        Assert.That(config.EncryptedPassword, Is.EqualTo("enc:secret"));
        Assert.That(config.CalendarPath, Is.EqualTo("/dav/alice/other/"));
    }
}
