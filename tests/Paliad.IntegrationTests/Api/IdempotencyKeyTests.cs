using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Paliad.Application.Common;
using Paliad.IntegrationTests.Infrastructure;

namespace Paliad.IntegrationTests.Api;

/// <summary>The Idempotency-Key header on creating POSTs (DESIGN §6): a retry gets the first answer and creates
/// nothing more; another body under the key is a 422; a repeat while the first runs is a 409; keys are per user; old
/// keys are swept.</summary>
public sealed class IdempotencyKeyTests : ApiTest
{
    private const string Alice = "alice@firm.example";
    private const string Bob = "bob@firm.example";

    private static readonly object Hearing = new
    {
        title = "Oral hearing",
        startsAt = new DateTimeOffset(2027, 3, 4, 9, 0, 0, TimeSpan.FromHours(1)),
        endsAt = new DateTimeOffset(2027, 3, 4, 11, 0, 0, TimeSpan.FromHours(1)),
        timeZone = "Europe/Berlin",
    };

    private static async Task<HttpResponseMessage> PostWithKeyAsync(HttpClient client, string path, object body, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(path, UriKind.Relative)) { Content = JsonContent.Create(body) };
        request.Headers.Add("Idempotency-Key", key);
        return await client.SendAsync(request);
    }

    private static Task<long?> AppointmentsAsync() => ScalarAsync<long?>("SELECT count(*) FROM paliad.appointments");

    [Test]
    public async Task A_retried_post_creates_one_appointment_and_answers_the_same_status_location_and_body()
    {
        var key = Guid.NewGuid().ToString();

        using var first = await PostWithKeyAsync(As(Alice), "/api/appointments", Hearing, key);
        using var retry = await PostWithKeyAsync(As(Alice), "/api/appointments", Hearing, key);

        Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        Assert.That(retry.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        Assert.That(retry.Headers.Location, Is.EqualTo(first.Headers.Location));
        Assert.That(retry.Headers.ETag, Is.EqualTo(first.Headers.ETag));
        Assert.That(await retry.Content.ReadAsStringAsync(), Is.EqualTo(await first.Content.ReadAsStringAsync()));
        Assert.That(retry.Headers.GetValues("Idempotent-Replayed"), Is.EqualTo(new[] { "true" }));
        Assert.That(first.Headers.Contains("Idempotent-Replayed"), Is.False);
        Assert.That(await AppointmentsAsync(), Is.EqualTo(1));
        Assert.That(await ScalarAsync<long>("SELECT count(*) FROM paliad.outbox_messages WHERE type = 'AppointmentCreated'"), Is.EqualTo(1), "one creation reaches the calendars");
    }

    [Test]
    public async Task Another_body_under_the_same_key_is_a_422_and_creates_nothing()
    {
        var key = Guid.NewGuid().ToString();
        await ExpectAsync(PostWithKeyAsync(As(Alice), "/api/appointments", Hearing, key), HttpStatusCode.Created);

        var problem = await ExpectAsync(PostWithKeyAsync(As(Alice), "/api/appointments", new { title = "Another hearing", startsAt = "2027-03-05T09:00:00Z", endsAt = "2027-03-05T10:00:00Z" }, key),
            HttpStatusCode.UnprocessableEntity);
        await ExpectAsync(PostWithKeyAsync(As(Alice), "/api/projects", new { name = "Acme GmbH", kind = "client" }, key), HttpStatusCode.UnprocessableEntity);

        Assert.That(problem.GetProperty("detail").GetString(), Does.Contain("another request"));
        Assert.That(await AppointmentsAsync(), Is.EqualTo(1));
        Assert.That(await ScalarAsync<long>("SELECT count(*) FROM paliad.projects"), Is.Zero);
    }

    [Test]
    public async Task Four_requests_at_once_with_one_key_create_one_appointment()
    {
        var key = Guid.NewGuid().ToString();
        var clients = Enumerable.Range(0, 4).Select(_ => As(Alice)).ToList();

        var responses = await Task.WhenAll(clients.Select(c => PostWithKeyAsync(c, "/api/appointments", Hearing, key)));

        var statuses = responses.Select(r => r.StatusCode).ToList();
        Assert.That(statuses, Has.All.Matches<HttpStatusCode>(s => s is HttpStatusCode.Created or HttpStatusCode.Conflict), string.Join(", ", statuses));
        Assert.That(statuses, Has.Some.EqualTo(HttpStatusCode.Created));
        Assert.That(await AppointmentsAsync(), Is.EqualTo(1));
        foreach (var conflict in responses.Where(r => r.StatusCode == HttpStatusCode.Conflict))
        {
            Assert.That(conflict.Headers.RetryAfter, Is.Not.Null, "a 409 for a request still running says when to ask again");
        }

        using var later = await PostWithKeyAsync(As(Alice), "/api/appointments", Hearing, key);
        Assert.That(later.StatusCode, Is.EqualTo(HttpStatusCode.Created), "once the first finished, a repeat gets its answer");
        Assert.That(later.Headers.Location, Is.EqualTo(responses.First(r => r.StatusCode == HttpStatusCode.Created).Headers.Location));
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Test]
    public async Task A_key_is_per_user()
    {
        var key = Guid.NewGuid().ToString();

        var alices = await ExpectAsync(PostWithKeyAsync(As(Alice), "/api/appointments", Hearing, key), HttpStatusCode.Created);
        var bobs = await ExpectAsync(PostWithKeyAsync(As(Bob), "/api/appointments", Hearing, key), HttpStatusCode.Created);

        Assert.That(bobs.GetProperty("id").GetGuid(), Is.Not.EqualTo(alices.GetProperty("id").GetGuid()));
        Assert.That(bobs.GetProperty("ownerId").GetGuid(), Is.EqualTo(UserIdOf(Bob)), "Bob's own appointment, not Alice's answer");
        Assert.That(await AppointmentsAsync(), Is.EqualTo(2));
    }

    [Test]
    public async Task A_failed_request_is_not_kept_so_the_corrected_one_runs_under_the_same_key()
    {
        var key = Guid.NewGuid().ToString();
        var invalid = new { title = "", startsAt = "2027-03-05T09:00:00Z", endsAt = "2027-03-05T10:00:00Z" };

        var first = await ExpectAsync(PostWithKeyAsync(As(Alice), "/api/appointments", invalid, key), HttpStatusCode.BadRequest);
        Assert.That(FieldErrors(first, "title"), Is.Not.Empty);
        Assert.That(await ScalarAsync<long>("SELECT count(*) FROM paliad.idempotency_keys"), Is.Zero, "a failure leaves no key behind");
        await ExpectAsync(PostWithKeyAsync(As(Alice), "/api/appointments", Hearing, key), HttpStatusCode.Created);

        Assert.That(await AppointmentsAsync(), Is.EqualTo(1), "the corrected request ran (not a 422 against the failed one)");
        await ExpectAsync(PostWithKeyAsync(As(Alice), "/api/appointments", Hearing, "not a key: spaces"), HttpStatusCode.BadRequest);
        using var twice = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/appointments", UriKind.Relative)) { Content = JsonContent.Create(Hearing) };
        twice.Headers.Add("Idempotency-Key", ["a", "b"]);
        await ExpectAsync(As(Alice).SendAsync(twice), HttpStatusCode.BadRequest);
        var tooLong = await ExpectAsync(PostWithKeyAsync(As(Alice), "/api/appointments", Hearing, new string('k', 256)), HttpStatusCode.BadRequest);
        Assert.That(FieldErrors(tooLong, "Idempotency-Key"), Is.Not.Empty);
    }

    [Test]
    public async Task The_sweep_removes_keys_older_than_the_retention_and_keeps_the_rest()
    {
        var old = Guid.NewGuid().ToString();
        var fresh = Guid.NewGuid().ToString();
        await ExpectAsync(PostWithKeyAsync(As(Alice), "/api/appointments", Hearing, old), HttpStatusCode.Created);
        await ExpectAsync(PostWithKeyAsync(As(Alice), "/api/appointments", Hearing, fresh), HttpStatusCode.Created);
        await ExecuteAsync("UPDATE paliad.idempotency_keys SET started_at = now() - interval '25 hours' WHERE key = @key", ("key", old));

        var swept = await TestHost.Api.Services.GetRequiredService<IIdempotencyStore>().SweepAsync(CancellationToken.None);

        Assert.That(swept, Is.EqualTo(1));
        Assert.That(await ScalarAsync<string>("SELECT string_agg(key, ',') FROM paliad.idempotency_keys"), Is.EqualTo(fresh));
        await ExpectAsync(PostWithKeyAsync(As(Alice), "/api/appointments", Hearing, old), HttpStatusCode.Created);
        Assert.That(await AppointmentsAsync(), Is.EqualTo(3), "an expired key is a new key");
    }

    [Test]
    public async Task A_share_refused_for_a_stale_if_match_runs_again_with_the_fresh_one_under_the_same_key()
    {
        var alice = As(Alice);
        var project = await CreateProjectAsync(alice, "Acme GmbH", "client");
        var stale = (await ExpectAsync(alice.GetAsync(new Uri($"/api/projects/{project}", UriKind.Relative)), HttpStatusCode.OK)).GetProperty("etag").GetString()!;
        await ShareAsync(alice, project, "carol@firm.example", "viewer");
        var fresh = (await ExpectAsync(alice.GetAsync(new Uri($"/api/projects/{project}", UriKind.Relative)), HttpStatusCode.OK)).GetProperty("etag").GetString()!;
        var share = new { userId = UserIdOf(Bob), role = "viewer" };

        async Task<HttpStatusCode> ShareWithAsync(string ifMatch)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"/api/projects/{project}/members", UriKind.Relative)) { Content = JsonContent.Create(share) };
            request.Headers.Add("Idempotency-Key", "share-bob");
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
            using var response = await alice.SendAsync(request);
            return response.StatusCode;
        }

        Assert.That(await ShareWithAsync(stale), Is.EqualTo(HttpStatusCode.PreconditionFailed));
        Assert.That(await ShareWithAsync(fresh), Is.EqualTo(HttpStatusCode.Created), "the 412 was not kept and replayed");
    }

    [Test]
    public async Task A_created_feeds_secret_url_is_replayed_but_never_stored_in_clear()
    {
        using var first = await PostWithKeyAsync(As(Alice), "/api/calendar-feeds", new { displayName = "Court", scope = "all_visible" }, "feed-1");
        using var retry = await PostWithKeyAsync(As(Alice), "/api/calendar-feeds", new { displayName = "Court", scope = "all_visible" }, "feed-1");
        var url = (await ReadJsonAsync(first)).GetProperty("url").GetString()!;
        var secret = url.Split('/')[^1].Replace(".ics", string.Empty, StringComparison.Ordinal);

        Assert.That((await ReadJsonAsync(retry)).GetProperty("url").GetString(), Is.EqualTo(url), "the retry gets the URL it lost");
        var stored = await ScalarAsync<byte[]>("SELECT body FROM paliad.idempotency_keys WHERE key = 'feed-1'");
        Assert.That(stored, Is.Not.Null.And.Not.Empty);
        Assert.That(System.Text.Encoding.UTF8.GetString(stored!), Does.Not.Contain(secret).And.Not.Contain("Court"), "the kept answer is encrypted");
    }

    [Test]
    public async Task Every_creating_post_takes_a_key()
    {
        var alice = As(Alice);
        var project = (await ExpectAsync(PostWithKeyAsync(alice, "/api/projects", new { name = "Acme GmbH", kind = "client" }, "p1"), HttpStatusCode.Created)).GetProperty("id").GetGuid();
        foreach (var (path, body) in new (string, object)[]
        {
            ("/api/projects", new { name = "Acme GmbH", kind = "client" }),
            ($"/api/projects/{project}/members", new { userId = UserIdOf(Bob), role = "viewer" }),
            ("/api/caldav-bindings", new { calendarPath = "/dav/alice/court/", scope = "all_visible" }),
            ("/api/calendar-feeds", new { displayName = "Court", scope = "all_visible" }),
        })
        {
            var key = $"k-{path}";
            using var first = await PostWithKeyAsync(alice, path, body, key);
            using var retry = await PostWithKeyAsync(alice, path, body, key);
            Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.Created), path);
            Assert.That(retry.StatusCode, Is.EqualTo(HttpStatusCode.Created), $"{path}: the first answer again (not a 409 for a second binding or share)");
            Assert.That(retry.Headers.Contains("Idempotent-Replayed"), Is.True, path);
        }

        Assert.That(await ScalarAsync<long>("SELECT count(*) FROM paliad.projects"), Is.EqualTo(2), "p1 and one more");
        Assert.That(await ScalarAsync<long>("SELECT count(*) FROM paliad.calendar_bindings"), Is.EqualTo(1));
        Assert.That(await ScalarAsync<long>("SELECT count(*) FROM paliad.calendar_feeds"), Is.EqualTo(1));
        Assert.That(await ScalarAsync<long>("SELECT count(*) FROM paliad.project_members"), Is.EqualTo(3), "two owners and Bob");
    }
}
