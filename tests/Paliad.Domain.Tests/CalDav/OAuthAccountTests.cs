using Paliad.Domain.CalDav;
using Paliad.Domain.Common;

namespace Paliad.Domain.Tests.CalDav;

/// <summary>An account connected through an OAuth 2.0 provider: what it stores, how a refresh, a revoked grant, a
/// reconnect and a switch to a password change it.</summary>
public sealed class OAuthAccountTests
{
    private static readonly Guid User = Guid.CreateVersion7();
    private const string Google = "https://apidata.googleusercontent.com/caldav/v2/";

    private static ProtectedOAuthTokens Tokens(string access = "enc:access", string? refresh = "enc:refresh")
        => new(access, refresh, Clock.Now.AddHours(1));

    private static CalDavConfig Connected() => CalDavConfig.ConnectThroughProvider(User, "google", Google, "alice@gmail.example", Tokens(), Clock.Now);

    [Test]
    public void Connecting_stores_the_grant_and_no_password()
    {
        var config = Connected();

        Assert.That(config.AuthKind, Is.EqualTo(CalDavAuthKind.Oauth2));
        Assert.That(Words.Of(config.AuthKind), Is.EqualTo("oauth2"));
        Assert.That(config.Provider, Is.EqualTo("google"));
        Assert.That(config.ServerUrl, Is.EqualTo(Google));
        Assert.That(config.Username, Is.EqualTo("alice@gmail.example"));
        Assert.That(config.EncryptedPassword, Is.Null);
        Assert.That(config.Tokens, Is.EqualTo(Tokens()));
        Assert.That(config.NeedsReconnect, Is.False);
        Assert.That(config.SyncEnabled, Is.True);
        Assert.That(config.SyncIntervalMinutes, Is.EqualTo(CalDavConfig.DefaultSyncIntervalMinutes));
        Assert.That(config.CalendarPath, Is.Null);
        Assert.That(config.DequeueDomainEvents(), Has.Some.InstanceOf<CalDavConfigured>().And.Some.InstanceOf<CalDavAccountChanged>());
    }

    [Test]
    public void A_refresh_that_brings_no_new_refresh_token_keeps_the_old_one()
    {
        var config = Connected();

        config.RecordRefreshedTokens(new ProtectedOAuthTokens("enc:access-2", null, Clock.Now.AddHours(2)));

        Assert.That(config.Tokens, Is.EqualTo(new ProtectedOAuthTokens("enc:access-2", "enc:refresh", Clock.Now.AddHours(2))));
    }

    [Test]
    public void A_refresh_that_rotates_the_refresh_token_stores_the_new_one()
    {
        var config = Connected();

        config.RecordRefreshedTokens(new ProtectedOAuthTokens("enc:access-2", "enc:refresh-2", Clock.Now.AddHours(2)));

        Assert.That(config.Tokens!.EncryptedRefreshToken, Is.EqualTo("enc:refresh-2"));
    }

    [Test]
    public void A_refresh_is_not_a_change_the_person_made()
    {
        var config = Connected();
        config.DequeueDomainEvents();
        var updated = config.UpdatedAt;

        config.RecordRefreshedTokens(Tokens("enc:access-2"));

        Assert.That(config.DequeueDomainEvents(), Is.Empty);
        Assert.That(config.UpdatedAt, Is.EqualTo(updated));
    }

    [Test]
    public void A_refresh_the_provider_gave_clears_a_reconnect_that_was_needed()
    {
        var config = Connected();
        config.MarkNeedsReconnect();

        config.RecordRefreshedTokens(Tokens("enc:access-2"));

        Assert.That(config.NeedsReconnect, Is.False);
    }

    [Test]
    public void Tokens_are_required()
    {
        var config = Connected();

        Assert.Throws<ArgumentNullException>(() => config.RecordRefreshedTokens(null!));
        Assert.Throws<ArgumentNullException>(() => config.ReconnectThroughProvider("google", Google, "alice", null!, Clock.Now));
        Assert.Throws<ArgumentNullException>(() => CalDavConfig.ConnectThroughProvider(User, "google", Google, "alice", null!, Clock.Now));
    }

    [Test]
    public void A_basic_account_has_no_tokens_to_refresh()
    {
        var config = CalDavConfig.Configure(User, "https://dav.example.com/", "alice", "enc:pw", null, true, 15, Clock.Now);

        var refused = Assert.Throws<DomainException>(() => config.RecordRefreshedTokens(Tokens()));
        Assert.That(refused!.Field, Is.EqualTo("authKind"));
        Assert.That(refused.Message, Does.Contain("connected through a provider"));
        config.MarkNeedsReconnect();
        Assert.That(config.NeedsReconnect, Is.False, "a basic account is fixed by a password, not by connecting");
    }

