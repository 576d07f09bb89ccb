using Paliad.Domain.Projects;

namespace Paliad.Domain.Tests.Projects;

public sealed class ProjectRolesTests
{
    [TestCase(ProjectRole.Owner, true)]
    [TestCase(ProjectRole.Editor, true)]
    [TestCase(ProjectRole.Viewer, false)]
    public void Owners_and_editors_may_edit_and_viewers_only_see(ProjectRole role, bool canEdit)
    {
        Assert.That(role.CanEdit(), Is.EqualTo(canEdit));
    }
}
