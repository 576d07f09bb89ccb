using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Paliad.IntegrationTests.Infrastructure;

namespace Paliad.IntegrationTests.Api;

/// <summary>Abuse limits at the API: bounded lists with Link rel=next, capped request bodies, a cap on bindings.</summary>
public sealed class ApiLimitsTests : ApiTest
{
    private const string Alice = "alice@firm.example";

    /// <summary>Follows Link rel=next from <paramref name="first"/> and returns every page's items.</summary>
    private static async Task<List<List<JsonElement>>> PagesAsync(HttpClient client, string first)
    {
        var pages = new List<List<JsonElement>>();
        string? next = first;
        while (next is not null && pages.Count < 20)
        {
            using var response = await client.GetAsync(new Uri(next, UriKind.RelativeOrAbsolute));
            var body = await response.Content.ReadAsStringAsync();
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
            pages.Add(JsonDocument.Parse(body).RootElement.EnumerateArray().Select(e => e.Clone()).ToList());
            next = response.Headers.TryGetValues("Link", out var links)
                ? links.Select(l => System.Text.RegularExpressions.Regex.Match(l, "<([^>]+)>;\\s*rel=\"next\"")).Where(m => m.Success).Select(m => m.Groups[1].Value).SingleOrDefault()
                : null;
        }

        return pages;
    }

    [Test]
    public async Task Appointments_page_through_equal_start_times_without_losing_or_repeating_one()
    {
        var alice = As(Alice);
        var created = new List<Guid>();
        var start = new DateTimeOffset(2026, 12, 3, 9, 0, 0, TimeSpan.Zero);
        for (var i = 0; i < 5; i++)
        {
            created.Add(await CreateAppointmentAsync(alice, $"Hearing {i}", startsAt: i < 3 ? start : start.AddDays(i)));
        }

        var pages = await PagesAsync(alice, "/api/appointments?from=2026-12-01T00:00:00Z&limit=2");

        Assert.That(pages.Select(p => p.Count), Is.EqualTo(new[] { 2, 2, 1 }));
        var ids = pages.SelectMany(p => p).Select(a => a.GetProperty("id").GetGuid()).ToList();
        Assert.That(ids, Is.Unique);
        Assert.That(ids, Is.EquivalentTo(created));
        var starts = pages.SelectMany(p => p).Select(a => a.GetProperty("startsAt").GetDateTimeOffset()).ToList();
        Assert.That(starts, Is.Ordered);
    }

    [Test]
    public async Task Projects_bindings_and_the_sync_log_page_with_link_next()
    {
        var alice = As(Alice);
        for (var i = 0; i < 3; i++)
        {
            await CreateProjectAsync(alice, $"Client {i}", "client");
        }

        await ExpectAsync(PutAsync(alice, "/api/caldav-config", new { serverUrl = "https://dav.example.com/", username = "alice", password = "x" }), HttpStatusCode.OK);
        var bindings = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            bindings.Add(await CreateBindingAsync(alice, $"/dav/alice/c{i}/", "personal_only"));
        }

        for (var i = 0; i < 3; i++)
        {
            await ExecuteAsync(
                "INSERT INTO paliad.caldav_sync_log (id, user_id, binding_id, started_at, finished_at, status, pushed, updated, deleted, pulled, conflicts, restored) VALUES (gen_random_uuid(), @u, @b, now() - make_interval(mins => @i), now(), 'ok', 0, 0, 0, 0, 0, 0)",
                ("u", UserIdOf(Alice)), ("b", bindings[0]), ("i", i));
        }

        var projects = await PagesAsync(alice, "/api/projects?limit=2");
        var bindingPages = await PagesAsync(alice, "/api/caldav-bindings?limit=2");
        var log = await PagesAsync(alice, $"/api/caldav-sync-log?bindingId={bindings[0]}&limit=2");

