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

    [TestCase("https://alice:secret@dav.example.com/")]
    [TestCase("https://alice@dav.example.com/dav/")]
    [TestCase("http://:pw@dav.example.com")]
    public void A_server_url_with_user_info_is_refused(string url)
    {
        var error = Assert.Throws<DomainException>(() => Configure(url));

        Assert.That(error!.Field, Is.EqualTo("serverUrl"));
        Assert.That(error.Message, Is.EqualTo(CalDavConfig.UserInfoRule));
        Assert.That(CalDavConfig.HasUserInfo(url), Is.True);
        Assert.That(CalDavConfig.IsHttpUrl(url), Is.False);
    }

    [TestCase("https://dav.example.com/a@b/")]
    [TestCase("https://dav.example.com/?who=a@b")]
    [TestCase("https://dav.example.com/#a@b")]
    [TestCase("dav.example.com")]
    public void An_at_sign_after_the_authority_is_not_user_info(string url)
    {
        Assert.That(CalDavConfig.HasUserInfo(url), Is.False);
    }

    [TestCase("https://evil.example/")]
    [TestCase("https://dav.example.com:8443/")]
    [TestCase("http://dav.example.com/")]
    public void Moving_to_another_origin_without_a_new_password_is_refused(string otherOrigin)
    {
        var config = Configure(password: "enc:secret");

        var error = Assert.Throws<DomainException>(() => config.Reconfigure(otherOrigin, "alice", null, null, true, 15, Clock.Now));

        Assert.That(error!.Field, Is.EqualTo("password"));
        Assert.That(config.ServerUrl, Is.EqualTo("https://dav.example.com/"));
    }

    [Test]
    public void Moving_to_another_origin_with_a_new_password_is_accepted()
    {
        var config = Configure(password: "enc:secret");

        config.Reconfigure("https://other.example/dav/", "alice", "enc:new", null, true, 15, Clock.Now);

        Assert.That(config.ServerUrl, Is.EqualTo("https://other.example/dav/"));
        Assert.That(config.EncryptedPassword, Is.EqualTo("enc:new"));
    }

    [Test]
    public void An_account_without_a_stored_password_may_move_without_one()
    {
        var config = Configure(password: null);

        config.Reconfigure("https://other.example/dav/", "alice", null, null, true, 15, Clock.Now);

        Assert.That(config.ServerUrl, Is.EqualTo("https://other.example/dav/"));
        Assert.That(config.EncryptedPassword, Is.Null);
    }

    [Test]
    public void Another_path_on_the_same_origin_keeps_the_stored_password()
    {
        var config = Configure(password: "enc:secret");

        config.Reconfigure("https://DAV.example.com:443/other/", "alice", null, null, true, 15, Clock.Now);

        Assert.That(config.EncryptedPassword, Is.EqualTo("enc:secret"));
    }

    [Test]
    public void A_first_configuration_raises_configured_and_account_changed()
    {
        var events = Configure().DequeueDomainEvents();

        Assert.That(events, Is.EqualTo(new IDomainEvent[] { new CalDavConfigured(User, "/dav/alice/master/"), new CalDavAccountChanged(User) }));
    }

    [TestCase("https://other.example/", "alice", "enc:new")]
    [TestCase("https://dav.example.com/", "bob", null)]
    [TestCase("https://dav.example.com/", "alice", "enc:new")]
    public void A_changed_url_username_or_password_raises_account_changed(string url, string username, string? password)
    {
        var config = Configure(password: "enc:1");
        config.DequeueDomainEvents();

        config.Reconfigure(url, username, password, "/dav/alice/master/", true, 15, Clock.Now);

        Assert.That(config.DequeueDomainEvents(), Is.EqualTo(new[] { new CalDavAccountChanged(User) }));
    }

    [Test]
    public void Saving_the_same_account_again_raises_nothing()
    {
        var config = Configure(password: "enc:1");
        config.DequeueDomainEvents();

        config.Reconfigure("https://dav.example.com/", "alice", null, "/dav/alice/other/", false, 30, Clock.Now);

        Assert.That(config.DequeueDomainEvents(), Is.Empty);
    }

    [TestCase("//dav.example.com/")]
    [TestCase("https://dav.example.com/ x")]
    public void Urls_without_a_scheme_or_with_whitespace_are_not_http_urls(string url)
    {
        Assert.That(CalDavConfig.IsHttpUrl(url), Is.False);
    }

    [Test]
    public void User_info_is_found_right_after_the_scheme()
    {
        Assert.That(CalDavConfig.HasUserInfo("//u@dav.example.com/"), Is.True);
        Assert.That(CalDavConfig.HasUserInfo(null), Is.False);
    }
}
