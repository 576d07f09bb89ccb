using Paliad.Domain.Projects;

namespace Paliad.Domain.Tests.Projects;

public sealed class ProjectMemberTests
{
    private static readonly Guid Partner = Guid.CreateVersion7();
    private static readonly Guid Associate = Guid.CreateVersion7();

    [TestCase(ProjectRole.Owner, true)]
    [TestCase(ProjectRole.Editor, true)]
    [TestCase(ProjectRole.Viewer, false)]
    public void Owners_and_editors_can_edit_and_viewers_cannot(ProjectRole role, bool canEdit)
    {
        var client = Project.Create(ProjectKind.Client, "Acme GmbH", null, Partner, Clock.Now);

        client.Share(Associate, role, Clock.Now);

        var member = client.Members.Single(m => m.UserId == Associate);
        Assert.That((member.Role, member.Role.CanEdit()), Is.EqualTo((role, canEdit)));
    }
}
