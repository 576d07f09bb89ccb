using System.Net;
using System.Text.Json;
using Paliad.IntegrationTests.Infrastructure;

namespace Paliad.IntegrationTests.Api;

public sealed class AppointmentsApiTests : ApiTest
{
    private const string Alice = "alice@firm.example";

    [Test]
    public async Task Create_then_get_returns_the_appointment_with_utc_times()
    {
        var alice = As(Alice);
        var body = new
        {
            title = "Oral hearing",
            description = "Bring the claim charts",
            location = "LG Düsseldorf, Saal 2.104",
            startsAt = "2026-12-03T09:30:00+01:00",
            endsAt = "2026-12-03T12:00:00+01:00",
            timeZone = "Europe/Berlin",
        };

        var created = await ExpectAsync(PostAsync(alice, "/api/appointments", body), HttpStatusCode.Created);
        var fetched = await ExpectAsync(alice.GetAsync(new Uri($"/api/appointments/{created.GetProperty("id").GetGuid()}", UriKind.Relative)), HttpStatusCode.OK);

        Assert.That(fetched.GetProperty("title").GetString(), Is.EqualTo("Oral hearing"));
        Assert.That(fetched.GetProperty("startsAt").GetString(), Is.EqualTo("2026-12-03T08:30:00Z"));
        Assert.That(fetched.GetProperty("endsAt").GetString(), Is.EqualTo("2026-12-03T11:00:00Z"));
        Assert.That(fetched.GetProperty("timeZone").GetString(), Is.EqualTo("Europe/Berlin"));
        Assert.That(fetched.GetProperty("allDay").GetBoolean(), Is.False);
        Assert.That(fetched.GetProperty("projectId").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(fetched.GetProperty("ownerId").GetGuid(), Is.EqualTo(UserIdOf(Alice)));
    }

    [Test]
    public async Task The_list_returns_what_overlaps_the_range_by_start_time()
    {
        var alice = As(Alice);
        var day = new DateTimeOffset(2026, 12, 3, 0, 0, 0, TimeSpan.Zero);
        var before = await CreateAppointmentAsync(alice, "Day before", startsAt: day.AddHours(-2));
        var morning = await CreateAppointmentAsync(alice, "Morning", startsAt: day.AddHours(9));
        var straddling = await CreateAppointmentAsync(alice, "Overnight", startsAt: day.AddMinutes(-30));
        await CreateAppointmentAsync(alice, "Next day", startsAt: day.AddDays(1));

        var list = await ExpectAsync(
            alice.GetAsync(new Uri($"/api/appointments?from={Uri.EscapeDataString(day.ToString("O"))}&to={Uri.EscapeDataString(day.AddDays(1).ToString("O"))}", UriKind.Relative)),
            HttpStatusCode.OK);

        Assert.That(list.EnumerateArray().Select(a => a.GetProperty("id").GetGuid()), Is.EqualTo(new[] { straddling, morning }));
        Assert.That(list.EnumerateArray().Select(a => a.GetProperty("id").GetGuid()), Does.Not.Contain(before));
        await ExpectAsync(alice.GetAsync(new Uri("/api/appointments?from=2026-12-04T00:00:00Z&to=2026-12-03T00:00:00Z", UriKind.Relative)), HttpStatusCode.BadRequest);
        var noOffset = await ExpectAsync(alice.GetAsync(new Uri("/api/appointments?from=2026-12-04T00:00:00", UriKind.Relative)), HttpStatusCode.BadRequest);
        Assert.That(FieldErrors(noOffset, "from"), Is.Not.Empty);
    }

    [Test]
    public async Task Patch_changes_only_the_fields_it_names_and_bumps_the_version()
    {
        var alice = As(Alice);
        var id = await CreateAppointmentAsync(alice, "Hearing");
        await ExpectAsync(PatchAsync(alice, $"/api/appointments/{id}", new { description = "Bring the claim charts" }), HttpStatusCode.OK);

        var patched = await ExpectAsync(PatchAsync(alice, $"/api/appointments/{id}", new { location = "Saal 1", description = (string?)null }), HttpStatusCode.OK);

        Assert.That(patched.GetProperty("title").GetString(), Is.EqualTo("Hearing"));
        Assert.That(patched.GetProperty("description").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(patched.GetProperty("location").GetString(), Is.EqualTo("Saal 1"));
        Assert.That(patched.GetProperty("version").GetInt32(), Is.EqualTo(3));
    }

    [Test]
    public async Task Delete_answers_204_and_the_appointment_is_gone()
    {
        var alice = As(Alice);
        var id = await CreateAppointmentAsync(alice, "Hearing");

        await ExpectAsync(alice.DeleteAsync(new Uri($"/api/appointments/{id}", UriKind.Relative)), HttpStatusCode.NoContent);

        await ExpectAsync(alice.GetAsync(new Uri($"/api/appointments/{id}", UriKind.Relative)), HttpStatusCode.NotFound);
    }

    [Test]
    public async Task An_appointment_in_another_users_project_is_a_404()
    {
        var acme = await CreateProjectAsync(As("bob@firm.example"), "Acme GmbH", "client");

        await ExpectAsync(PostAsync(As(Alice), "/api/appointments", new { title = "Hearing", startsAt = Now, endsAt = Now, projectId = acme }), HttpStatusCode.NotFound);

        Assert.That(await ScalarAsync<long>("SELECT count(*) FROM paliad.appointments"), Is.Zero);
    }

    [Test]
    public async Task A_time_without_an_offset_is_a_400_not_a_guess()
    {
        var problem = await ExpectAsync(
            PostAsync(As(Alice), "/api/appointments", new { title = "Hearing", startsAt = "2026-12-03T09:00:00", endsAt = "2026-12-03T10:00:00Z" }),
            HttpStatusCode.BadRequest);

        Assert.That(FieldErrors(problem, "startsAt"), Is.Not.Empty, problem.ToString());
    }

    [Test]
    public async Task Patching_the_time_zone_to_null_is_a_400()
    {
        var id = await CreateAppointmentAsync(As(Alice), "Hearing");

        var problem = await ExpectAsync(PatchAsync(As(Alice), $"/api/appointments/{id}", new { timeZone = (string?)null }), HttpStatusCode.BadRequest);

        Assert.That(FieldErrors(problem, "timeZone"), Is.Not.Empty);
    }
}
