using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Paliad.Application.CalDav;
using Paliad.Application.CalDav.OAuth.StartOAuthConnect;
using Paliad.Infrastructure.Accounts;
using Paliad.IntegrationTests.CalDav;
using Paliad.IntegrationTests.Infrastructure;
using Paliad.Infrastructure.CalDav;
using Paliad.Infrastructure.CalDav.ICalendar;
using Paliad.Infrastructure.Persistence.Outbox;

namespace Paliad.IntegrationTests.Identity;

/// <summary>
/// A CalDAV account connected through an OAuth 2.0 provider, end to end: the run's authorization server (OpenIddict)
/// and, in front of Radicale, a proxy that admits only bearer tokens the server says are active. The connect flow
/// through the API (the consent screen approves at once), the state's single use and expiry, PKCE, refresh ahead of
/// expiry and after a 401, two instances refreshing one account while the refresh token rotates, a revoked grant and
/// connecting again, and revocation when the account is deleted.
/// </summary>
public sealed class OAuthAccountTests : ApiTest
{
    private RequestCounter _counter = null!;
    private CalDavClient _radicale = null!;

    private const string Alice = "alice@firm.example";
    private const string Provider = OAuthTestProvider.Name;

    private static OAuthTestProvider OAuth => TestHost.OAuth;

    private static ICalDavPasswordProtector Protector => TestHost.Api.Services.GetRequiredService<ICalDavPasswordProtector>();

    [SetUp]
    public void OpenRadicale()
    {
        _counter = new RequestCounter();
        _radicale = CalDavServers.Client(CalDavServers.Url(CalDavServers.Radicale), CalDavServers.TestOptions(), _counter);
    }

    [TearDown]
    public void ConsentAgain()
    {
        OAuth.Server.DenyConsent = false;
        _counter.Dispose();
    }

    // ---- the connect flow ----------------------------------------------------------------------------------------

    [Test]
    public async Task The_configured_providers_are_listed_and_a_preset_without_a_client_id_is_not()
    {
        var providers = await ExpectAsync(As(Alice).GetAsync(new Uri("/api/caldav-oauth/providers", UriKind.Relative)), HttpStatusCode.OK);

        Assert.That(providers.EnumerateArray().Select(p => (p.GetProperty("name").GetString(), p.GetProperty("displayName").GetString())),
            Is.EqualTo(new[] { (Provider, OAuthTestProvider.DisplayName) }));
    }

    [Test]
    public async Task Connecting_stores_an_oauth2_account_and_its_calendars_sync_through_the_bearer_token()
    {
        var outcome = await ConnectAsync(Alice);

        Assert.That(outcome, Is.EqualTo("/#caldav=connected"));
        var config = await ExpectAsync(As(Alice).GetAsync(new Uri("/api/caldav-config", UriKind.Relative)), HttpStatusCode.OK);
        Assert.That(config.GetProperty("authKind").GetString(), Is.EqualTo("oauth2"));
        Assert.That(config.GetProperty("provider").GetString(), Is.EqualTo(Provider));
        Assert.That(config.GetProperty("needsReconnect").GetBoolean(), Is.False);
        Assert.That(config.GetProperty("hasPassword").GetBoolean(), Is.False);
        Assert.That(config.GetProperty("username").GetString(), Is.EqualTo(TestAuthorizationServer.Email), "named by the id_token's e-mail");
        Assert.That(config.GetProperty("serverUrl").GetString(), Is.EqualTo(OAuth.Front.Url.ToString()));
        Assert.That(await ScalarAsync<long>("SELECT count(*) FROM paliad.caldav_oauth_connections"), Is.Zero, "the state is used up");

        var accessToken = await StoredAccessTokenAsync(Alice);
        Assert.That(await OAuth.Server.IsActiveAsync(accessToken), Is.True);
        Assert.That(await ScalarAsync<string>("SELECT access_token FROM paliad.user_caldav_config"), Does.Not.Contain(accessToken), "encrypted at rest");

        var calendars = await ExpectAsync(As(Alice).GetAsync(new Uri("/api/caldav-calendars", UriKind.Relative)), HttpStatusCode.OK);
        Assert.That(calendars.GetArrayLength(), Is.GreaterThan(0), "discovery works through the bearer token");

        var calendar = await NewCalendarAsync("oauth");
        await CreateBindingAsync(As(Alice), calendar, "all_visible");
        await CreateAppointmentAsync(As(Alice), "Hearing at the Federal Patent Court");
        var results = await SyncNowAsync(Alice);

        Assert.That(results[0].GetProperty("status").GetString(), Is.EqualTo("ok"), results[0].ToString());
        Assert.That(await TitlesAsync(calendar), Is.EqualTo(new[] { "Hearing at the Federal Patent Court" }));
    }

