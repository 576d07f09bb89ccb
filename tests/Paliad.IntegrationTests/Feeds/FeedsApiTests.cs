using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Ical.Net;
using Microsoft.AspNetCore.Http;
using Paliad.IntegrationTests.Infrastructure;

namespace Paliad.IntegrationTests.Feeds;

/// <summary>Read-only subscription feeds through the API and their secret URLs (DESIGN §12): the feed's life
/// (create, list, rotate, delete), what its URL answers (the scope as the owner sees it now, within the window, the
/// engine's event content under the feed's own UIDs), ETag/304, gzip, the per-feed rate limit, and nothing of anyone
/// else's.</summary>
public sealed class FeedsApiTests : ApiTest
{
    private const string Alice = "alice@firm.example";
    private const string Bob = "bob@firm.example";

    private static readonly DateTimeOffset Soon = DateTimeOffset.UtcNow.Date.AddDays(10).AddHours(8);

    private static async Task<JsonElement> CreateFeedAsync(HttpClient client, string displayName, string scope, Guid? scopeId = null)
        => await ExpectAsync(PostAsync(client, "/api/calendar-feeds", new { displayName, scope, scopeId }), HttpStatusCode.Created);

    /// <summary>What a calendar client gets from the URL (no bearer).</summary>
    private HttpClient Subscriber() => WithToken(null);

    private async Task<Calendar> SubscribeAsync(string url)
    {
        using var response = await Subscriber().GetAsync(new Uri(new Uri(url).PathAndQuery, UriKind.Relative));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        return Calendar.Load(await response.Content.ReadAsStringAsync())!;
    }

    private async Task<HttpStatusCode> FetchStatusAsync(string url)
    {
        using var response = await Subscriber().GetAsync(new Uri(new Uri(url).PathAndQuery, UriKind.Relative));
        return response.StatusCode;
    }

