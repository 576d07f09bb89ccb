using Paliad.Domain.Common;
using Paliad.Domain.Projects;

namespace Paliad.Domain.Tests.Projects;

public sealed class ProjectTests
{
    private static readonly Guid Partner = Guid.CreateVersion7();
    private static readonly Guid Associate = Guid.CreateVersion7();

    [Test]
    public void A_client_is_a_root_whose_path_is_its_own_segment()
    {
        var client = Project.Create(ProjectKind.Client, "Acme GmbH", null, Partner, Clock.Now);

        Assert.That(client.ParentId, Is.Null);
        Assert.That(client.Path, Is.EqualTo("/" + client.Id.ToString("N") + "/"));
    }

    [Test]
    public void A_child_path_extends_its_parent_path()
    {
        var client = Project.Create(ProjectKind.Client, "Acme GmbH", null, Partner, Clock.Now);
        var litigation = Project.Create(ProjectKind.Litigation, "Acme v. Beta", client, Partner, Clock.Now);
        var patent = Project.Create(ProjectKind.Patent, "EP 1 234 567", litigation, Partner, Clock.Now);

        Assert.That(patent.Path, Is.EqualTo(client.Path + litigation.Id.ToString("N") + "/" + patent.Id.ToString("N") + "/"));
        Assert.That(client.Contains(patent), Is.True);
        Assert.That(patent.Contains(client), Is.False);
        Assert.That(litigation.Contains(litigation), Is.True);
    }

    [Test]
    public void A_client_cannot_have_a_parent()
    {
        var client = Project.Create(ProjectKind.Client, "Acme GmbH", null, Partner, Clock.Now);

        var error = Assert.Throws<DomainException>(() => Project.Create(ProjectKind.Client, "Acme Holding", client, Partner, Clock.Now));
        Assert.That(error!.Field, Is.EqualTo("parentId"));
    }

    [TestCase(ProjectKind.Litigation)]
    [TestCase(ProjectKind.Patent)]
    [TestCase(ProjectKind.Case)]
    public void Every_other_kind_needs_a_parent(ProjectKind kind)
    {
        var error = Assert.Throws<DomainException>(() => Project.Create(kind, "Orphan", null, Partner, Clock.Now));
        Assert.That(error!.Field, Is.EqualTo("parentId"));
    }

    [Test]
    public void The_creator_becomes_owner()
    {
        var client = Project.Create(ProjectKind.Client, "Acme GmbH", null, Partner, Clock.Now);

        var member = client.Members.Single();
        Assert.That(member.UserId, Is.EqualTo(Partner));
        Assert.That(member.Role, Is.EqualTo(ProjectRole.Owner));
    }

    [Test]
    public void Sharing_adds_a_member_and_sharing_again_changes_the_role()
    {
        var client = Project.Create(ProjectKind.Client, "Acme GmbH", null, Partner, Clock.Now);
        client.DequeueDomainEvents();

        client.Share(Associate, ProjectRole.Viewer, Clock.Now);
        client.Share(Associate, ProjectRole.Editor, Clock.Now);

        Assert.That(client.Members.Single(m => m.UserId == Associate).Role, Is.EqualTo(ProjectRole.Editor));
        Assert.That(client.DomainEvents, Has.Exactly(1).InstanceOf<ProjectMemberAdded>());
        Assert.That(client.DomainEvents, Has.Exactly(1).InstanceOf<ProjectMemberRoleChanged>());
    }

    [Test]
    public void Unsharing_raises_ProjectMemberRemoved()
    {
        var client = Project.Create(ProjectKind.Client, "Acme GmbH", null, Partner, Clock.Now);
        client.Share(Associate, ProjectRole.Viewer, Clock.Now);
        client.DequeueDomainEvents();

        client.Unshare(Associate);

        Assert.That(client.Members.Select(m => m.UserId), Is.EqualTo(new[] { Partner }));
        Assert.That(client.DomainEvents.Single(), Is.EqualTo(new ProjectMemberRemoved(client.Id, Associate)));
    }

    [Test]
    public void The_last_owner_cannot_leave_or_be_demoted()
    {
        var client = Project.Create(ProjectKind.Client, "Acme GmbH", null, Partner, Clock.Now);

        Assert.That(Assert.Throws<DomainException>(() => client.Unshare(Partner))!.Kind, Is.EqualTo(DomainErrorKind.Conflict));
        Assert.That(Assert.Throws<DomainException>(() => client.Share(Partner, ProjectRole.Viewer, Clock.Now))!.Kind, Is.EqualTo(DomainErrorKind.Conflict));
    }

    [Test]
    public void An_owner_may_leave_once_there_is_another_owner()
    {
        var client = Project.Create(ProjectKind.Client, "Acme GmbH", null, Partner, Clock.Now);
        client.Share(Associate, ProjectRole.Owner, Clock.Now);

        client.Unshare(Partner);

        Assert.That(client.Members.Single().UserId, Is.EqualTo(Associate));
    }

    [Test]
    public void Unsharing_someone_who_is_not_a_member_is_refused()
    {
        var client = Project.Create(ProjectKind.Client, "Acme GmbH", null, Partner, Clock.Now);

        Assert.Throws<DomainException>(() => client.Unshare(Associate));
    }
}