    [Test]
    public async Task The_callback_needs_no_bearer_and_a_replayed_state_is_refused()
    {
        var callback = await ConsentAsync(await StartAsync(Alice));

        Assert.That(await CallbackAsync(callback), Is.EqualTo("/#caldav=connected"));
        Assert.That(await CallbackAsync(callback), Is.EqualTo("/#caldav=failed&reason=invalid_state"));
        Assert.That(OAuth.Server.CodeGrants, Is.GreaterThan(0));
    }

    [Test]
    public async Task A_state_older_than_ten_minutes_is_refused_and_nothing_is_stored()
    {
        var authorizationUrl = await StartAsync(Alice);
        await ExecuteAsync("UPDATE paliad.caldav_oauth_connections SET created_at = now() - interval '11 minutes', expires_at = now() - interval '1 minute'");

        Assert.That(await CallbackAsync(await ConsentAsync(authorizationUrl)), Is.EqualTo("/#caldav=failed&reason=expired"));
        Assert.That(await ScalarAsync<long>("SELECT count(*) FROM paliad.user_caldav_config"), Is.Zero);
    }

    [Test]
    public async Task A_made_up_state_is_refused()
    {
        Assert.That(await CallbackAsync(new Uri($"http://localhost/api/caldav-oauth/{Provider}/callback?code=abc&state=made-up")),
            Is.EqualTo("/#caldav=failed&reason=invalid_state"));
        Assert.That(await CallbackAsync(new Uri($"http://localhost/api/caldav-oauth/{Provider}/callback?code=abc")),
            Is.EqualTo("/#caldav=failed&reason=invalid_state"));
    }

    [Test]
    public async Task A_code_exchanged_with_another_verifier_is_refused_by_the_provider()
    {
        var authorizationUrl = await StartAsync(Alice);

        // What an attacker who stole the code would send: any verifier but the one whose challenge the provider holds.
        await ExecuteAsync("UPDATE paliad.caldav_oauth_connections SET encrypted_code_verifier = @v", ("v", Protector.Protect(OAuthSecrets.NewRandom())));

        Assert.That(await CallbackAsync(await ConsentAsync(authorizationUrl)), Is.EqualTo("/#caldav=failed&reason=exchange_failed"));
        Assert.That(await ScalarAsync<long>("SELECT count(*) FROM paliad.user_caldav_config"), Is.Zero);
    }

    [Test]
    public async Task A_refused_consent_comes_back_as_denied()
    {
        OAuth.Server.DenyConsent = true;
        var callback = await ConsentAsync(await StartAsync(Alice));

        Assert.That(callback.Query, Does.Contain("error=access_denied"));
        Assert.That(await CallbackAsync(callback), Is.EqualTo("/#caldav=failed&reason=denied"));
        await ExpectAsync(As(Alice).GetAsync(new Uri("/api/caldav-config", UriKind.Relative)), HttpStatusCode.NotFound);
    }

    [Test]
    public async Task Starting_with_a_provider_that_is_not_configured_is_a_404()
    {
        await ExpectAsync(PostAsync(As(Alice), "/api/caldav-oauth/google/start", new { }), HttpStatusCode.NotFound);
    }

    [Test]
    public async Task A_new_calendar_cannot_be_bound_on_a_provider_that_makes_no_calendars_but_an_existing_one_can()
    {
        await ConnectAsync(Alice);
        var existing = await NewCalendarAsync("existing");
        var missing = existing.TrimEnd('/') + "-not-there/";

        var refused = await ExpectAsync(PostAsync(As(Alice), "/api/caldav-bindings", new { calendarPath = missing, scope = "all_visible" }), HttpStatusCode.BadRequest);
        Assert.That(FieldErrors(refused, "calendarPath").Single(), Does.Contain($"{OAuthTestProvider.DisplayName} cannot create calendars"));
        Assert.That(await ScalarAsync<long>("SELECT count(*) FROM paliad.calendar_bindings"), Is.Zero);

        var binding = await CreateBindingAsync(As(Alice), existing, "all_visible");
        await ExpectAsync(PatchAsync(As(Alice), $"/api/caldav-bindings/{binding}", new { calendarPath = missing }), HttpStatusCode.BadRequest);
        Assert.That(await ScalarAsync<string>("SELECT calendar_path FROM paliad.calendar_bindings"), Is.EqualTo(existing));
    }