    [Test]
    public async Task A_new_feed_answers_201_with_its_secret_url_once_and_lists_without_it()
    {
        var created = await CreateFeedAsync(As(Alice), "Court dates", "all_visible");
        var url = created.GetProperty("url").GetString()!;
        var id = created.GetProperty("id").GetGuid();

        Assert.That(url, Does.Match($@"/feeds/{id}/[A-Za-z0-9_-]{{43}}\.ics$"));
        Assert.That(created.GetProperty("scope").GetString(), Is.EqualTo("all_visible"));
        Assert.That(created.GetProperty("lastFetchedAt").ValueKind, Is.EqualTo(JsonValueKind.Null));
        var listed = await ExpectAsync(As(Alice).GetAsync(new Uri("/api/calendar-feeds", UriKind.Relative)), HttpStatusCode.OK);
        Assert.That(listed.GetArrayLength(), Is.EqualTo(1));
        Assert.That(listed[0].GetProperty("url").ValueKind, Is.EqualTo(JsonValueKind.Null), "the secret is shown only once");
        var secret = url.Split('/')[^1].Replace(".ics", string.Empty, StringComparison.Ordinal);
        Assert.That(await ScalarAsync<string>("SELECT secret_hash FROM paliad.calendar_feeds"),
            Is.EqualTo(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(secret)))), "only the secret's SHA-256 is stored");
    }

    [Test]
    public async Task The_feed_carries_the_scope_as_the_engine_writes_it_with_its_own_uids_zones_and_refresh_hints()
    {
        var hearing = await CreateAppointmentAsync(As(Alice), "Oral hearing", startsAt: Soon);
        var feed = await CreateFeedAsync(As(Alice), "Alice's court dates", "all_visible");
        var url = feed.GetProperty("url").GetString()!;

        using var response = await Subscriber().GetAsync(new Uri(new Uri(url).PathAndQuery, UriKind.Relative));
        var text = await response.Content.ReadAsStringAsync();

        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/calendar"));
        Assert.That(response.Content.Headers.ContentType?.CharSet, Is.EqualTo("utf-8"));
        Assert.That(text, Does.Contain("X-WR-CALNAME:Alice's court dates").And.Contain("REFRESH-INTERVAL;VALUE=DURATION:PT15M").And.Contain("X-PUBLISHED-TTL:PT15M"));
        Assert.That(text, Does.Not.Contain(Alice), "the owner's e-mail is not in it");
        var calendar = Calendar.Load(text)!;
        var evt = calendar.Events.Single();
        Assert.That(evt.Uid, Is.EqualTo($"paliad-feed-{hearing:N}-{feed.GetProperty("id").GetGuid():N}"));
        Assert.That(evt.Summary, Is.EqualTo("Oral hearing"));
        Assert.That(evt.DtStart!.TzId, Is.EqualTo("Europe/Berlin"));
        Assert.That(evt.DtStart.AsUtc, Is.EqualTo(Soon.UtcDateTime));
        Assert.That(calendar.TimeZones.Select(z => z.TzId), Is.EqualTo(new[] { "Europe/Berlin" }));
        Assert.That(await ScalarAsync<DateTime?>("SELECT last_fetched_at FROM paliad.calendar_feeds"), Is.Not.Null, "the fetch was recorded");
    }

    [Test]
    public async Task A_wrong_secret_a_rotated_one_and_a_deleted_feed_are_all_plain_404s()
    {
        var feed = await CreateFeedAsync(As(Alice), "Court dates", "personal_only");
        var id = feed.GetProperty("id").GetGuid();
        var url = feed.GetProperty("url").GetString()!;
        Assert.That(await FetchStatusAsync(url), Is.EqualTo(HttpStatusCode.OK));

        Assert.That(await FetchStatusAsync($"/feeds/{id}/{new string('A', 43)}.ics"), Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(await FetchStatusAsync($"/feeds/{Guid.NewGuid()}/{url.Split('/')[^1]}"), Is.EqualTo(HttpStatusCode.NotFound));

        var rotated = await ExpectAsync(PostAsync(As(Alice), $"/api/calendar-feeds/{id}/rotate", new { }), HttpStatusCode.OK);
        var newUrl = rotated.GetProperty("url").GetString()!;
        Assert.That(newUrl, Is.Not.EqualTo(url));
        Assert.That(await FetchStatusAsync(url), Is.EqualTo(HttpStatusCode.NotFound), "the old URL is dead");
        Assert.That(await FetchStatusAsync(newUrl), Is.EqualTo(HttpStatusCode.OK));

        await ExpectAsync(As(Alice).DeleteAsync(new Uri($"/api/calendar-feeds/{id}", UriKind.Relative)), HttpStatusCode.NoContent);
        Assert.That(await FetchStatusAsync(newUrl), Is.EqualTo(HttpStatusCode.NotFound), "deleting revokes at once");
    }

    [Test]
    public async Task The_scope_is_evaluated_as_the_owner_sees_it_now_and_nothing_of_anyone_elses_leaks()
    {
        var matter = await CreateProjectAsync(As(Bob), "Acme v. Beta", "client");
        await ShareAsync(As(Bob), matter, Alice, "viewer");
        await CreateAppointmentAsync(As(Bob), "Shared hearing", matter, Soon);
        await CreateAppointmentAsync(As(Bob), "Bob's dentist", startsAt: Soon);
        await CreateAppointmentAsync(As(Alice), "Alice's own", startsAt: Soon);
        var url = (await CreateFeedAsync(As(Alice), "Everything I see", "all_visible")).GetProperty("url").GetString()!;

        Assert.That((await SubscribeAsync(url)).Events.Select(e => e.Summary).Order(), Is.EqualTo(new[] { "Alice's own", "Shared hearing" }));

        await ExpectAsync(As(Bob).DeleteAsync(new Uri($"/api/projects/{matter}/members/{UserIdOf(Alice)}", UriKind.Relative)), HttpStatusCode.NoContent);

        Assert.That((await SubscribeAsync(url)).Events.Select(e => e.Summary), Is.EqualTo(new[] { "Alice's own" }), "unshared: gone from the feed");
    }

    [Test]
    public async Task Changing_the_scope_changes_what_the_same_url_answers()
    {
        var client = await CreateProjectAsync(As(Alice), "Acme", "client");
        await CreateAppointmentAsync(As(Alice), "Acme hearing", client, Soon);
        await CreateAppointmentAsync(As(Alice), "Personal", startsAt: Soon);
        var feed = await CreateFeedAsync(As(Alice), "Acme", "client", client);
        var url = feed.GetProperty("url").GetString()!;
        Assert.That((await SubscribeAsync(url)).Events.Select(e => e.Summary), Is.EqualTo(new[] { "Acme hearing" }));

        await ExpectAsync(PatchAsync(As(Alice), $"/api/calendar-feeds/{feed.GetProperty("id").GetGuid()}", new { scope = "personal_only", scopeId = (Guid?)null }), HttpStatusCode.OK);

        Assert.That((await SubscribeAsync(url)).Events.Select(e => e.Summary), Is.EqualTo(new[] { "Personal" }));
    }

    [Test]
    public async Task The_window_reaches_90_days_back_and_730_days_ahead()
    {
        var now = DateTimeOffset.UtcNow;
        await CreateAppointmentAsync(As(Alice), "Ended 100 days ago", startsAt: now.AddDays(-100));
        await CreateAppointmentAsync(As(Alice), "Ended 80 days ago", startsAt: now.AddDays(-80));
        await CreateAppointmentAsync(As(Alice), "In 700 days", startsAt: now.AddDays(700));
        await CreateAppointmentAsync(As(Alice), "In 760 days", startsAt: now.AddDays(760));
        var url = (await CreateFeedAsync(As(Alice), "Window", "personal_only")).GetProperty("url").GetString()!;

        Assert.That((await SubscribeAsync(url)).Events.Select(e => e.Summary).Order(), Is.EqualTo(new[] { "Ended 80 days ago", "In 700 days" }));
    }

    [Test]
    public async Task An_unchanged_feed_answers_304_to_its_etag_and_a_change_gives_a_new_one()
    {
        var hearing = await CreateAppointmentAsync(As(Alice), "Hearing", startsAt: Soon);
        var url = new Uri(new Uri((await CreateFeedAsync(As(Alice), "Court", "personal_only")).GetProperty("url").GetString()!).PathAndQuery, UriKind.Relative);
        using var first = await Subscriber().GetAsync(url);
        var etag = first.Headers.ETag!;
        Assert.That(first.Content.Headers.LastModified, Is.Not.Null);

        using var again = new HttpRequestMessage(HttpMethod.Get, url);
        again.Headers.IfNoneMatch.Add(etag);
        using var notModified = await Subscriber().SendAsync(again);
        Assert.That(notModified.StatusCode, Is.EqualTo(HttpStatusCode.NotModified));
        Assert.That(await notModified.Content.ReadAsByteArrayAsync(), Is.Empty);
        using var weakened = new HttpRequestMessage(HttpMethod.Get, url);
        weakened.Headers.IfNoneMatch.Add(new EntityTagHeaderValue(etag.Tag, isWeak: true));
        Assert.That((await Subscriber().SendAsync(weakened)).StatusCode, Is.EqualTo(HttpStatusCode.NotModified), "If-None-Match compares weakly: a proxy that compressed the feed weakens its tag");

        await ExpectAsync(PatchAsync(As(Alice), $"/api/appointments/{hearing}", new { title = "Hearing moved" }), HttpStatusCode.OK);
        using var afterChange = new HttpRequestMessage(HttpMethod.Get, url);
        afterChange.Headers.IfNoneMatch.Add(etag);
        using var changed = await Subscriber().SendAsync(afterChange);
        Assert.That(changed.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(changed.Headers.ETag, Is.Not.EqualTo(etag));
        Assert.That(await changed.Content.ReadAsStringAsync(), Does.Contain("Hearing moved"));
    }

    [Test]
    public async Task If_modified_since_answers_304_for_an_unchanged_feed_and_200_once_an_appointment_left_it()
    {
        var matter = await CreateProjectAsync(As(Bob), "Acme v. Beta", "client");
        await ShareAsync(As(Bob), matter, Alice, "viewer");
        await CreateAppointmentAsync(As(Bob), "Shared hearing", matter, Soon);
        await CreateAppointmentAsync(As(Alice), "Alice's own", startsAt: Soon);
        var url = new Uri(new Uri((await CreateFeedAsync(As(Alice), "All", "all_visible")).GetProperty("url").GetString()!).PathAndQuery, UriKind.Relative);
        using var first = await Subscriber().GetAsync(url);
        var lastModified = first.Content.Headers.LastModified!.Value;

        using var asked = new HttpRequestMessage(HttpMethod.Get, url);
        asked.Headers.IfModifiedSince = lastModified;
        using var notModified = await Subscriber().SendAsync(asked);
        Assert.That(notModified.StatusCode, Is.EqualTo(HttpStatusCode.NotModified));

        // Unsharing changes no appointment's updated_at, and may come within the same second: the feed still changed.
        await ExpectAsync(As(Bob).DeleteAsync(new Uri($"/api/projects/{matter}/members/{UserIdOf(Alice)}", UriKind.Relative)), HttpStatusCode.NoContent);
        using var askedAgain = new HttpRequestMessage(HttpMethod.Get, url);
        askedAgain.Headers.IfModifiedSince = lastModified;
        using var changed = await Subscriber().SendAsync(askedAgain);
        Assert.That(changed.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await changed.Content.ReadAsStringAsync(), Does.Not.Contain("Shared hearing"));
    }

    [Test]
    public async Task The_feed_is_gzipped_when_the_client_asks()
    {
        await CreateAppointmentAsync(As(Alice), "Hearing", startsAt: Soon);
        var url = new Uri(new Uri((await CreateFeedAsync(As(Alice), "Court", "personal_only")).GetProperty("url").GetString()!).PathAndQuery, UriKind.Relative);
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("gzip"));

        using var response = await Subscriber().SendAsync(request);

        Assert.That(response.Content.Headers.ContentEncoding, Is.EqualTo(new[] { "gzip" }));
        await using var unzipped = new System.IO.Compression.GZipStream(await response.Content.ReadAsStreamAsync(), System.IO.Compression.CompressionMode.Decompress);
        Assert.That(await new StreamReader(unzipped).ReadToEndAsync(), Does.Contain("SUMMARY:Hearing"));
    }

    [Test]
    public async Task One_feed_fetched_too_often_is_refused_with_retry_after_and_another_feed_is_not()
    {
        var busy = (await CreateFeedAsync(As(Alice), "Busy", "personal_only")).GetProperty("url").GetString()!;
        var quiet = (await CreateFeedAsync(As(Alice), "Quiet", "personal_only")).GetProperty("url").GetString()!;
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 12; i++)
        {
            statuses.Add(await FetchStatusAsync(busy));
        }

        Assert.That(statuses.Take(10), Has.All.EqualTo(HttpStatusCode.OK), "a burst of ten");
        Assert.That(statuses.Skip(10), Has.All.EqualTo(HttpStatusCode.TooManyRequests));
        using var refused = await Subscriber().GetAsync(new Uri(new Uri(busy).PathAndQuery, UriKind.Relative));
        Assert.That(refused.Headers.RetryAfter?.Delta, Is.GreaterThan(TimeSpan.Zero));
        Assert.That(await FetchStatusAsync(quiet), Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task An_old_url_still_polled_after_rotation_spends_nothing_of_the_new_urls_allowance()
    {
        var feed = await CreateFeedAsync(As(Alice), "Leaked", "personal_only");
        var id = feed.GetProperty("id").GetGuid();
        var leaked = feed.GetProperty("url").GetString()!;
        var current = (await ExpectAsync(PostAsync(As(Alice), $"/api/calendar-feeds/{id}/rotate", new { }), HttpStatusCode.OK)).GetProperty("url").GetString()!;

        for (var i = 0; i < 15; i++)
        {
            Assert.That(await FetchStatusAsync(leaked), Is.EqualTo(HttpStatusCode.NotFound));
        }

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 10; i++)
        {
            statuses.Add(await FetchStatusAsync(current));
        }

        Assert.That(statuses, Has.All.EqualTo(HttpStatusCode.OK), "the whole burst of ten is still the subscribers'");
    }

    [Test]
    public async Task An_address_that_tried_too_many_wrong_feed_urls_is_refused_further_guesses_but_never_a_right_url()
    {
        await using var host = new PaliadApiFactory(TestDatabase.ConnectionString, new Dictionary<string, string> { ["Api:FeedMissesPerHourPerAddress"] = "120" });
        using var owner = host.CreateClient();
        owner.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TokenFor(Alice));
        var feed = await ExpectAsync(owner.PostAsJsonAsync(new Uri("/api/calendar-feeds", UriKind.Relative), new { displayName = "Court", scope = "personal_only" }), HttpStatusCode.Created);
        var id = feed.GetProperty("id").GetGuid();
        var path = new Uri(feed.GetProperty("url").GetString()!).AbsolutePath;
        var guesser = IPAddress.Parse("203.0.113.7");
        var subscriber = IPAddress.Parse("198.51.100.20");

        async Task<HttpContext> FetchAsync(string from, IPAddress address)
            => await host.Server.SendAsync(http =>
            {
                http.Request.Method = HttpMethods.Get;
                http.Request.Path = from;
                http.Connection.RemoteIpAddress = address;
            });

        for (var i = 0; i < 10; i++)
        {
            Assert.That((await FetchAsync($"/feeds/{id}/{new string((char)('a' + i), 43)}.ics", guesser)).Response.StatusCode, Is.EqualTo(StatusCodes.Status404NotFound));
        }

        var refused = await FetchAsync($"/feeds/{id}/{new string('z', 43)}.ics", guesser);
        Assert.That(refused.Response.StatusCode, Is.EqualTo(StatusCodes.Status429TooManyRequests), "the eleventh wrong URL from one address");
        Assert.That(int.Parse(refused.Response.Headers.RetryAfter.ToString(), System.Globalization.CultureInfo.InvariantCulture), Is.GreaterThan(0));
        Assert.That((await FetchAsync($"/feeds/{Guid.NewGuid()}/{new string('z', 43)}.ics", guesser)).Response.StatusCode, Is.EqualTo(StatusCodes.Status429TooManyRequests));
        Assert.That((await FetchAsync(path, guesser)).Response.StatusCode, Is.EqualTo(StatusCodes.Status200OK),
            "a URL whose secret matches is never refused for its address's misses (behind a proxy one address is everyone)");
        Assert.That((await FetchAsync($"/feeds/{id}/{new string('z', 43)}.ics", subscriber)).Response.StatusCode, Is.EqualTo(StatusCodes.Status404NotFound), "another address has its own misses");
        Assert.That((await FetchAsync(path, IPAddress.Parse("2001:db8:1::5"))).Response.StatusCode, Is.EqualTo(StatusCodes.Status200OK));
    }

    [Test]
    public async Task Feed_links_use_the_public_base_url_when_one_is_set()
    {
        await using var host = new PaliadApiFactory(TestDatabase.ConnectionString, new Dictionary<string, string> { ["Api:PublicBaseUrl"] = "https://firm.example/paliad" });
        using var owner = host.CreateClient();
        owner.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TokenFor(Alice));

        var feed = await ExpectAsync(owner.PostAsJsonAsync(new Uri("/api/calendar-feeds", UriKind.Relative), new { displayName = "Court", scope = "personal_only" }), HttpStatusCode.Created);
        var rotated = await ExpectAsync(owner.PostAsJsonAsync(new Uri($"/api/calendar-feeds/{feed.GetProperty("id").GetGuid()}/rotate", UriKind.Relative), new { }), HttpStatusCode.OK);

        Assert.That(feed.GetProperty("url").GetString(), Does.StartWith($"https://firm.example/paliad/feeds/{feed.GetProperty("id").GetGuid()}/"), "the public address's path is kept");
        Assert.That(rotated.GetProperty("url").GetString(), Does.StartWith("https://firm.example/paliad/feeds/"));
        var path = new Uri(rotated.GetProperty("url").GetString()!).AbsolutePath["/paliad".Length..];
        using var subscriber = host.CreateClient();
        Assert.That((await subscriber.GetAsync(new Uri(path, UriKind.Relative))).StatusCode, Is.EqualTo(HttpStatusCode.OK), "behind the proxy's prefix, the path this host serves");
    }

    [Test]
    public async Task Another_users_feed_is_not_found_and_bad_input_is_a_400_naming_the_field()
    {
        var feed = await CreateFeedAsync(As(Alice), "Court", "personal_only");
        var id = feed.GetProperty("id").GetGuid();

        await ExpectAsync(As(Bob).GetAsync(new Uri($"/api/calendar-feeds/{id}", UriKind.Relative)), HttpStatusCode.NotFound);
        await ExpectAsync(As(Bob).DeleteAsync(new Uri($"/api/calendar-feeds/{id}", UriKind.Relative)), HttpStatusCode.NotFound);
        await ExpectAsync(PostAsync(As(Bob), $"/api/calendar-feeds/{id}/rotate", new { }), HttpStatusCode.NotFound);

        Assert.That(FieldErrors(await ExpectAsync(PostAsync(As(Alice), "/api/calendar-feeds", new { displayName = "x", scope = "everything" }), HttpStatusCode.BadRequest), "scope"), Is.Not.Empty);
        Assert.That(FieldErrors(await ExpectAsync(PostAsync(As(Alice), "/api/calendar-feeds", new { displayName = "x", scope = "project" }), HttpStatusCode.BadRequest), "scopeId"), Is.Not.Empty);
        Assert.That(FieldErrors(await ExpectAsync(PostAsync(As(Alice), "/api/calendar-feeds", new { displayName = " ", scope = "all_visible" }), HttpStatusCode.BadRequest), "displayName"), Is.Not.Empty);
        var bobs = await CreateProjectAsync(As(Bob), "Bob's client", "client");
        Assert.That(FieldErrors(await ExpectAsync(PostAsync(As(Alice), "/api/calendar-feeds", new { displayName = "x", scope = "client", scopeId = bobs }), HttpStatusCode.BadRequest), "scopeId"), Is.Not.Empty,
            "a project Alice cannot see");
    }

    [Test]
    public async Task At_most_twenty_feeds_per_user()
    {
        for (var i = 0; i < 20; i++)
        {
            await CreateFeedAsync(As(Alice), $"Feed {i}", "personal_only");
        }

        await ExpectAsync(PostAsync(As(Alice), "/api/calendar-feeds", new { displayName = "one more", scope = "personal_only" }), HttpStatusCode.Conflict);
        await CreateFeedAsync(As(Bob), "Bob's first", "personal_only");
    }

    [Test]
    public async Task The_count_says_how_many_appointments_a_scope_holds_and_how_many_in_the_next_30_days()
    {
        var client = await CreateProjectAsync(As(Alice), "Acme", "client");
        await CreateAppointmentAsync(As(Alice), "Soon", client, DateTimeOffset.UtcNow.AddDays(3));
        await CreateAppointmentAsync(As(Alice), "Later", client, DateTimeOffset.UtcNow.AddDays(60));
        await CreateAppointmentAsync(As(Alice), "Personal", startsAt: DateTimeOffset.UtcNow.AddDays(3));

        var acme = await ExpectAsync(As(Alice).GetAsync(new Uri($"/api/appointments/count?scope=client&scopeId={client}", UriKind.Relative)), HttpStatusCode.OK);
        var all = await ExpectAsync(As(Alice).GetAsync(new Uri("/api/appointments/count?scope=all_visible", UriKind.Relative)), HttpStatusCode.OK);
        var bobs = await ExpectAsync(As(Bob).GetAsync(new Uri("/api/appointments/count?scope=all_visible", UriKind.Relative)), HttpStatusCode.OK);

        Assert.That((acme.GetProperty("count").GetInt32(), acme.GetProperty("next30Days").GetInt32()), Is.EqualTo((2, 1)));
        Assert.That((all.GetProperty("count").GetInt32(), all.GetProperty("next30Days").GetInt32()), Is.EqualTo((3, 2)));
        Assert.That(bobs.GetProperty("count").GetInt32(), Is.Zero);
        await ExpectAsync(As(Alice).GetAsync(new Uri("/api/appointments/count?scope=client", UriKind.Relative)), HttpStatusCode.BadRequest);
    }
}
