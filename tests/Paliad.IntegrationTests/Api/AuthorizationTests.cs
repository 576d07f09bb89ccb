using System.Net;
using Paliad.Api.Auth;
using Paliad.IntegrationTests.Infrastructure;

namespace Paliad.IntegrationTests.Api;

/// <summary>401 without a valid token; another user's resource is a 404; viewers see but may not change.</summary>
public sealed class AuthorizationTests : ApiTest
{
    private const string Alice = "alice@firm.example";
    private const string Bob = "bob@firm.example";

    [Test]
    public async Task Without_a_token_the_api_answers_401()
    {
        await ExpectAsync(WithToken(null).GetAsync(new Uri("/api/me", UriKind.Relative)), HttpStatusCode.Unauthorized);
        await ExpectAsync(WithToken(null).GetAsync(new Uri("/api/caldav-bindings", UriKind.Relative)), HttpStatusCode.Unauthorized);
    }

    [Test]
    public async Task An_expired_token_is_refused()
    {
        var expired = TokenFor(Alice, TimeSpan.FromMinutes(5), DateTimeOffset.UtcNow.AddHours(-2));

        await ExpectAsync(WithToken(expired).GetAsync(new Uri("/api/me", UriKind.Relative)), HttpStatusCode.Unauthorized);
    }

    [Test]
    public async Task A_token_signed_with_another_key_is_refused()
    {
        var forged = DevelopmentTokens.Mint(
            new AuthOptions { JwtSigningKey = "another-key-another-key-another-key-0123" }, Alice, null, TimeSpan.FromHours(1), DateTimeOffset.UtcNow);

        await ExpectAsync(WithToken(forged).GetAsync(new Uri("/api/me", UriKind.Relative)), HttpStatusCode.Unauthorized);
    }

    [Test]
    public async Task The_first_authenticated_request_provisions_the_user_from_sub_and_email()
    {
        var me = await ExpectAsync(As(Alice).GetAsync(new Uri("/api/me", UriKind.Relative)), HttpStatusCode.OK);

        Assert.That(me.GetProperty("id").GetGuid(), Is.EqualTo(UserIdOf(Alice)));
        Assert.That(me.GetProperty("email").GetString(), Is.EqualTo(Alice));
        Assert.That(await ScalarAsync<long>("SELECT count(*) FROM paliad.users"), Is.EqualTo(1));
    }

    [Test]
    public async Task Another_users_binding_is_not_found()
    {
        var binding = await CreateBindingAsync(As(Alice), "/dav/alice/master/", "all_visible");
        var bob = As(Bob);

        await ExpectAsync(bob.GetAsync(new Uri($"/api/caldav-bindings/{binding}", UriKind.Relative)), HttpStatusCode.NotFound);
        await ExpectAsync(PatchAsync(bob, $"/api/caldav-bindings/{binding}", new { enabled = false }), HttpStatusCode.NotFound);
        await ExpectAsync(bob.DeleteAsync(new Uri($"/api/caldav-bindings/{binding}", UriKind.Relative)), HttpStatusCode.NotFound);
        await ExpectAsync(bob.GetAsync(new Uri($"/api/caldav-sync-log?bindingId={binding}", UriKind.Relative)), HttpStatusCode.NotFound);
        var bobsBindings = await ExpectAsync(bob.GetAsync(new Uri("/api/caldav-bindings", UriKind.Relative)), HttpStatusCode.OK);
        Assert.That(bobsBindings.GetArrayLength(), Is.Zero);
        Assert.That(await ScalarAsync<bool>("SELECT enabled FROM paliad.calendar_bindings WHERE id = @id", ("id", binding)), Is.True);
    }

    [Test]
    public async Task Another_users_caldav_config_is_not_visible()
    {
        await ExpectAsync(PutAsync(As(Alice), "/api/caldav-config", new { serverUrl = "https://dav.example.com/", username = "alice", password = "s3cret" }), HttpStatusCode.OK);
        var bob = As(Bob);

        await ExpectAsync(bob.GetAsync(new Uri("/api/caldav-config", UriKind.Relative)), HttpStatusCode.NotFound);
        await ExpectAsync(bob.DeleteAsync(new Uri("/api/caldav-config", UriKind.Relative)), HttpStatusCode.NotFound);
        Assert.That(await ScalarAsync<long>("SELECT count(*) FROM paliad.user_caldav_config"), Is.EqualTo(1));
    }

