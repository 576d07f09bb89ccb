using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Paliad.IntegrationTests.Infrastructure;

namespace Paliad.IntegrationTests.Api;

/// <summary>Conditional requests for REST consumers (RFC 9110 §13, DESIGN §6): one resource's GET answers a strong
/// ETag and 304 to If-None-Match; a write with an If-Match that no longer matches is a 412 that changes nothing and
/// carries the current tag; without If-Match a write behaves as before.</summary>
public sealed class ConditionalRequestTests : ApiTest
{
    private const string Alice = "alice@firm.example";
    private const string Bob = "bob@firm.example";

    private static async Task<(JsonElement Body, EntityTagHeaderValue ETag)> ReadAsync(HttpClient client, string path, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
        Assert.That(response.StatusCode, Is.EqualTo(expected), await response.Content.ReadAsStringAsync());
        Assert.That(response.Headers.ETag, Is.Not.Null, "one resource's GET answers its ETag");
        Assert.That(response.Headers.ETag!.IsWeak, Is.False, "a strong tag");
        return (await ReadJsonAsync(response), response.Headers.ETag);
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string path, object? body, string? ifMatch)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        return await client.SendAsync(request);
    }

    private static async Task<HttpStatusCode> ConditionalGetAsync(HttpClient client, string path, EntityTagHeaderValue etag)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        request.Headers.IfNoneMatch.Add(etag);
        using var response = await client.SendAsync(request);
        if (response.StatusCode == HttpStatusCode.NotModified)
        {
            Assert.That(response.Headers.ETag?.Tag, Is.EqualTo(etag.Tag), "a 304 names the tag it confirms");
            Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.Empty);
        }

        return response.StatusCode;
    }

    [Test]
    public async Task A_stale_copy_saved_after_a_move_is_refused_with_412_and_the_move_is_kept()
    {
        var alice = As(Alice);
        var id = await CreateAppointmentAsync(alice, "Oral hearing");
        var path = $"/api/appointments/{id}";
        var (read, etag) = await ReadAsync(alice, path);
        var movedTo = read.GetProperty("startsAt").GetDateTimeOffset().AddHours(1);

        // Client one moves the hearing; client two saves its stale copy (renamed, every field as it read them).
        using var moved = await SendAsync(alice, HttpMethod.Patch, path, new { startsAt = movedTo, endsAt = movedTo.AddHours(1) }, etag.ToString());
        Assert.That(moved.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(moved.Headers.ETag, Is.Not.EqualTo(etag), "the move gives the appointment a new tag");
        using var stale = await SendAsync(alice, HttpMethod.Patch, path, new
        {
            title = "Oral hearing (room 2)",
            description = read.GetProperty("description").GetString(),
            startsAt = read.GetProperty("startsAt").GetDateTimeOffset(),
            endsAt = read.GetProperty("endsAt").GetDateTimeOffset(),
            timeZone = read.GetProperty("timeZone").GetString(),
        }, etag.ToString());

        Assert.That(stale.StatusCode, Is.EqualTo(HttpStatusCode.PreconditionFailed));
        Assert.That(stale.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        var problem = await ReadJsonAsync(stale);
        Assert.That(problem.GetProperty("etag").GetString(), Is.EqualTo(moved.Headers.ETag!.ToString()), "the current tag, to re-read against");
        Assert.That(stale.Headers.ETag, Is.EqualTo(moved.Headers.ETag));
        Assert.That(problem.GetProperty("current").GetProperty("startsAt").GetDateTimeOffset(), Is.EqualTo(movedTo), "the current representation");
        var (now, _) = await ReadAsync(alice, path);
        Assert.That(now.GetProperty("startsAt").GetDateTimeOffset(), Is.EqualTo(movedTo), "the move is kept");
        Assert.That(now.GetProperty("title").GetString(), Is.EqualTo("Oral hearing"), "nothing of the stale write was applied");
        Assert.That(now.GetProperty("version").GetInt32(), Is.EqualTo(2));
    }

    [Test]
    public async Task An_unchanged_appointment_answers_304_and_a_changed_one_its_new_representation()
    {
        var alice = As(Alice);
        var path = $"/api/appointments/{await CreateAppointmentAsync(alice, "Deadline")}";
        var (_, etag) = await ReadAsync(alice, path);

        Assert.That(await ConditionalGetAsync(alice, path, etag), Is.EqualTo(HttpStatusCode.NotModified));
        Assert.That(await ConditionalGetAsync(alice, path, new EntityTagHeaderValue(etag.Tag, isWeak: true)), Is.EqualTo(HttpStatusCode.NotModified), "If-None-Match compares weakly");

        await ExpectAsync(PatchAsync(alice, path, new { title = "Deadline (extended)" }), HttpStatusCode.OK);
        Assert.That(await ConditionalGetAsync(alice, path, etag), Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Without_if_match_a_write_behaves_as_before_and_a_matching_one_or_a_star_applies()
    {
        var alice = As(Alice);
        var path = $"/api/appointments/{await CreateAppointmentAsync(alice, "Meeting")}";
        var (_, etag) = await ReadAsync(alice, path);
        await ExpectAsync(PatchAsync(alice, path, new { title = "Meeting 2" }), HttpStatusCode.OK);

        using var other = await SendAsync(alice, HttpMethod.Patch, path, new { title = "Meeting 3" }, $"\"nope\", {(await ReadAsync(alice, path)).ETag}");
        Assert.That(other.StatusCode, Is.EqualTo(HttpStatusCode.OK), "any tag of the list may match");
        using var star = await SendAsync(alice, HttpMethod.Patch, path, new { title = "Meeting 4" }, "*");
        Assert.That(star.StatusCode, Is.EqualTo(HttpStatusCode.OK), "* matches any current representation");
        using var weak = await SendAsync(alice, HttpMethod.Patch, path, new { title = "Meeting 5" }, "W/" + (await ReadAsync(alice, path)).ETag);
        Assert.That(weak.StatusCode, Is.EqualTo(HttpStatusCode.PreconditionFailed), "If-Match compares strongly: a weak tag never matches");
        using var staleDelete = await SendAsync(alice, HttpMethod.Delete, path, null, etag.ToString());
        Assert.That(staleDelete.StatusCode, Is.EqualTo(HttpStatusCode.PreconditionFailed));
        Assert.That((await ReadAsync(alice, path)).Body.GetProperty("title").GetString(), Is.EqualTo("Meeting 4"), "the refused delete deleted nothing");

        using var delete = await SendAsync(alice, HttpMethod.Delete, path, null, (await ReadAsync(alice, path)).ETag.ToString());
        Assert.That(delete.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        using var gone = await SendAsync(alice, HttpMethod.Patch, path, new { title = "x" }, "*");
        Assert.That(gone.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "a resource that is gone is a 404, as without the precondition");
    }

    [Test]
    public async Task Bindings_feeds_and_the_account_answer_304_and_412_the_same_way()
    {
        var alice = As(Alice);
        var binding = $"/api/caldav-bindings/{await CreateBindingAsync(alice, "/dav/alice/court/", "all_visible")}";
        var feed = $"/api/calendar-feeds/{(await ExpectAsync(PostAsync(alice, "/api/calendar-feeds", new { displayName = "Court", scope = "personal_only" }), HttpStatusCode.Created)).GetProperty("id").GetGuid()}";
        await ExpectAsync(PutAsync(alice, "/api/caldav-config", new { serverUrl = "https://dav.example.com/", username = "alice", password = "secret" }), HttpStatusCode.OK);

        foreach (var (path, method, change) in new (string, HttpMethod, object)[]
        {
            (binding, HttpMethod.Patch, new { displayName = "Court dates" }),
            (feed, HttpMethod.Patch, new { displayName = "Court dates" }),
            ("/api/caldav-config", HttpMethod.Put, new { serverUrl = "https://dav.example.com/", username = "alice2" }),
        })
        {
            var (before, etag) = await ReadAsync(alice, path);
            Assert.That(before.GetProperty("etag").GetString(), Is.EqualTo(etag.ToString()), $"{path}: the body's etag is the header's");
            Assert.That(await ConditionalGetAsync(alice, path, etag), Is.EqualTo(HttpStatusCode.NotModified), path);

            using var changed = await SendAsync(alice, method, path, change, etag.ToString());
            Assert.That(changed.StatusCode, Is.EqualTo(HttpStatusCode.OK), path);
            using var stale = await SendAsync(alice, method, path, change, etag.ToString());
            Assert.That(stale.StatusCode, Is.EqualTo(HttpStatusCode.PreconditionFailed), path);
            Assert.That((await ReadJsonAsync(stale)).GetProperty("etag").GetString(), Is.EqualTo(changed.Headers.ETag!.ToString()), path);
            using var staleDelete = await SendAsync(alice, HttpMethod.Delete, path, null, etag.ToString());
            Assert.That(staleDelete.StatusCode, Is.EqualTo(HttpStatusCode.PreconditionFailed), $"{path}: nothing deleted");
            Assert.That(await ConditionalGetAsync(alice, path, etag), Is.EqualTo(HttpStatusCode.OK), path);
        }

        Assert.That(await ScalarAsync<long>("SELECT count(*) FROM paliad.calendar_bindings WHERE display_name = 'Court dates'"), Is.EqualTo(1));
        Assert.That(await ScalarAsync<long>("SELECT count(*) FROM paliad.calendar_feeds WHERE display_name = 'Court dates'"), Is.EqualTo(1));
        Assert.That(await ScalarAsync<string>("SELECT username FROM paliad.user_caldav_config"), Is.EqualTo("alice2"));
    }

    [Test]
    public async Task Two_writes_at_once_with_the_same_if_match_are_one_change_and_one_412()
    {
        var alice = As(Alice);
        var path = $"/api/caldav-bindings/{await CreateBindingAsync(alice, "/dav/alice/court/", "all_visible")}";
        var (_, etag) = await ReadAsync(alice, path);

        for (var round = 0; round < 5; round++)
        {
            var current = round == 0 ? etag : (await ReadAsync(alice, path)).ETag;
            var writes = await Task.WhenAll(
                SendAsync(As(Alice), HttpMethod.Patch, path, new { displayName = $"A{round}" }, current.ToString()),
                SendAsync(As(Alice), HttpMethod.Patch, path, new { displayName = $"B{round}" }, current.ToString()));

            Assert.That(writes.Select(w => w.StatusCode).Order(), Is.EqualTo(new[] { HttpStatusCode.OK, HttpStatusCode.PreconditionFailed }), $"round {round}");
            var winner = await ReadJsonAsync(writes.Single(w => w.StatusCode == HttpStatusCode.OK));
            Assert.That((await ReadAsync(alice, path)).Body.GetProperty("displayName").GetString(), Is.EqualTo(winner.GetProperty("displayName").GetString()));
            foreach (var write in writes)
            {
                write.Dispose();
            }
        }
    }

    [Test]
    public async Task An_account_that_does_not_exist_meets_no_if_match()
    {
        using var response = await SendAsync(As(Alice), HttpMethod.Put, "/api/caldav-config",
            new { serverUrl = "https://dav.example.com/", username = "alice", password = "secret" }, "*");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.PreconditionFailed));
        Assert.That(await ScalarAsync<long>("SELECT count(*) FROM paliad.user_caldav_config"), Is.Zero);
    }

    [Test]
    public async Task A_project_shared_meanwhile_refuses_a_stale_share_and_its_tag_follows_the_callers_role()
    {
        var alice = As(Alice);
        var client = await CreateProjectAsync(alice, "Acme GmbH", "client");
        var litigation = await CreateProjectAsync(alice, "Acme v. Beta", "litigation", client);
        var path = $"/api/projects/{litigation}";
        var (_, etag) = await ReadAsync(alice, path);

        await ShareAsync(alice, litigation, "carol@firm.example", "viewer");
        using var stale = await SendAsync(alice, HttpMethod.Post, $"{path}/members", new { userId = UserIdOf(Bob), role = "editor" }, etag.ToString());
        Assert.That(stale.StatusCode, Is.EqualTo(HttpStatusCode.PreconditionFailed));
        Assert.That(await ScalarAsync<long>("SELECT count(*) FROM paliad.project_members WHERE user_id = @bob", ("bob", UserIdOf(Bob))), Is.Zero);

        await ShareAsync(alice, client, Bob, "viewer");
        var (_, bobsViewerTag) = await ReadAsync(As(Bob), path);
        await ShareAsync(alice, client, Bob, "editor");
        Assert.That(await ConditionalGetAsync(As(Bob), path, bobsViewerTag), Is.EqualTo(HttpStatusCode.OK),
            "Bob's role on the litigation changed through its client: its representation, so its tag, changed");
    }

    [Test]
    public async Task List_items_carry_the_etag_their_own_get_answers()
    {
        var alice = As(Alice);
        await CreateAppointmentAsync(alice, "Hearing");
        await CreateProjectAsync(alice, "Acme GmbH", "client");
        await CreateBindingAsync(alice, "/dav/alice/court/", "personal_only");
        await ExpectAsync(PostAsync(alice, "/api/calendar-feeds", new { displayName = "Court", scope = "personal_only" }), HttpStatusCode.Created);

        foreach (var list in new[] { "/api/appointments?from=2026-01-01T00:00:00Z&to=2028-01-01T00:00:00Z", "/api/projects", "/api/caldav-bindings", "/api/calendar-feeds" })
        {
            var items = await ExpectAsync(alice.GetAsync(new Uri(list, UriKind.Relative)), HttpStatusCode.OK);
            Assert.That(items.GetArrayLength(), Is.EqualTo(1), list);
            var item = items[0];
            var one = $"{list.Split('?')[0]}/{item.GetProperty("id").GetGuid()}";
            Assert.That(item.GetProperty("etag").GetString(), Is.EqualTo((await ReadAsync(alice, one)).ETag.ToString()), list);
        }
    }
}
