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

    [Test]
    public void An_unknown_kind_is_refused()
    {
        var error = Assert.Throws<DomainException>(() => Project.Create((ProjectKind)99, "Acme GmbH", null, Partner, Clock.Now));

        Assert.That(error!.Field, Is.EqualTo("kind"));
        Assert.That(error.Message, Does.Contain("'kind'"));
    }

    [Test]
    public void The_refusal_of_a_parent_for_a_client_says_a_client_is_a_root()
    {
        var client = Project.Create(ProjectKind.Client, "Acme GmbH", null, Partner, Clock.Now);

        var error = Assert.Throws<DomainException>(() => Project.Create(ProjectKind.Client, "Acme Holding", client, Partner, Clock.Now));

        Assert.That(error!.Message, Does.Contain("client").And.Contain("root"));
    }

    [TestCase(ProjectKind.Litigation)]
    [TestCase(ProjectKind.Patent)]
    [TestCase(ProjectKind.Case)]
    public void The_refusal_of_an_orphan_names_its_kind(ProjectKind kind)
    {
        var error = Assert.Throws<DomainException>(() => Project.Create(kind, "Orphan", null, Partner, Clock.Now));

        Assert.That(error!.Message, Does.Contain($"A {Words.Of(kind)} needs a parent"));
    }

    [Test]
    public void A_tree_deeper_than_the_path_column_holds_is_refused()
    {
        // Every level adds 33 characters to the root "/": 30 levels (991) fit in 1000, a 31st does not.
        var node = Project.Create(ProjectKind.Client, "Acme GmbH", null, Partner, Clock.Now);
        for (var level = 2; level <= 30; level++)
        {
            node = Project.Create(ProjectKind.Case, $"Level {level}", node, Partner, Clock.Now);
        }

        Assert.That(node.Path, Has.Length.EqualTo(1 + (30 * 33)));
        var error = Assert.Throws<DomainException>(() => Project.Create(ProjectKind.Case, "Too deep", node, Partner, Clock.Now));
        Assert.That(error!.Field, Is.EqualTo("parentId"));
        Assert.That(error.Message, Does.Contain("too deep"));
    }

    [Test]
    public void Creating_a_project_raises_ProjectCreated_with_its_parent_kind_and_creator()
    {
        var client = Project.Create(ProjectKind.Client, "Acme GmbH", null, Partner, Clock.Now);

        var litigation = Project.Create(ProjectKind.Litigation, "Acme v. Beta", client, Associate, Clock.Now);

        Assert.That(litigation.DomainEvents.Single(), Is.EqualTo(new ProjectCreated(litigation.Id, client.Id, ProjectKind.Litigation, Associate)));
    }

    [Test]
    public void Sharing_with_an_unknown_role_is_refused()
    {
        var client = Project.Create(ProjectKind.Client, "Acme GmbH", null, Partner, Clock.Now);

        var error = Assert.Throws<DomainException>(() => client.Share(Associate, (ProjectRole)99, Clock.Now));

        Assert.That(error!.Field, Is.EqualTo("role"));
        Assert.That(error.Message, Does.Contain("'role'"));
        Assert.That(client.Members, Has.Count.EqualTo(1));
    }

    [Test]
    public void Every_membership_change_bumps_the_membership_version()
    {
        var client = Project.Create(ProjectKind.Client, "Acme GmbH", null, Partner, Clock.Now);
        Assert.That(client.MembershipVersion, Is.Zero);

        client.Share(Associate, ProjectRole.Viewer, Clock.Now);
        Assert.That(client.MembershipVersion, Is.EqualTo(1));

        client.Share(Associate, ProjectRole.Editor, Clock.Now);
        Assert.That(client.MembershipVersion, Is.EqualTo(2));

        client.Unshare(Associate);
        Assert.That(client.MembershipVersion, Is.EqualTo(3));
    }

    [Test]
    public void Sharing_again_with_the_same_role_changes_nothing()
    {
        var client = Project.Create(ProjectKind.Client, "Acme GmbH", null, Partner, Clock.Now);
        client.Share(Associate, ProjectRole.Editor, Clock.Now);
        client.DequeueDomainEvents();

        client.Share(Associate, ProjectRole.Editor, Clock.Now.AddDays(1));

        Assert.That(client.DomainEvents, Is.Empty);
        Assert.That(client.MembershipVersion, Is.EqualTo(1));
    }

    [Test]
    public void A_new_member_is_added_with_the_role_and_the_normalised_time()
    {
        var client = Project.Create(ProjectKind.Client, "Acme GmbH", null, Partner, Clock.Now);

        client.Share(Associate, ProjectRole.Viewer, Clock.Now.ToOffset(TimeSpan.FromHours(1)).AddTicks(3));

        var member = client.Members.Single(m => m.UserId == Associate);
        Assert.That((member.ProjectId, member.Role), Is.EqualTo((client.Id, ProjectRole.Viewer)));
        Assert.That(member.AddedAt.Offset, Is.EqualTo(TimeSpan.Zero));
        Assert.That(member.AddedAt, Is.EqualTo(Clock.Now));
    }

    [Test]
    public void An_owner_may_be_demoted_once_there_is_another_owner()
    {
        var client = Project.Create(ProjectKind.Client, "Acme GmbH", null, Partner, Clock.Now);
        client.Share(Associate, ProjectRole.Owner, Clock.Now);
        client.DequeueDomainEvents();

        client.Share(Partner, ProjectRole.Editor, Clock.Now);

        Assert.That(client.DomainEvents.Single(), Is.EqualTo(new ProjectMemberRoleChanged(client.Id, Partner, ProjectRole.Editor)));
    }

    [Test]
    public void Unsharing_the_last_owner_is_refused_naming_the_user_and_the_rule()
    {
        var client = Project.Create(ProjectKind.Client, "Acme GmbH", null, Partner, Clock.Now);

        var error = Assert.Throws<DomainException>(() => client.Unshare(Partner));

        Assert.That(error!.Field, Is.EqualTo("userId"));
        Assert.That(error.Message, Does.Contain("at least one owner"));
        Assert.That(client.Members.Single().UserId, Is.EqualTo(Partner));
    }

    [Test]
    public void Unsharing_a_non_member_is_refused_naming_the_user()
    {
        var client = Project.Create(ProjectKind.Client, "Acme GmbH", null, Partner, Clock.Now);

        var error = Assert.Throws<DomainException>(() => client.Unshare(Associate));

        Assert.That(error!.Field, Is.EqualTo("userId"));
        Assert.That(error.Message, Does.Contain("not a member"));
    }
}