    [Test]
    public async Task Another_users_personal_appointment_is_not_found()
    {
        var appointment = await CreateAppointmentAsync(As(Alice), "Dentist");
        var bob = As(Bob);

        await ExpectAsync(bob.GetAsync(new Uri($"/api/appointments/{appointment}", UriKind.Relative)), HttpStatusCode.NotFound);
        await ExpectAsync(PatchAsync(bob, $"/api/appointments/{appointment}", new { title = "Mine now" }), HttpStatusCode.NotFound);
        await ExpectAsync(bob.DeleteAsync(new Uri($"/api/appointments/{appointment}", UriKind.Relative)), HttpStatusCode.NotFound);
        var list = await ExpectAsync(bob.GetAsync(new Uri("/api/appointments", UriKind.Relative)), HttpStatusCode.OK);
        Assert.That(list.GetArrayLength(), Is.Zero);
    }

    [Test]
    public async Task A_project_that_was_not_shared_is_not_found()
    {
        var alice = As(Alice);
        var acme = await CreateProjectAsync(alice, "Acme GmbH", "client");
        var hearing = await CreateAppointmentAsync(alice, "Hearing", acme);
        var bob = As(Bob);

        await ExpectAsync(bob.GetAsync(new Uri($"/api/projects/{acme}", UriKind.Relative)), HttpStatusCode.NotFound);
        await ExpectAsync(PostAsync(bob, $"/api/projects/{acme}/members", new { userId = UserIdOf(Bob), role = "owner" }), HttpStatusCode.NotFound);
        await ExpectAsync(bob.DeleteAsync(new Uri($"/api/projects/{acme}/members/{UserIdOf(Alice)}", UriKind.Relative)), HttpStatusCode.NotFound);
        await ExpectAsync(bob.GetAsync(new Uri($"/api/appointments/{hearing}", UriKind.Relative)), HttpStatusCode.NotFound);
        var projects = await ExpectAsync(bob.GetAsync(new Uri("/api/projects", UriKind.Relative)), HttpStatusCode.OK);
        Assert.That(projects.GetArrayLength(), Is.Zero);
        var refused = await ExpectAsync(PostAsync(bob, "/api/caldav-bindings", new { calendarPath = "/dav/bob/acme/", scope = "client", scopeId = acme }), HttpStatusCode.BadRequest);
        Assert.That(FieldErrors(refused, "scopeId"), Is.Not.Empty);
    }

    [Test]
    public async Task A_viewer_sees_project_appointments_but_may_not_change_them()
    {
        var alice = As(Alice);
        var acme = await CreateProjectAsync(alice, "Acme GmbH", "client");
        var hearing = await CreateAppointmentAsync(alice, "Hearing", acme);
        await ShareAsync(alice, acme, Bob, "viewer");
        var bob = As(Bob);

        await ExpectAsync(bob.GetAsync(new Uri($"/api/appointments/{hearing}", UriKind.Relative)), HttpStatusCode.OK);
        await ExpectAsync(PatchAsync(bob, $"/api/appointments/{hearing}", new { title = "Moved" }), HttpStatusCode.Forbidden);
        await ExpectAsync(bob.DeleteAsync(new Uri($"/api/appointments/{hearing}", UriKind.Relative)), HttpStatusCode.Forbidden);
        await ExpectAsync(PostAsync(bob, "/api/appointments", new { title = "Mine", startsAt = Now, endsAt = Now, projectId = acme }), HttpStatusCode.Forbidden);
        await ExpectAsync(PostAsync(bob, $"/api/projects/{acme}/members", new { userId = UserIdOf("carol@firm.example"), role = "viewer" }), HttpStatusCode.Forbidden);
    }

    [Test]
    public async Task An_editor_on_an_ancestor_may_change_appointments_below_it()
    {
        var alice = As(Alice);
        var acme = await CreateProjectAsync(alice, "Acme GmbH", "client");
        var litigation = await CreateProjectAsync(alice, "Acme v. Beta", "litigation", acme);
        var hearing = await CreateAppointmentAsync(alice, "Hearing", litigation);
        await ShareAsync(alice, acme, Bob, "editor");

        var changed = await ExpectAsync(PatchAsync(As(Bob), $"/api/appointments/{hearing}", new { location = "Saal 2.104" }), HttpStatusCode.OK);

        Assert.That(changed.GetProperty("location").GetString(), Is.EqualTo("Saal 2.104"));
    }
}