    // ---- tokens --------------------------------------------------------------------------------------------------

    [Test]
    public async Task An_access_token_about_to_expire_is_refreshed_before_it_is_used()
    {
        var calendar = await ConnectedWithCalendarAsync(Alice);
        var before = await StoredAccessTokenAsync(Alice);
        var grants = OAuth.Server.RefreshGrants;
        await ExecuteAsync("UPDATE paliad.user_caldav_config SET access_token_expires_at = now() + interval '30 seconds'");
        var refused = OAuth.Refused;

        await CreateAppointmentAsync(As(Alice), "Deadline: statement of defence");
        var results = await SyncNowAsync(Alice);

        Assert.That(results[0].GetProperty("status").GetString(), Is.EqualTo("ok"), results[0].ToString());
        Assert.That(OAuth.Server.RefreshGrants, Is.EqualTo(grants + 1));
        Assert.That(OAuth.Refused, Is.EqualTo(refused), "refreshed ahead: no request went out with the old token and was refused");
        Assert.That(await StoredAccessTokenAsync(Alice), Is.Not.EqualTo(before));
        Assert.That(await ScalarAsync<DateTime>("SELECT access_token_expires_at FROM paliad.user_caldav_config"), Is.GreaterThan(DateTime.UtcNow.AddMinutes(30)));
        Assert.That(await TitlesAsync(calendar), Does.Contain("Deadline: statement of defence"));
    }

    [Test]
    public async Task An_access_token_the_server_refuses_is_refreshed_once_and_the_request_sent_again()
    {
        var calendar = await ConnectedWithCalendarAsync(Alice);
        await OAuth.Server.RevokeAsync(await StoredAccessTokenAsync(Alice));
        var grants = OAuth.Server.RefreshGrants;
        var refused = OAuth.Refused;

        await CreateAppointmentAsync(As(Alice), "Oral hearing");
        var results = await SyncNowAsync(Alice);

        Assert.That(results[0].GetProperty("status").GetString(), Is.EqualTo("ok"), results[0].ToString());
        Assert.That(OAuth.Server.RefreshGrants, Is.EqualTo(grants + 1));
        Assert.That(OAuth.Refused, Is.EqualTo(refused + 1), "one 401, then the fresh token");
        Assert.That(await TitlesAsync(calendar), Does.Contain("Oral hearing"));
    }

    [Test]
    public async Task Two_instances_refreshing_one_account_at_once_refresh_once_and_keep_the_rotated_refresh_token()
    {
        await ConnectedWithCalendarAsync(Alice);
        await using var second = new PaliadApiFactory(TestDatabase.ConnectionString, OAuth.Settings());
        var stale = await StoredAccessTokenAsync(Alice);
        var grants = OAuth.Server.RefreshGrants;
        var userId = UserIdOf(Alice);

        var both = await Task.WhenAll(
            Task.Run(() => TestHost.Api.Services.GetRequiredService<OAuthTokenRefresher>().RefreshAsync(userId, stale, CancellationToken.None)),
            Task.Run(() => second.Services.GetRequiredService<OAuthTokenRefresher>().RefreshAsync(userId, stale, CancellationToken.None)));

        Assert.That(OAuth.Server.RefreshGrants, Is.EqualTo(grants + 1), "one refresh for both instances");
        Assert.That(both[0].Token, Is.EqualTo(both[1].Token));
        Assert.That(await OAuth.Server.IsActiveAsync(both[0].Token), Is.True);

        // The rotated refresh token was kept: a later refresh still works (the provider would refuse the old one and
        // revoke the whole grant if it were used again).
        var later = await second.Services.GetRequiredService<OAuthTokenRefresher>().RefreshAsync(userId, both[0].Token, CancellationToken.None);
        Assert.That(OAuth.Server.RefreshGrants, Is.EqualTo(grants + 2));
        Assert.That(await OAuth.Server.IsActiveAsync(later.Token), Is.True);
        Assert.That(await ScalarAsync<bool>("SELECT needs_reconnect FROM paliad.user_caldav_config"), Is.False);
    }

