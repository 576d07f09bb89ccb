using System.Net;
using Paliad.IntegrationTests.Infrastructure;

namespace Paliad.IntegrationTests.Api;

/// <summary>What the API accepts as a server URL and a calendar path: nothing that could send the account's
/// credentials to an origin the user did not type them for.</summary>
public sealed class ContainmentApiTests : ApiTest
{
    private const string Alice = "alice@firm.example";

    private async Task ConfigureAsync(string serverUrl = "https://dav.example.com/dav/", string? password = "secret")
        => await ExpectAsync(PutAsync(As(Alice), "/api/caldav-config", new { serverUrl, username = "alice", password }), HttpStatusCode.OK);

    [TestCase("/%2F127.0.0.2/cal/")]
    [TestCase("//evil.example/cal/")]
    [TestCase("/%2f%2fevil.example/cal/")]
    [TestCase("/dav/alice/../bob/")]
    [TestCase("/dav/alice/%2E%2E/bob/")]
    [TestCase("/dav/./alice/")]
    [TestCase("/dav\\alice/")]
    [TestCase("/dav/%5Calice/")]
    [TestCase("/http://evil.example/cal/")]
    [TestCase("/dav/alice%00/")]
    [TestCase("/dav/alice%0d%0aHost: evil/")]
    [TestCase("/dav//alice/")]
    [TestCase("/%252F%252Fevil.example/cal/")]
    [TestCase("https://dav.example.com:8443/dav/alice/")]
    [TestCase("http://dav.example.com/dav/alice/")]
    [TestCase("https://user:pw@dav.example.com/dav/alice/")]
    public async Task A_calendar_path_that_could_leave_the_server_is_a_400_naming_the_field(string calendarPath)
    {
        await ConfigureAsync();

        var created = await ExpectAsync(PostAsync(As(Alice), "/api/caldav-bindings", new { calendarPath, scope = "all_visible" }), HttpStatusCode.BadRequest);
        var good = await CreateBindingAsync(As(Alice), "/dav/alice/court/", "personal_only");
        var patched = await ExpectAsync(PatchAsync(As(Alice), $"/api/caldav-bindings/{good}", new { calendarPath }), HttpStatusCode.BadRequest);
        var configured = await ExpectAsync(
            PutAsync(As(Alice), "/api/caldav-config", new { serverUrl = "https://dav.example.com/dav/", username = "alice", calendarPath }), HttpStatusCode.BadRequest);

        Assert.That(FieldErrors(created, "calendarPath"), Is.Not.Empty);
        Assert.That(FieldErrors(patched, "calendarPath"), Is.Not.Empty);
        Assert.That(FieldErrors(configured, "calendarPath"), Is.Not.Empty);
        Assert.That(await ScalarAsync<long>("SELECT count(*) FROM paliad.calendar_bindings"), Is.EqualTo(1));
    }

    [TestCase("/dav/alice/court", "/dav/alice/court/")]
    [TestCase("  /dav/alice/court//  ", "/dav/alice/court/")]
    [TestCase("/dav/alice%40firm.example/caf%C3%A9/", "/dav/alice@firm.example/café/")]
    [TestCase("https://DAV.example.com/dav/alice/court/", "/dav/alice/court/")]
    [TestCase("https://dav.example.com:443/dav/alice/court/", "/dav/alice/court/")]
    public async Task A_calendar_path_is_stored_in_one_normalised_form(string calendarPath, string stored)
    {
        await ConfigureAsync();

        var binding = await ExpectAsync(PostAsync(As(Alice), "/api/caldav-bindings", new { calendarPath, scope = "all_visible" }), HttpStatusCode.Created);

        Assert.That(binding.GetProperty("calendarPath").GetString(), Is.EqualTo(stored));
        Assert.That(await ScalarAsync<string>("SELECT calendar_path FROM paliad.calendar_bindings"), Is.EqualTo(stored));
    }

    [Test]
    public async Task Two_spellings_of_one_collection_are_one_calendar()
    {
        await ConfigureAsync();
        await CreateBindingAsync(As(Alice), "/dav/alice/caf%C3%A9/", "all_visible");

        await ExpectAsync(PostAsync(As(Alice), "/api/caldav-bindings", new { calendarPath = "/dav/alice/café", scope = "personal_only" }), HttpStatusCode.Conflict);
    }

    [TestCase("https://alice:secret@dav.example.com/")]
    [TestCase("https://alice@dav.example.com/")]
    [TestCase("http://:pw@dav.example.com/dav/")]
    public async Task A_server_url_with_user_info_is_a_400(string serverUrl)
    {
        var problem = await ExpectAsync(PutAsync(As(Alice), "/api/caldav-config", new { serverUrl, username = "alice", password = "x" }), HttpStatusCode.BadRequest);

        Assert.That(FieldErrors(problem, "serverUrl"), Has.Some.Contains("user name or password"));
        Assert.That(await ScalarAsync<long>("SELECT count(*) FROM paliad.user_caldav_config"), Is.Zero);
    }

    [TestCase("https://evil.example/dav/")]
    [TestCase("https://dav.example.com:8443/dav/")]
    [TestCase("http://dav.example.com/dav/")]
    public async Task Moving_the_account_to_another_origin_needs_the_password_again(string otherOrigin)
    {
        await ConfigureAsync();
        var before = await ScalarAsync<string>("SELECT password FROM paliad.user_caldav_config");

        var problem = await ExpectAsync(PutAsync(As(Alice), "/api/caldav-config", new { serverUrl = otherOrigin, username = "alice" }), HttpStatusCode.BadRequest);

        Assert.That(FieldErrors(problem, "password"), Is.Not.Empty);
        Assert.That(await ScalarAsync<string>("SELECT server_url FROM paliad.user_caldav_config"), Is.EqualTo("https://dav.example.com/dav/"));
        await ExpectAsync(PutAsync(As(Alice), "/api/caldav-config", new { serverUrl = otherOrigin, username = "alice", password = "new" }), HttpStatusCode.OK);
        Assert.That(await ScalarAsync<string>("SELECT password FROM paliad.user_caldav_config"), Is.Not.EqualTo(before));
    }

    [Test]
    public async Task Another_path_on_the_same_origin_keeps_the_stored_password()
    {
        await ConfigureAsync();

        var saved = await ExpectAsync(
            PutAsync(As(Alice), "/api/caldav-config", new { serverUrl = "https://DAV.example.com:443/other/", username = "alice" }), HttpStatusCode.OK);

        Assert.That(saved.GetProperty("hasPassword").GetBoolean(), Is.True);
    }
}
