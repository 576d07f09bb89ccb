using Paliad.Application.CalDav.Bindings.ListScopes;

namespace Paliad.UnitTests.CalDav;

/// <summary>GET /api/caldav-scopes: the scope rule as the page reads it.</summary>
public sealed class BindingScopesTests
{
    private static async Task<Dictionary<string, BindingScopeDto>> ScopesAsync()
        => (await new ListBindingScopesHandler().Handle(new ListBindingScopes(), CancellationToken.None)).ToDictionary(s => s.Scope);

    [Test]
    public async Task Every_scope_word_is_listed_once()
    {
        Assert.That((await ScopesAsync()).Keys, Is.EquivalentTo(new[] { "all_visible", "personal_only", "project", "client", "litigation", "patent", "case" }));
    }

    [TestCase("all_visible")]
    [TestCase("personal_only")]
    public async Task The_scopes_of_the_users_own_view_name_no_project(string scope)
    {
        var dto = (await ScopesAsync())[scope];

        Assert.That((dto.NeedsProject, dto.ProjectKinds, dto.IncludesDescendants), Is.EqualTo((false, Array.Empty<string>(), false)));
    }

    [Test]
    public async Task The_project_scope_names_a_project_of_any_kind_without_its_descendants()
    {
        var dto = (await ScopesAsync())["project"];

        Assert.That(dto.NeedsProject, Is.True);
        Assert.That(dto.ProjectKinds, Is.EquivalentTo(new[] { "client", "litigation", "patent", "case" }));
        Assert.That(dto.IncludesDescendants, Is.False);
    }

    [TestCase("client")]
    [TestCase("litigation")]
    [TestCase("patent")]
    [TestCase("case")]
    public async Task A_hierarchy_scope_names_a_project_of_its_own_kind_with_everything_below(string scope)
    {
        var dto = (await ScopesAsync())[scope];

        Assert.That((dto.NeedsProject, dto.IncludesDescendants), Is.EqualTo((true, true)));
        Assert.That(dto.ProjectKinds, Is.EqualTo(new[] { scope }));
    }
}
