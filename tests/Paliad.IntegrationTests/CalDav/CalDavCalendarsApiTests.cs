using System.Net;
using Paliad.IntegrationTests.Infrastructure;

namespace Paliad.IntegrationTests.CalDav;

/// <summary>GET /api/caldav-calendars against each real server, through the configured account.</summary>
[TestFixtureSource(typeof(CalDavServers), nameof(CalDavServers.All))]
public sealed class CalDavCalendarsApiTests(string server) : ApiTest
{
    private const string Alice = "alice@firm.example";

    [Test]
    public async Task The_calendars_of_the_configured_server_are_listed()
    {
        var url = CalDavServers.Url(server);
        using var counter = new RequestCounter();
        var client = CalDavServers.Client(url, CalDavServers.TestOptions(), counter);
        var home = await client.FindCalendarHomeAsync(await client.FindPrincipalAsync());
        var calendar = home + "api-" + Guid.NewGuid().ToString("N")[..12] + "/";
        await client.MakeCalendarAsync(calendar, "Court dates");
        var alice = As(Alice);
        await ExpectAsync(PutAsync(alice, "/api/caldav-config", new { serverUrl = url.ToString(), username = CalDavServers.Username, password = CalDavServers.Password }), HttpStatusCode.OK);

        var calendars = await ExpectAsync(alice.GetAsync(new Uri("/api/caldav-calendars", UriKind.Relative)), HttpStatusCode.OK);

        var mine = calendars.EnumerateArray().Single(c => c.GetProperty("href").GetString() == calendar);
        Assert.That(mine.GetProperty("displayName").GetString(), Is.EqualTo("Court dates"));
        Assert.That(mine.GetProperty("supportsEvents").GetBoolean(), Is.True);
        Assert.That(mine.TryGetProperty("color", out _), Is.True);
    }

    [Test]
    public async Task An_unreachable_server_is_a_502_not_a_500()
    {
        var alice = As(Alice);
        await ExpectAsync(PutAsync(alice, "/api/caldav-config", new { serverUrl = "http://127.0.0.1:9/", username = "alice", password = "x" }), HttpStatusCode.OK);

        await ExpectAsync(alice.GetAsync(new Uri("/api/caldav-calendars", UriKind.Relative)), HttpStatusCode.BadGateway);
    }

    [Test]
    public async Task Without_a_configured_account_there_is_nothing_to_list()
    {
        await ExpectAsync(As(Alice).GetAsync(new Uri("/api/caldav-calendars", UriKind.Relative)), HttpStatusCode.NotFound);
        Assert.That(server, Is.Not.Empty);
    }
}
