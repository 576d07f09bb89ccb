using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Paliad.IntegrationTests.CalDav;
using Paliad.IntegrationTests.Infrastructure;

namespace Paliad.IntegrationTests.Api;

/// <summary>Queues one tenant can fill are fair: discovery has per-user slots inside the global ones, and changes to
/// appointments and bindings are rate-limited per user. (A host of its own, with the real limiters.)</summary>
public sealed class TenantFairnessTests : ApiTest
{
    private PaliadApiFactory _host = null!;

    [SetUp]
    public void StartHost() => _host = new PaliadApiFactory(TestDatabase.ConnectionString, new Dictionary<string, string>
    {
        ["Api:RemoteRequestsPerMinute"] = "100",
        ["Api:MaxConcurrentDiscoveriesPerUser"] = "2",
        ["Api:WritesPerMinute"] = "5",
        ["CalDav:DiscoveryTimeoutSeconds"] = "20",
    });

    [TearDown]
    public async Task StopHostAsync() => await _host.DisposeAsync();

    private HttpClient Client(string email)
    {
        var client = _host.CreateClient();
        client.Timeout = TimeSpan.FromSeconds(60);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TokenFor(email));
        return client;
    }

    [Test]
    public async Task Twenty_discoveries_against_a_stalling_server_leave_another_users_discovery_fast()
    {
        await using var stalling = await FaultProxy.StartAsync(CalDavServers.Url(CalDavServers.Radicale));
        stalling.Inject(new Fault.Blackhole(null) { Always = true });
        using var mallory = Client("mallory@firm.example");
        using var alice = Client("alice@firm.example");
        await ExpectAsync(PutAsync(mallory, "/api/caldav-config", new { serverUrl = stalling.Url.ToString(), username = "u", password = "p" }), HttpStatusCode.OK);
        await ExpectAsync(PutAsync(alice, "/api/caldav-config", new
        {
            serverUrl = CalDavServers.Url(CalDavServers.Radicale).ToString(), username = CalDavServers.Username, password = CalDavServers.Password,
        }), HttpStatusCode.OK);

        var flood = Enumerable.Range(0, 20).Select(_ => mallory.GetAsync(new Uri("/api/caldav-calendars", UriKind.Relative))).ToList();
        await Task.Delay(500);
        var watch = Stopwatch.StartNew();
        using var alices = await alice.GetAsync(new Uri("/api/caldav-calendars", UriKind.Relative));
        watch.Stop();

        Assert.That(alices.StatusCode, Is.EqualTo(HttpStatusCode.OK), await alices.Content.ReadAsStringAsync());
        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)), "another user's stalled discoveries hold only their own slots");
        var statuses = new List<HttpStatusCode>();
        foreach (var request in flood)
        {
            using var response = await request;
            statuses.Add(response.StatusCode);
        }

        Assert.That(statuses.Count(s => s == HttpStatusCode.TooManyRequests), Is.EqualTo(16), "two run and two wait per user; the rest are refused at once");
    }

    [Test]
    public async Task Changes_beyond_the_per_user_rate_are_a_429_with_retry_after_and_another_user_is_unaffected()
    {
        using var alice = Client("alice@firm.example");
        using var bob = Client("bob@firm.example");
        for (var i = 0; i < 5; i++)
        {
            await CreateAppointmentAsync(alice, $"Hearing {i}");
        }

        using var refused = await PostAsync(alice, "/api/appointments", new { title = "One too many", startsAt = DateTimeOffset.UtcNow, endsAt = DateTimeOffset.UtcNow.AddHours(1) });
        using var bindingRefused = await PostAsync(alice, "/api/caldav-bindings", new { calendarPath = "/paliad/x/", scope = "all_visible" });

        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
        Assert.That(refused.Headers.RetryAfter?.Delta, Is.GreaterThan(TimeSpan.Zero));
        Assert.That(refused.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        Assert.That(await refused.Content.ReadAsStringAsync(), Does.Contain("every member's calendars"));
        Assert.That(bindingRefused.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests), "binding changes share the allowance");
        await CreateAppointmentAsync(bob, "Bob's hearing");
        await ExpectAsync(alice.GetAsync(new Uri("/api/appointments", UriKind.Relative)), HttpStatusCode.OK);
    }
}