    [Test]
    public async Task A_revoked_grant_needs_a_reconnect_says_so_in_plain_words_and_connecting_again_repairs_it()
    {
        var calendar = await ConnectedWithCalendarAsync(Alice);
        await OAuth.Server.RevokeAsync(await StoredRefreshTokenAsync(Alice));
        await OAuth.Server.RevokeAsync(await StoredAccessTokenAsync(Alice));

        await CreateAppointmentAsync(As(Alice), "Settlement talks");
        var results = await SyncNowAsync(Alice);

        Assert.That(results[0].GetProperty("status").GetString(), Is.EqualTo("error"));
        Assert.That(results[0].GetProperty("error").GetString(), Does.Contain($"reconnect your {OAuthTestProvider.DisplayName} account"));
        Assert.That(results[0].GetProperty("errorDetail").GetString(), Does.Contain("invalid_grant"));
        var config = await ExpectAsync(As(Alice).GetAsync(new Uri("/api/caldav-config", UriKind.Relative)), HttpStatusCode.OK);
        Assert.That(config.GetProperty("needsReconnect").GetBoolean(), Is.True);
        var binding = (await ExpectAsync(As(Alice).GetAsync(new Uri("/api/caldav-bindings", UriKind.Relative)), HttpStatusCode.OK))[0];
        Assert.That(binding.GetProperty("lastSyncError").GetString(), Does.Contain("reconnect your"));

        var grants = OAuth.Server.RefreshGrants;
        Assert.That((await SyncNowAsync(Alice))[0].GetProperty("status").GetString(), Is.EqualTo("error"));
        Assert.That(OAuth.Server.RefreshGrants, Is.EqualTo(grants), "a grant known to be refused is not tried again");

        Assert.That(await ConnectAsync(Alice), Is.EqualTo("/#caldav=connected"));
        config = await ExpectAsync(As(Alice).GetAsync(new Uri("/api/caldav-config", UriKind.Relative)), HttpStatusCode.OK);
        Assert.That(config.GetProperty("needsReconnect").GetBoolean(), Is.False);
        Assert.That((await SyncNowAsync(Alice))[0].GetProperty("status").GetString(), Is.EqualTo("ok"));
        Assert.That(await TitlesAsync(calendar), Does.Contain("Settlement talks"));
    }

    [Test]
    public async Task A_removal_waiting_for_a_reconnect_is_parked_and_done_once_the_account_is_connected_again()
    {
        var calendar = await ConnectedWithCalendarAsync(Alice);
        var hearing = await CreateAppointmentAsync(As(Alice), "Vacated hearing");
        Assert.That((await SyncNowAsync(Alice))[0].GetProperty("status").GetString(), Is.EqualTo("ok"));
        await DrainAsync();
        Assert.That(await TitlesAsync(calendar), Is.EqualTo(new[] { "Vacated hearing" }));
        await ExecuteAsync("UPDATE paliad.user_caldav_config SET needs_reconnect = true");

        await ExpectAsync(As(Alice).DeleteAsync(new Uri($"/api/appointments/{hearing}", UriKind.Relative)), HttpStatusCode.NoContent);
        await DrainAsync();

        Assert.That(await ScalarAsync<long>("SELECT count(*) FROM paliad.outbox_messages WHERE parked_at IS NOT NULL AND dead_at IS NULL"), Is.EqualTo(1),
            "the removal waits for the account, as for a refused password; it neither dies nor retries");
        Assert.That(await TitlesAsync(calendar), Is.EqualTo(new[] { "Vacated hearing" }));

        Assert.That(await ConnectAsync(Alice), Is.EqualTo("/#caldav=connected"));
        await DrainAsync();

        Assert.That(await TitlesAsync(calendar), Is.Empty, "the court date that was vacated is gone from the phone too");
        Assert.That(await ScalarAsync<long>("SELECT count(*) FROM paliad.outbox_messages WHERE processed_at IS NULL"), Is.Zero);
    }

