using System.Net;
using Paliad.IntegrationTests.Infrastructure;

namespace Paliad.IntegrationTests.Api;

public sealed class ProjectsApiTests : ApiTest
{
    private const string Alice = "alice@firm.example";
    private const string Bob = "bob@firm.example";

    [Test]
    public async Task The_creator_becomes_owner_and_children_list_in_tree_order()
    {
        var alice = As(Alice);
        var acme = await CreateProjectAsync(alice, "Acme GmbH", "client");
        var litigation = await CreateProjectAsync(alice, "Acme v. Beta", "litigation", acme);

        var projects = await ExpectAsync(alice.GetAsync(new Uri("/api/projects", UriKind.Relative)), HttpStatusCode.OK);

        Assert.That(projects.EnumerateArray().Select(p => p.GetProperty("id").GetGuid()), Is.EqualTo(new[] { acme, litigation }));
        Assert.That(projects[1].GetProperty("parentId").GetGuid(), Is.EqualTo(acme));
        Assert.That(projects[1].GetProperty("kind").GetString(), Is.EqualTo("litigation"));
        Assert.That(projects.EnumerateArray().Select(p => p.GetProperty("role").GetString()), Is.All.EqualTo("owner"));
    }

    [Test]
    public async Task Sharing_answers_201_then_200_for_a_role_change_and_unsharing_204()
    {
        var alice = As(Alice);
        var acme = await CreateProjectAsync(alice, "Acme GmbH", "client");

        var added = await ExpectAsync(PostAsync(alice, $"/api/projects/{acme}/members", new { userId = UserIdOf(Bob), role = "viewer" }), HttpStatusCode.Created);
        var changed = await ExpectAsync(PostAsync(alice, $"/api/projects/{acme}/members", new { userId = UserIdOf(Bob), role = "editor" }), HttpStatusCode.OK);
        var bobSees = await ExpectAsync(As(Bob).GetAsync(new Uri($"/api/projects/{acme}", UriKind.Relative)), HttpStatusCode.OK);
        await ExpectAsync(alice.DeleteAsync(new Uri($"/api/projects/{acme}/members/{UserIdOf(Bob)}", UriKind.Relative)), HttpStatusCode.NoContent);

        Assert.That(added.GetProperty("role").GetString(), Is.EqualTo("viewer"));
        Assert.That(changed.GetProperty("role").GetString(), Is.EqualTo("editor"));
        Assert.That(bobSees.GetProperty("role").GetString(), Is.EqualTo("editor"));
        await ExpectAsync(As(Bob).GetAsync(new Uri($"/api/projects/{acme}", UriKind.Relative)), HttpStatusCode.NotFound);
    }

    [Test]
    public async Task A_user_shared_with_before_signing_in_gets_their_email_on_the_first_request()
    {
        var alice = As(Alice);
        var acme = await CreateProjectAsync(alice, "Acme GmbH", "client");
        await ShareAsync(alice, acme, Bob, "viewer");

        var me = await ExpectAsync(As(Bob).GetAsync(new Uri("/api/me", UriKind.Relative)), HttpStatusCode.OK);

        Assert.That(me.GetProperty("email").GetString(), Is.EqualTo(Bob));
        Assert.That(me.GetProperty("displayName").GetString(), Is.EqualTo("bob"));
    }

    [Test]
    public async Task An_editor_may_not_make_anyone_owner_nor_remove_an_owner()
    {
        var alice = As(Alice);
        var acme = await CreateProjectAsync(alice, "Acme GmbH", "client");
        await ShareAsync(alice, acme, Bob, "editor");
        var bob = As(Bob);

        await ExpectAsync(PostAsync(bob, $"/api/projects/{acme}/members", new { userId = UserIdOf(Bob), role = "owner" }), HttpStatusCode.Forbidden);
        await ExpectAsync(PostAsync(bob, $"/api/projects/{acme}/members", new { userId = UserIdOf(Alice), role = "viewer" }), HttpStatusCode.Forbidden);
        await ExpectAsync(bob.DeleteAsync(new Uri($"/api/projects/{acme}/members/{UserIdOf(Alice)}", UriKind.Relative)), HttpStatusCode.Forbidden);
        await ExpectAsync(PostAsync(bob, $"/api/projects/{acme}/members", new { userId = UserIdOf("carol@firm.example"), role = "viewer" }), HttpStatusCode.Created);

        var roles = await ExpectAsync(alice.GetAsync(new Uri($"/api/projects/{acme}", UriKind.Relative)), HttpStatusCode.OK);
        Assert.That(roles.GetProperty("role").GetString(), Is.EqualTo("owner"));
        Assert.That(await ScalarAsync<string>("SELECT role FROM paliad.project_members WHERE user_id = @u", ("u", UserIdOf(Bob))), Is.EqualTo("editor"));
    }

    [Test]
    public async Task A_new_account_with_a_reused_email_takes_the_address_over()
    {
        await ExpectAsync(As(Alice).GetAsync(new Uri("/api/me", UriKind.Relative)), HttpStatusCode.OK);
        var recreated = DevelopmentTokensFor(Alice, Guid.NewGuid());

        var me = await ExpectAsync(WithToken(recreated).GetAsync(new Uri("/api/me", UriKind.Relative)), HttpStatusCode.OK);

        Assert.That(me.GetProperty("email").GetString(), Is.EqualTo(Alice));
        Assert.That(await ScalarAsync<long>("SELECT count(*) FROM paliad.users"), Is.EqualTo(2));
        Assert.That(await ScalarAsync<string>("SELECT email FROM paliad.users WHERE id = @id", ("id", UserIdOf(Alice))), Does.EndWith("@users.paliad.invalid"));
    }

    private static string DevelopmentTokensFor(string email, Guid sub)
        => Paliad.Api.Auth.DevelopmentTokens.Mint(TestAuth, email, sub, TimeSpan.FromHours(1), DateTimeOffset.UtcNow);

    [Test]
    public async Task The_last_owner_cannot_be_removed()
    {
        var alice = As(Alice);
        var acme = await CreateProjectAsync(alice, "Acme GmbH", "client");

        await ExpectAsync(alice.DeleteAsync(new Uri($"/api/projects/{acme}/members/{UserIdOf(Alice)}", UriKind.Relative)), HttpStatusCode.Conflict);
    }

    [Test]
    public async Task A_viewer_may_not_add_a_project_below_and_a_stranger_may_not_see_the_parent()
    {
        var alice = As(Alice);
        var acme = await CreateProjectAsync(alice, "Acme GmbH", "client");
        await ShareAsync(alice, acme, Bob, "viewer");

        await ExpectAsync(PostAsync(As(Bob), "/api/projects", new { name = "Acme v. Beta", kind = "litigation", parentId = acme }), HttpStatusCode.Forbidden);
        await ExpectAsync(
            PostAsync(As("carol@firm.example"), "/api/projects", new { name = "Acme v. Beta", kind = "litigation", parentId = acme }), HttpStatusCode.NotFound);
    }
}
