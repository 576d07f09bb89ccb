using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Paliad.IntegrationTests.Infrastructure;

namespace Paliad.IntegrationTests.Api;

/// <summary>The settings page is served by Paliad itself at <c>/</c>, and its development sign-in exists only when
/// ASPNETCORE_ENVIRONMENT=Development.</summary>
public sealed class SettingsPageTests : ApiTest
{
    [TestCase("/", "text/html")]
    [TestCase("/app.js", "text/javascript")]
    [TestCase("/app.css", "text/css")]
    public async Task The_page_and_its_assets_are_served_without_a_token(string path, string mediaType)
    {
        using var anonymous = WithToken(null);

        using var response = await anonymous.GetAsync(new Uri(path, UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo(mediaType));
        Assert.That(body, Does.Not.Match(@"(src|href)\s*=\s*[""']?(https?:)?//|url\(\s*[""']?(https?:)?//|@import|fetch\(\s*[""'`](https?:)?//"),
            "no CDN, no external font or script: everything the page loads is Paliad's");
    }

    [Test]
    public async Task Outside_Development_the_sign_in_endpoint_does_not_exist()
    {
        using var anonymous = WithToken(null);

        await ExpectAsync(anonymous.GetAsync(new Uri("/dev/sign-in/", UriKind.Relative)), HttpStatusCode.NotFound);
        await ExpectAsync(anonymous.PostAsJsonAsync(new Uri("/dev/sign-in/", UriKind.Relative), new { email = "alice@firm.example" }), HttpStatusCode.NotFound);
    }

    [Test]
    public async Task In_Development_signing_in_as_an_address_gives_a_token_the_API_takes()
    {
        await using var development = new PaliadApiFactory(TestDatabase.ConnectionString, new Dictionary<string, string> { ["environment"] = "Development" });
        using var anonymous = development.CreateClient();

        await ExpectAsync(anonymous.GetAsync(new Uri("/dev/sign-in/", UriKind.Relative)), HttpStatusCode.OK);
        var signedIn = await ExpectAsync(anonymous.PostAsJsonAsync(new Uri("/dev/sign-in/", UriKind.Relative), new { email = "alice@firm.example" }), HttpStatusCode.OK);
        var problem = await ExpectAsync(anonymous.PostAsJsonAsync(new Uri("/dev/sign-in/", UriKind.Relative), new { email = "not an address" }), HttpStatusCode.BadRequest);

        using var alice = development.CreateClient();
        alice.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", signedIn.GetProperty("accessToken").GetString());
        var me = await ExpectAsync(alice.GetAsync(new Uri("/api/me", UriKind.Relative)), HttpStatusCode.OK);
        Assert.That(me.GetProperty("email").GetString(), Is.EqualTo("alice@firm.example"));
        Assert.That(me.GetProperty("id").GetGuid(), Is.EqualTo(signedIn.GetProperty("userId").GetGuid()));
        Assert.That(FieldErrors(problem, "email"), Is.Not.Empty);
    }
}
