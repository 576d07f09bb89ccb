using Paliad.Domain.CalDav;
using Paliad.Domain.Common;
using Paliad.Domain.Feeds;

namespace Paliad.Domain.Tests.Feeds;

/// <summary>A read-only feed: the binding scopes' rules, a hashed secret only, rotation, and how often a fetch is
/// worth recording.</summary>
public sealed class CalendarFeedTests
{
    private static readonly Guid User = Guid.CreateVersion7();
    private static readonly string Hash = new('a', CalendarFeed.SecretHashLength);

    [Test]
    public void A_feed_keeps_its_scope_name_and_secret_hash()
    {
        var project = Guid.CreateVersion7();

        var feed = CalendarFeed.Create(User, "  Court dates  ", BindingScope.Client, project, Hash, Clock.Now);

        Assert.That(feed.Id, Is.Not.EqualTo(Guid.Empty));
        Assert.That(feed.UserId, Is.EqualTo(User));
        Assert.That(feed.DisplayName, Is.EqualTo("Court dates"));
        Assert.That((feed.Scope, feed.ScopeId), Is.EqualTo((BindingScope.Client, (Guid?)project)));
        Assert.That(feed.SecretHash, Is.EqualTo(Hash));
        Assert.That(feed.CreatedAt, Is.EqualTo(Clock.Now));
        Assert.That(feed.UpdatedAt, Is.EqualTo(Clock.Now));
        Assert.That(feed.LastFetchedAt, Is.Null);
    }

    [TestCase(BindingScope.Project, false)]
    [TestCase(BindingScope.AllVisible, true)]
    public void The_scope_id_rule_is_the_bindings(BindingScope scope, bool withScopeId)
    {
        var error = Assert.Throws<DomainException>(() => CalendarFeed.Create(User, "F", scope, withScopeId ? Guid.CreateVersion7() : null, Hash, Clock.Now));

        Assert.That(error!.Field, Is.EqualTo("scopeId"));
    }

    [TestCase("")]
    [TestCase("   ")]
    public void A_feed_needs_a_name(string name)
    {
        Assert.That(Assert.Throws<DomainException>(() => CalendarFeed.Create(User, name, BindingScope.AllVisible, null, Hash, Clock.Now))!.Field, Is.EqualTo("displayName"));
    }

    [Test]
    public void A_name_longer_than_the_limit_is_refused()
    {
        Assert.Throws<DomainException>(() => CalendarFeed.Create(User, new string('x', CalendarFeed.DisplayNameMaxLength + 1), BindingScope.AllVisible, null, Hash, Clock.Now));
        Assert.DoesNotThrow(() => CalendarFeed.Create(User, new string('x', CalendarFeed.DisplayNameMaxLength), BindingScope.AllVisible, null, Hash, Clock.Now));
    }

    [TestCase("secret")]
    [TestCase("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [TestCase("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    [TestCase("gaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    public void Only_a_lowercase_sha256_in_hex_is_stored_as_the_secret(string hash)
    {
        var error = Assert.Throws<DomainException>(() => CalendarFeed.Create(User, "F", BindingScope.AllVisible, null, hash, Clock.Now));

        Assert.That(error!.Field, Is.EqualTo("secret"));
        Assert.That(error.Message, Does.Contain("SHA-256"));
    }

    [Test]
    public void Rotating_replaces_the_hash_and_renaming_or_rescoping_keeps_it()
    {
        var feed = CalendarFeed.Create(User, "F", BindingScope.AllVisible, null, Hash, Clock.Now);
        var rotated = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

        feed.Rotate(rotated, Clock.Now.AddMinutes(1));
        feed.Rename("G", Clock.Now.AddMinutes(2));
        feed.ChangeScope(BindingScope.PersonalOnly, null, Clock.Now.AddMinutes(3));

        Assert.That(feed.SecretHash, Is.EqualTo(rotated));
        Assert.That(feed.DisplayName, Is.EqualTo("G"));
        Assert.That(feed.Scope, Is.EqualTo(BindingScope.PersonalOnly));
        Assert.That(feed.UpdatedAt, Is.EqualTo(Clock.Now.AddMinutes(3)));
        Assert.Throws<DomainException>(() => feed.Rotate("not-a-hash", Clock.Now));
        Assert.Throws<DomainException>(() => feed.ChangeScope(BindingScope.Case, null, Clock.Now));
        Assert.Throws<DomainException>(() => feed.Rename(" ", Clock.Now));
        Assert.That(feed.SecretHash, Is.EqualTo(rotated), "a refused change changes nothing");
    }

    [Test]
    public void A_never_fetched_feed_records_its_first_fetch_and_then_at_most_one_a_minute()
    {
        var feed = CalendarFeed.Create(User, "F", BindingScope.AllVisible, null, Hash, Clock.Now);

        Assert.That(feed.FetchIsWorthRecording(Clock.Now), Is.True);
        Assert.That(CalendarFeed.FetchRecordInterval, Is.EqualTo(TimeSpan.FromMinutes(1)));
        var last = Clock.Now;
        Assert.That(CalendarFeed.FetchIsWorthRecording(last, last.AddSeconds(59)), Is.False, "within the minute");
        Assert.That(CalendarFeed.FetchIsWorthRecording(last, last.AddMinutes(1)), Is.True, "a minute on");
        Assert.That(CalendarFeed.FetchIsWorthRecording(last, last.AddMinutes(5)), Is.True);
        Assert.That(CalendarFeed.FetchIsWorthRecording(null, last), Is.True, "never fetched");
    }
}