    [Test]
    public void A_refused_grant_needs_a_reconnect_and_connecting_again_clears_it_and_releases_waiting_work()
    {
        var config = Connected();
        config.MarkNeedsReconnect();
        Assert.That(config.NeedsReconnect, Is.True);
        config.DequeueDomainEvents();

        config.ReconnectThroughProvider("google", Google, "alice@gmail.example", Tokens("enc:access-3", "enc:refresh-3"), Clock.Now.AddDays(1));

        Assert.That(config.NeedsReconnect, Is.False);
        Assert.That(config.Tokens!.EncryptedRefreshToken, Is.EqualTo("enc:refresh-3"));
        Assert.That(config.UpdatedAt, Is.EqualTo(Clock.Now.AddDays(1)));
        Assert.That(config.DequeueDomainEvents(), Is.EqualTo(new IDomainEvent[] { new CalDavAccountChanged(User) }));
    }

    [Test]
    public void A_basic_account_connected_through_a_provider_drops_its_password()
    {
        var config = CalDavConfig.Configure(User, "https://dav.example.com/", "alice", "enc:pw", "/cal/", true, 30, Clock.Now);

        config.ReconnectThroughProvider("google", Google, "alice@gmail.example", Tokens(), Clock.Now);

        Assert.That(config.EncryptedPassword, Is.Null);
        Assert.That(config.AuthKind, Is.EqualTo(CalDavAuthKind.Oauth2));
        Assert.That(config.SyncIntervalMinutes, Is.EqualTo(30), "the person's sync settings stay");
    }

    [Test]
    public void Saving_settings_without_a_password_keeps_the_grant()
    {
        var config = Connected();

        config.Reconfigure(Google + "alice/", "alice@gmail.example", null, null, false, 60, Clock.Now);

        Assert.That(config.AuthKind, Is.EqualTo(CalDavAuthKind.Oauth2));
        Assert.That(config.Tokens, Is.EqualTo(Tokens()));
        Assert.That(config.SyncEnabled, Is.False);
        Assert.That(config.SyncIntervalMinutes, Is.EqualTo(60));
    }

    [Test]
    public void A_grant_never_goes_to_another_server()
    {
        var config = Connected();

        var error = Assert.Throws<DomainException>(() => config.Reconfigure("https://evil.example/", "alice", null, null, true, 15, Clock.Now));

        Assert.That(error!.Field, Is.EqualTo("serverUrl"));
        Assert.That(error.Message, Does.Contain("connect it again"));
        Assert.That(config.ServerUrl, Is.EqualTo(Google));
    }

    [Test]
    public void Saving_a_password_turns_the_account_basic_and_drops_the_grant()
    {
        var config = Connected();
        config.MarkNeedsReconnect();
        config.DequeueDomainEvents();

        config.Reconfigure("https://dav.example.com/", "alice", "enc:pw", null, true, 15, Clock.Now);

        Assert.That(config.AuthKind, Is.EqualTo(CalDavAuthKind.Basic));
        Assert.That(config.Provider, Is.Null);
        Assert.That(config.Tokens, Is.Null);
        Assert.That(config.NeedsReconnect, Is.False);
        Assert.That(config.EncryptedPassword, Is.EqualTo("enc:pw"));
        Assert.That(config.DequeueDomainEvents(), Has.Some.InstanceOf<CalDavAccountChanged>());
    }

    [TestCase("")]
    [TestCase("ftp://x.example/")]
    public void Connecting_to_a_server_that_is_not_http_is_refused(string serverUrl)
    {
        var error = Assert.Throws<DomainException>(() => CalDavConfig.ConnectThroughProvider(User, "google", serverUrl, "alice", Tokens(), Clock.Now));

        Assert.That(error!.Field, Is.EqualTo("serverUrl"));
        Assert.That(error.Message, Does.Contain("absolute http or https URL"));
    }

    [Test]
    public void Connecting_needs_a_provider_and_an_account_name()
    {
        Assert.That(Assert.Throws<DomainException>(() => CalDavConfig.ConnectThroughProvider(User, " ", Google, "alice", Tokens(), Clock.Now))!.Field,
            Is.EqualTo("provider"));
        Assert.That(Assert.Throws<DomainException>(() => CalDavConfig.ConnectThroughProvider(User, "google", Google, "", Tokens(), Clock.Now))!.Field,
            Is.EqualTo("username"));
    }

    [Test]
    public void A_connection_lives_ten_minutes()
    {
        var connection = OAuthConnection.Start(User, "google", "hash", "enc:verifier", "https://paliad.example/api/caldav-oauth/google/callback", Clock.Now);

        Assert.That(connection.ExpiresAt, Is.EqualTo(Clock.Now.AddMinutes(10)));
        Assert.That(connection.HasExpired(Clock.Now.AddMinutes(10).AddTicks(-10)), Is.False);
        Assert.That(connection.HasExpired(Clock.Now.AddMinutes(10)), Is.True);
        Assert.That(connection.UserId, Is.EqualTo(User));
        Assert.That(connection.Id, Is.Not.EqualTo(Guid.Empty));
    }
}