    [Test]
    public async Task A_refresh_the_caller_gives_up_on_is_still_finished_and_its_rotated_refresh_token_kept()
    {
        await ConnectedWithCalendarAsync(Alice);
        var stale = await StoredAccessTokenAsync(Alice);
        var grants = OAuth.Server.RefreshGrants;
        using var givenUp = new CancellationTokenSource();
        await givenUp.CancelAsync();

        Assert.CatchAsync<OperationCanceledException>(() =>
            TestHost.Api.Services.GetRequiredService<OAuthTokenRefresher>().RefreshAsync(UserIdOf(Alice), stale, givenUp.Token));
        var until = DateTime.UtcNow.AddSeconds(10);
        while (await StoredAccessTokenAsync(Alice) == stale && DateTime.UtcNow < until)
        {
            await Task.Delay(50);
        }

        Assert.That(OAuth.Server.RefreshGrants, Is.EqualTo(grants + 1), "the refresh went on without its caller");
        Assert.That(await StoredAccessTokenAsync(Alice), Is.Not.EqualTo(stale), "and its answer was stored");
        Assert.That(await OAuth.Server.RefreshesAsync(await StoredRefreshTokenAsync(Alice)), Is.True, "the stored refresh token is the rotated, live one");
    }

    [Test]
    public async Task On_the_shared_provider_one_accounts_429_narrows_only_that_accounts_window()
    {
        await ConnectedWithCalendarAsync(Alice);
        var concurrency = TestHost.Api.Services.GetRequiredService<ServerConcurrency>();
        var alices = $"{OAuth.Front.Url.Authority}#{UserIdOf(Alice)}";
        var bobs = $"{OAuth.Front.Url.Authority}#{UserIdOf("bob@firm.example")}";
        var before = concurrency.WindowOf(alices);

        // Google's quota answer, for every PROPFIND of the run (a wait too long to take inside the request).
        OAuth.Front.Inject(new Fault.Status("PROPFIND", 429, "120") { Always = true });
        try
        {
            Assert.That((await SyncNowAsync(Alice))[0].GetProperty("error").GetString(), Does.Contain("slow down"));
        }
        finally
        {
            OAuth.Front.ClearFaults();
        }

        var untouched = concurrency.WindowOf("a server nobody asked");
        Assert.That(concurrency.WindowOf(alices), Is.LessThanOrEqualTo(Math.Max(1, before / 2)), "Alice's window halved (never below one)");
        Assert.That(concurrency.WindowOf(bobs), Is.EqualTo(untouched), "another account on the same provider keeps its window");
        Assert.That(concurrency.WindowOf(OAuth.Front.Url.Authority), Is.EqualTo(untouched), "and so does the server's own");
    }

    [Test]
    public async Task Connecting_a_provider_while_bindings_use_another_server_is_a_409_that_says_what_to_do()
    {
        await ExpectAsync(PutAsync(As(Alice), "/api/caldav-config", new { serverUrl = "https://dav.firm.example/", username = "alice", password = "x" }), HttpStatusCode.OK);
        await CreateBindingAsync(As(Alice), "/dav/alice/court/", "all_visible");

        var refused = await ExpectAsync(PostAsync(As(Alice), $"/api/caldav-oauth/{Provider}/start", new { }), HttpStatusCode.Conflict);

        Assert.That(refused.GetProperty("detail").GetString(), Does.Contain("remove that account first"));
        Assert.That(await ScalarAsync<long>("SELECT count(*) FROM paliad.caldav_oauth_connections"), Is.Zero);
    }

