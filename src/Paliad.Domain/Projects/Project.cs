using Paliad.Domain.Common;

namespace Paliad.Domain.Projects;

/// <summary>
/// A node of the practice tree: a client at the root, litigations, patents and cases below it.
/// <see cref="Path"/> is the materialised ancestor path ("/{root}/{child}/…/{self}/", ids in "N" format),
/// so "this node and all its descendants" is the prefix predicate <c>path LIKE '{node.path}%'</c>.
/// </summary>
public sealed class Project : Entity
{
    public const int NameMaxLength = 200;
    public const int PathMaxLength = 1000;

    /// <summary>Appended to a path to bound its subtree: path characters are hex digits and '/', which all sort
    /// (byte order) before 'g', so a node's subtree is exactly [path, path + "g").</summary>
    public const string SubtreeUpperBoundSuffix = "g";

    private readonly List<ProjectMember> _members = [];

    private Project()
    {
        Name = string.Empty;
        Path = string.Empty;
    }

    public Guid Id { get; private set; }

    public Guid? ParentId { get; private set; }

    public ProjectKind Kind { get; private set; }

    public string Name { get; private set; }

    public string Path { get; private set; }

    /// <summary>The row's version as the database keeps it (PostgreSQL's <c>xmin</c>): it changes with every write of
    /// the row, whoever makes it (a person, the sync engine). Read-only here; the API's ETag is made from it.</summary>
    public uint RowVersion { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public IReadOnlyCollection<ProjectMember> Members => _members.AsReadOnly();

    /// <summary>Grows with every membership change: the concurrency token that keeps two concurrent changes (two
    /// owners removing each other) from leaving the project without an owner.</summary>
    public int MembershipVersion { get; private set; }

    /// <summary>Creates a project; the creator becomes its owner. A client is a root; every other kind has a parent.</summary>
    public static Project Create(ProjectKind kind, string name, Project? parent, Guid creatorId, DateTimeOffset now)
    {
        if (!Enum.IsDefined(kind))
        {
            throw new DomainException(nameof(kind), "'kind' is not a project kind.");
        }

        if (kind == ProjectKind.Client && parent is not null)
        {
            throw new DomainException("parentId", "A client is a root project and cannot have a parent.");
        }

        if (kind != ProjectKind.Client && parent is null)
        {
            throw new DomainException("parentId", $"A {Words.Of(kind)} needs a parent project.");
        }

        var id = Guid.CreateVersion7();
        var project = new Project
        {
            Id = id,
            ParentId = parent?.Id,
            Kind = kind,
            Name = Guard.RequiredText(name, NameMaxLength, nameof(name)),
            Path = (parent?.Path ?? "/") + PathSegment(id),
            CreatedAt = Instant.Normalize(now),
        };
        if (project.Path.Length > PathMaxLength)
        {
            throw new DomainException("parentId", "The project tree is too deep.");
        }

        project._members.Add(new ProjectMember(id, creatorId, ProjectRole.Owner, project.CreatedAt));
        project.Raise(new ProjectCreated(id, parent?.Id, kind, creatorId));
        return project;
    }

    /// <summary>The path segment a project adds below its parent.</summary>
    public static string PathSegment(Guid id) => id.ToString("N") + "/";

    /// <summary>True when <paramref name="other"/> is this project or lies below it.</summary>
    public bool Contains(Project other) => other.Path.StartsWith(Path, StringComparison.Ordinal);

    /// <summary>Shares the project with a user, or changes the role of an existing member.</summary>
    public void Share(Guid userId, ProjectRole role, DateTimeOffset now)
    {
        if (!Enum.IsDefined(role))
        {
            throw new DomainException(nameof(role), "'role' is not a project role.");
        }

        var member = _members.Find(m => m.UserId == userId);
        if (member is null)
        {
            _members.Add(new ProjectMember(Id, userId, role, Instant.Normalize(now)));
            MembershipVersion++;
            Raise(new ProjectMemberAdded(Id, userId, role));
            return;
        }

        if (member.Role == role)
        {
            return;
        }

        if (member.Role == ProjectRole.Owner && role != ProjectRole.Owner)
        {
            EnsureAnotherOwner(userId);
        }

        member.ChangeRole(role);
        MembershipVersion++;
        Raise(new ProjectMemberRoleChanged(Id, userId, role));
    }

    /// <summary>Removes a member. The last owner cannot be removed: a project must stay manageable.</summary>
    public void Unshare(Guid userId)
    {
        var member = _members.Find(m => m.UserId == userId)
            ?? throw new DomainException(nameof(userId), "The user is not a member of this project.");
        if (member.Role == ProjectRole.Owner)
        {
            EnsureAnotherOwner(userId);
        }

        _members.Remove(member);
        MembershipVersion++;
        Raise(new ProjectMemberRemoved(Id, userId));
    }

    private void EnsureAnotherOwner(Guid leavingOwnerId)
    {
        if (!_members.Exists(m => m.Role == ProjectRole.Owner && m.UserId != leavingOwnerId))
        {
            throw new DomainException("userId", "A project needs at least one owner.", DomainErrorKind.Conflict);
        }
    }
}

public sealed record ProjectCreated(Guid ProjectId, Guid? ParentId, ProjectKind Kind, Guid CreatorId) : IDomainEvent
{
    Guid IDomainEvent.Lane => CreatorId;
}

public sealed record ProjectMemberAdded(Guid ProjectId, Guid UserId, ProjectRole Role) : IResyncsItsUser
{
    Guid IDomainEvent.Lane => UserId;
}

public sealed record ProjectMemberRoleChanged(Guid ProjectId, Guid UserId, ProjectRole Role) : IDomainEvent
{
    Guid IDomainEvent.Lane => UserId;
}

public sealed record ProjectMemberRemoved(Guid ProjectId, Guid UserId) : IResyncsItsUser
{
    Guid IDomainEvent.Lane => UserId;
}
