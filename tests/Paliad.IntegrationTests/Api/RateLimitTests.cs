using System.Net;
using System.Net.Http.Headers;
using Paliad.IntegrationTests.CalDav;
using Paliad.IntegrationTests.Infrastructure;

namespace Paliad.IntegrationTests.Api;

/// <summary>The endpoints that reach remote servers are rate-limited per user, and discovery has a global
/// concurrency limit: 429 problem+json with Retry-After. (A host of their own, with the real limiter on.)</summary>
public sealed class RateLimitTests : ApiTest
{
    private PaliadApiFactory _host = null!;

    [SetUp]
    public void StartHost() => _host = new PaliadApiFactory(TestDatabase.ConnectionString, new Dictionary<string, string>
    {
        ["Api:RemoteRequestsPerMinute"] = "3",
        ["Api:MaxConcurrentDiscoveries"] = "1",
        ["CalDav:DiscoveryTimeoutSeconds"] = "4",
    });

    [TearDown]
    public async Task StopHostAsync() => await _host.DisposeAsync();

    private HttpClient Client(string email)
    {
        var client = _host.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TokenFor(email));
        return client;
    }

    [Test]
    public async Task Sync_now_beyond_the_per_user_rate_is_a_429_with_retry_after_and_others_are_unaffected()
    {
        using var alice = Client("alice@firm.example");
        using var bob = Client("bob@firm.example");
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? refused = null;
        for (var i = 0; i < 4; i++)
        {
            var response = await alice.PostAsync(new Uri("/api/caldav-sync", UriKind.Relative), null);
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                refused = response;
            }
            else
            {
                response.Dispose();
            }
        }

        using var bobs = await bob.PostAsync(new Uri("/api/caldav-sync", UriKind.Relative), null);

        Assert.That(statuses.Take(3), Has.None.EqualTo(HttpStatusCode.TooManyRequests));
        Assert.That(statuses[3], Is.EqualTo(HttpStatusCode.TooManyRequests));
        Assert.That(refused!.Headers.RetryAfter?.Delta, Is.GreaterThan(TimeSpan.Zero));
        Assert.That(refused.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        Assert.That(bobs.StatusCode, Is.Not.EqualTo(HttpStatusCode.TooManyRequests));
        refused.Dispose();
    }

    [Test]
    public async Task Discoveries_beyond_the_global_concurrency_limit_are_refused_while_a_slow_server_holds_it()
    {
        await using var blackhole = await FaultProxy.StartAsync(CalDavServers.Url(CalDavServers.Radicale));
        blackhole.Inject(new Fault.Blackhole(null) { Always = true });
        var users = new[] { "a@firm.example", "b@firm.example", "c@firm.example" };
        var clients = users.Select(Client).ToList();
        foreach (var client in clients)
        {
            await ExpectAsync(PutAsync(client, "/api/caldav-config", new { serverUrl = blackhole.Url.ToString(), username = "u", password = "p" }), HttpStatusCode.OK);
        }

        // One discovery runs (the server never answers), one waits in the queue, the third is refused at once.
        var running = clients[0].GetAsync(new Uri("/api/caldav-calendars", UriKind.Relative));
        await Task.Delay(300);
        var queued = clients[1].GetAsync(new Uri("/api/caldav-calendars", UriKind.Relative));
        await Task.Delay(300);
        using var third = await clients[2].GetAsync(new Uri("/api/caldav-calendars", UriKind.Relative));

        Assert.That(third.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
        Assert.That(third.Headers.RetryAfter, Is.Not.Null);
        using var first = await running;
        using var second = await queued;
        Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.BadGateway), "the discovery deadline ends the stalled one");
        Assert.That((await ReadJsonAsync(first)).GetProperty("reason").GetString(), Is.EqualTo("timeout"));
        Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.BadGateway));
        foreach (var client in clients)
        {
            client.Dispose();
        }
    }
}
