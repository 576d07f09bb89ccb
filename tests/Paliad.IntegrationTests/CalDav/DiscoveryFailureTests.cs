using System.Net;
using Paliad.IntegrationTests.Infrastructure;

namespace Paliad.IntegrationTests.CalDav;

/// <summary>A failed GET /api/caldav-calendars says what kind of failure it was (problem+json <c>reason</c>), so the
/// settings page can say it in plain words: wrong password, server not found, not a CalDAV server.</summary>
public sealed class DiscoveryFailureTests : ApiTest
{
    private const string Alice = "alice@firm.example";

    [Test]
    public async Task A_wrong_password_is_unauthorized()
    {
        // Cyrus is the one test server that checks passwords.
        var problem = await DiscoverAsync(CalDavServers.Url(CalDavServers.Cyrus), "not-the-password");

        Assert.That(problem.GetProperty("reason").GetString(), Is.EqualTo("unauthorized"));
    }

    [Test]
    public async Task A_server_nobody_answers_for_is_unreachable()
    {
        var problem = await DiscoverAsync(new Uri("http://127.0.0.1:9/"), "x");

        Assert.That(problem.GetProperty("reason").GetString(), Is.EqualTo("unreachable"));
    }

    [Test]
    public async Task A_web_server_that_is_no_CalDAV_server_is_named_so()
    {
        await using var website = await FaultProxy.StartAsync(CalDavServers.Url(CalDavServers.Radicale));
        website.Inject(new Fault.Respond(null, 200, () => "<!doctype html><title>Law firm</title>") { Always = true });

        var problem = await DiscoverAsync(website.Url, "x");

        Assert.That(problem.GetProperty("reason").GetString(), Is.EqualTo("not_a_calendar_server"));
    }

    private async Task<System.Text.Json.JsonElement> DiscoverAsync(Uri server, string password)
    {
        var alice = As(Alice);
        await ExpectAsync(PutAsync(alice, "/api/caldav-config", new { serverUrl = server.ToString(), username = CalDavServers.Username, password }), HttpStatusCode.OK);
        return await ExpectAsync(alice.GetAsync(new Uri("/api/caldav-calendars", UriKind.Relative)), HttpStatusCode.BadGateway);
    }
}