        Assert.That(projects.Select(p => p.Count), Is.EqualTo(new[] { 2, 1 }));
        Assert.That(projects.SelectMany(p => p).Select(p => p.GetProperty("name").GetString()), Is.EqualTo(new[] { "Client 0", "Client 1", "Client 2" }));
        Assert.That(bindingPages.SelectMany(p => p).Select(b => b.GetProperty("id").GetGuid()), Is.EqualTo(bindings));
        Assert.That(log.Select(p => p.Count), Is.EqualTo(new[] { 2, 1 }));
        Assert.That(log.SelectMany(p => p).Select(e => e.GetProperty("startedAt").GetDateTimeOffset()), Is.Ordered.Descending);
    }

    [TestCase("/api/appointments?limit=0", "limit")]
    [TestCase("/api/appointments?limit=2001", "limit")]
    [TestCase("/api/projects?limit=-1", "limit")]
    [TestCase("/api/caldav-bindings?after=not-a-cursor", "after")]
    [TestCase("/api/caldav-sync-log?limit=5000", "limit")]
    [TestCase("/api/appointments?limit=many", "limit")]
    public async Task A_bad_limit_or_cursor_is_a_400_naming_it(string path, string field)
    {
        var problem = await ExpectAsync(As(Alice).GetAsync(new Uri(path, UriKind.Relative)), HttpStatusCode.BadRequest);

        Assert.That(FieldErrors(problem, field), Is.Not.Empty);
    }

    [Test]
    public async Task The_largest_limit_is_accepted_and_a_full_page_has_no_next_link()
    {
        await CreateAppointmentAsync(As(Alice), "Hearing");

        using var response = await As(Alice).GetAsync(new Uri("/api/appointments?limit=2000", UriKind.Relative));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Headers.Contains("Link"), Is.False);
    }

    [Test]
    public async Task A_request_body_over_64_KiB_is_a_413_problem()
    {
        var body = new { title = "Hearing", description = new string('x', 70 * 1024), startsAt = "2026-12-03T09:00:00Z", endsAt = "2026-12-03T10:00:00Z" };

        using var chunked = await As(Alice).PostAsJsonAsync("/api/appointments", body);
        using var sized = new StringContent(JsonSerializer.Serialize(body), new MediaTypeHeaderValue("application/json"));
        sized.Headers.ContentLength = await sized.ReadAsByteArrayAsync().ContinueWith(t => t.Result.Length);
        using var withLength = await As(Alice).PostAsync(new Uri("/api/appointments", UriKind.Relative), sized);

        foreach (var response in new[] { chunked, withLength })
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.RequestEntityTooLarge), await response.Content.ReadAsStringAsync());
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        }

        Assert.That(await ScalarAsync<long>("SELECT count(*) FROM paliad.appointments"), Is.Zero);
    }

    [Test]
    public async Task A_user_may_hold_at_most_the_configured_number_of_bindings()
    {
        await using var host = new PaliadApiFactory(TestDatabase.ConnectionString, new Dictionary<string, string> { ["CalDav:MaxBindingsPerUser"] = "2" });
        using var alice = host.CreateClient();
        alice.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TokenFor(Alice));
        await ExpectAsync(PutAsync(alice, "/api/caldav-config", new { serverUrl = "https://dav.example.com/", username = "alice", password = "x" }), HttpStatusCode.OK);
        await CreateBindingAsync(alice, "/dav/alice/a/", "personal_only");
        await CreateBindingAsync(alice, "/dav/alice/b/", "personal_only");

        var refused = await ExpectAsync(PostAsync(alice, "/api/caldav-bindings", new { calendarPath = "/dav/alice/c/", scope = "personal_only" }), HttpStatusCode.Conflict);

        Assert.That(refused.GetProperty("detail").GetString(), Does.Contain("2 bindings"));
        Assert.That(await ScalarAsync<long>("SELECT count(*) FROM paliad.calendar_bindings"), Is.EqualTo(2));
    }

    [Test]
    public async Task The_binding_limit_holds_exactly_under_concurrent_creates()
    {
        await using var host = new PaliadApiFactory(TestDatabase.ConnectionString, new Dictionary<string, string> { ["CalDav:MaxBindingsPerUser"] = "3" });
        using var alice = host.CreateClient();
        alice.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TokenFor(Alice));
        await ExpectAsync(PutAsync(alice, "/api/caldav-config", new { serverUrl = "https://dav.example.com/", username = "alice", password = "x" }), HttpStatusCode.OK);

        var creates = Enumerable.Range(0, 20).Select(i => PostAsync(alice, "/api/caldav-bindings", new { calendarPath = $"/dav/alice/c{i}/", scope = "personal_only" }));
        var responses = await Task.WhenAll(creates);

        Assert.That(responses.Count(r => r.StatusCode == HttpStatusCode.Created), Is.EqualTo(3));
        Assert.That(responses.Count(r => r.StatusCode == HttpStatusCode.Conflict), Is.EqualTo(17));
        Assert.That(await ScalarAsync<long>("SELECT count(*) FROM paliad.calendar_bindings"), Is.EqualTo(3));
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }
}