    [Test]
    public async Task Giving_a_password_instead_makes_the_account_basic_and_gives_the_grant_back()
    {
        await ConnectAsync(Alice);
        var refreshToken = await StoredRefreshTokenAsync(Alice);

        var saved = await ExpectAsync(PutAsync(As(Alice), "/api/caldav-config",
            new { serverUrl = CalDavServers.Url(CalDavServers.Radicale).ToString(), username = CalDavServers.Username, password = CalDavServers.Password }), HttpStatusCode.OK);

        Assert.That(saved.GetProperty("authKind").GetString(), Is.EqualTo("basic"));
        Assert.That(saved.GetProperty("provider").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(await ScalarAsync<long>("SELECT count(*) FROM paliad.user_caldav_config WHERE access_token IS NULL AND refresh_token IS NULL"), Is.EqualTo(1));
        Assert.That(await OAuth.Server.RefreshesAsync(refreshToken), Is.False, "the dropped grant was revoked at the provider");
    }

    [Test]
    public async Task Deleting_the_account_revokes_the_grant_at_the_provider()
    {
        await ConnectAsync(Alice);
        var refreshToken = await StoredRefreshTokenAsync(Alice);

        await ExpectAsync(As(Alice).DeleteAsync(new Uri("/api/caldav-config", UriKind.Relative)), HttpStatusCode.NoContent);

        Assert.That(await OAuth.Server.RefreshesAsync(refreshToken), Is.False, "the provider no longer takes the grant");
    }

    // ---- helpers -------------------------------------------------------------------------------------------------

    /// <summary>A fresh calendar on Radicale (the provider's server), made straight on it.</summary>
    private async Task<string> NewCalendarAsync(string name)
    {
        var home = await _radicale.FindCalendarHomeAsync(await _radicale.FindPrincipalAsync());
        var path = $"{home}{name}-{Guid.NewGuid().ToString("N")[..12]}/";
        await _radicale.MakeCalendarAsync(path, name);
        return path;
    }

    /// <summary>The SUMMARYs of the calendar's events, read straight from Radicale.</summary>
    private async Task<List<string>> TitlesAsync(string calendar)
    {
        var etags = await _radicale.ListEtagsAsync(calendar);
        var fetched = await _radicale.MultigetAsync(calendar, etags.Keys.ToList());
        return fetched.Found.Values
            .Select(r => ICalendarMapper.TryParse(r.ICalendar, "UTC", out var parsed, out _) ? parsed!.Title ?? string.Empty : "(unreadable)")
            .Order(StringComparer.Ordinal).ToList();
    }

    private async Task<string> ConnectedWithCalendarAsync(string email)
    {
        Assert.That(await ConnectAsync(email), Is.EqualTo("/#caldav=connected"));
        var calendar = await NewCalendarAsync("oauth");
        await CreateBindingAsync(As(email), calendar, "all_visible");
        Assert.That((await SyncNowAsync(email))[0].GetProperty("status").GetString(), Is.EqualTo("ok"));
        return calendar;
    }

    /// <summary>The whole flow as a browser makes it: start, the provider's consent, the redirect back.</summary>
    private async Task<string> ConnectAsync(string email) => await CallbackAsync(await ConsentAsync(await StartAsync(email)));

    private async Task<Uri> StartAsync(string email)
    {
        var start = await ExpectAsync(PostAsync(As(email), $"/api/caldav-oauth/{Provider}/start", new { }), HttpStatusCode.OK);
        var url = new Uri(start.GetProperty("authorizationUrl").GetString()!);
        Assert.That(url.GetLeftPart(UriPartial.Path), Is.EqualTo(OAuth.Server.AuthorizationEndpoint.ToString()));
        Assert.That(url.Query, Does.Contain("code_challenge_method=S256").And.Contain("response_type=code"));
        return url;
    }

    /// <summary>The provider's consent screen (it approves at once): its redirect back to Paliad.</summary>
    private static async Task<Uri> ConsentAsync(Uri authorizationUrl)
    {
        using var browser = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false });
        using var response = await browser.GetAsync(authorizationUrl);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Redirect), await response.Content.ReadAsStringAsync());
        return response.Headers.Location!;
    }

    /// <summary>Paliad's callback, without a bearer token: where it sends the browser.</summary>
    private static async Task<string> CallbackAsync(Uri callback)
    {
        using var anonymous = TestHost.Api.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        using var response = await anonymous.GetAsync(new Uri(callback.PathAndQuery, UriKind.Relative));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        return response.Headers.Location!.OriginalString;
    }

    /// <summary>Publishes every due outbox message (the hooks), until none is left.</summary>
    private static async Task DrainAsync()
    {
        var outbox = TestHost.Api.Services.GetRequiredService<OutboxProcessor>();
        for (var round = 0; round < 20 && await outbox.ProcessPendingAsync() > 0; round++)
        {
        }
    }

    private async Task<List<JsonElement>> SyncNowAsync(string email)
        => (await ExpectAsync(As(email).PostAsync(new Uri("/api/caldav-sync", UriKind.Relative), null), HttpStatusCode.OK)).EnumerateArray().ToList();

    private static async Task<string> StoredAccessTokenAsync(string email)
        => Protector.Unprotect((await ScalarAsync<string>("SELECT access_token FROM paliad.user_caldav_config WHERE user_id = @u", ("u", UserIdOf(email))))!).Password;

    private static async Task<string> StoredRefreshTokenAsync(string email)
        => Protector.Unprotect((await ScalarAsync<string>("SELECT refresh_token FROM paliad.user_caldav_config WHERE user_id = @u", ("u", UserIdOf(email))))!).Password;
}
