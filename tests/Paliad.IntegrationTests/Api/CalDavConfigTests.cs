using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Paliad.Application.CalDav;
using Paliad.IntegrationTests.Infrastructure;

namespace Paliad.IntegrationTests.Api;

public sealed class CalDavConfigTests : ApiTest
{
    private const string Alice = "alice@firm.example";
    private const string Password = "correct horse battery staple";

    private static object Config(string? calendarPath = "/dav/alice/court/", string? password = Password)
        => new { serverUrl = "https://dav.example.com/", username = "alice", password, calendarPath, syncEnabled = true, syncIntervalMinutes = 10 };

    [Test]
    public async Task The_first_put_creates_exactly_one_all_visible_binding_on_the_calendar_path_and_a_second_none()
    {
        var alice = As(Alice);

        await ExpectAsync(PutAsync(alice, "/api/caldav-config", Config()), HttpStatusCode.OK);
        Assert.That(await ScalarAsync<long>("SELECT count(*) FROM paliad.calendar_bindings"), Is.EqualTo(1));
        await ExpectAsync(PutAsync(alice, "/api/caldav-config", Config()), HttpStatusCode.OK);
        await ExpectAsync(PutAsync(alice, "/api/caldav-config", Config("/dav/alice/other/")), HttpStatusCode.OK);

        var bindings = await ExpectAsync(alice.GetAsync(new Uri("/api/caldav-bindings", UriKind.Relative)), HttpStatusCode.OK);
        Assert.That(bindings.GetArrayLength(), Is.EqualTo(1));
        var binding = bindings[0];
        Assert.That(binding.GetProperty("calendarPath").GetString(), Is.EqualTo("/dav/alice/court/"));
        Assert.That(binding.GetProperty("scope").GetString(), Is.EqualTo("all_visible"));
        Assert.That(binding.GetProperty("enabled").GetBoolean(), Is.True);
        Assert.That(binding.GetProperty("syncStatus").GetString(), Is.EqualTo("pending"));
    }

    [Test]
    public async Task The_password_is_never_returned_and_not_stored_in_plain_text()
    {
        var alice = As(Alice);

        using var put = await PutAsync(alice, "/api/caldav-config", Config());
        var putBody = await put.Content.ReadAsStringAsync();
        using var get = await alice.GetAsync(new Uri("/api/caldav-config", UriKind.Relative));
        var getBody = await get.Content.ReadAsStringAsync();
        var stored = await ScalarAsync<string>("SELECT password FROM paliad.user_caldav_config WHERE user_id = @id", ("id", UserIdOf(Alice)));

        Assert.That(putBody, Does.Not.Contain(Password).And.Not.Contain("password\""));
        Assert.That(getBody, Does.Not.Contain(Password).And.Not.Contain("password\""));
        Assert.That((await ReadJsonAsync(get)).GetProperty("hasPassword").GetBoolean(), Is.True);
        Assert.That(stored, Is.Not.Null.And.Not.Contains(Password));
        var protector = TestHost.Api.Services.GetRequiredService<ICalDavPasswordProtector>();
        Assert.That(protector.Unprotect(stored!).Password, Is.EqualTo(Password));
    }

    [Test]
    public async Task A_put_without_a_password_keeps_the_stored_one()
    {
        var alice = As(Alice);
        await ExpectAsync(PutAsync(alice, "/api/caldav-config", Config()), HttpStatusCode.OK);
        var before = await ScalarAsync<string>("SELECT password FROM paliad.user_caldav_config");

        var config = await ExpectAsync(PutAsync(alice, "/api/caldav-config", Config(password: null)), HttpStatusCode.OK);

        Assert.That(config.GetProperty("hasPassword").GetBoolean(), Is.True);
        Assert.That(await ScalarAsync<string>("SELECT password FROM paliad.user_caldav_config"), Is.EqualTo(before));
    }

    [Test]
    public async Task Get_shows_the_settings_and_the_aggregate_status()
    {
        var alice = As(Alice);
        await ExpectAsync(PutAsync(alice, "/api/caldav-config", Config()), HttpStatusCode.OK);

        var config = await ExpectAsync(alice.GetAsync(new Uri("/api/caldav-config", UriKind.Relative)), HttpStatusCode.OK);

        Assert.That(config.GetProperty("serverUrl").GetString(), Is.EqualTo("https://dav.example.com/"));
        Assert.That(config.GetProperty("username").GetString(), Is.EqualTo("alice"));
        Assert.That(config.GetProperty("calendarPath").GetString(), Is.EqualTo("/dav/alice/court/"));
        Assert.That(config.GetProperty("syncEnabled").GetBoolean(), Is.True);
        Assert.That(config.GetProperty("syncIntervalMinutes").GetInt32(), Is.EqualTo(10));
        Assert.That(config.GetProperty("lastSyncAt").ValueKind, Is.EqualTo(System.Text.Json.JsonValueKind.Null));
        Assert.That(config.GetProperty("lastSyncError").ValueKind, Is.EqualTo(System.Text.Json.JsonValueKind.Null));
    }

    [Test]
    public async Task Delete_removes_the_account_its_bindings_and_targets()
    {
        var alice = As(Alice);
        await ExpectAsync(PutAsync(alice, "/api/caldav-config", Config()), HttpStatusCode.OK);
        var appointment = await CreateAppointmentAsync(alice, "Hearing");
        var binding = await ScalarAsync<Guid>("SELECT id FROM paliad.calendar_bindings");
        await ExecuteAsync(
            "INSERT INTO paliad.appointment_targets (id, appointment_id, binding_id, caldav_uid, caldav_href) VALUES (gen_random_uuid(), @a, @b, 'u', '/dav/alice/court/u.ics')",
            ("a", appointment), ("b", binding));

        await ExpectAsync(alice.DeleteAsync(new Uri("/api/caldav-config", UriKind.Relative)), HttpStatusCode.NoContent);

        await ExpectAsync(alice.GetAsync(new Uri("/api/caldav-config", UriKind.Relative)), HttpStatusCode.NotFound);
        Assert.That(await ScalarAsync<long>("SELECT count(*) FROM paliad.calendar_bindings"), Is.Zero);
        Assert.That(await ScalarAsync<long>("SELECT count(*) FROM paliad.appointment_targets"), Is.Zero);
        Assert.That(await ScalarAsync<long>("SELECT count(*) FROM paliad.appointments"), Is.EqualTo(1));
    }

    [Test]
    public async Task A_calendar_url_on_another_host_is_refused()
    {
        var problem = await ExpectAsync(
            PutAsync(As(Alice), "/api/caldav-config", new { serverUrl = "https://dav.example.com/", username = "alice", calendarPath = "https://evil.example/dav/alice/" }),
            HttpStatusCode.BadRequest);

        Assert.That(FieldErrors(problem, "calendarPath"), Is.Not.Empty);
    }
}
