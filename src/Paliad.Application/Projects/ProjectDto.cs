using Paliad.Application.Common;
using Paliad.Domain.Common;
using Paliad.Domain.Projects;

namespace Paliad.Application.Projects;

/// <summary>A project as the caller sees it; <see cref="Role"/> is the caller's effective (inherited) role;
/// <see cref="Etag"/> is the row's version with the caller's role (which an ancestor's sharing changes).</summary>
public sealed record ProjectDto(Guid Id, Guid? ParentId, string Kind, string Name, string Role, DateTimeOffset CreatedAt, string Etag) : IHasETag
{
    public static ProjectDto From(Project project, ProjectRole role)
        => new(project.Id, project.ParentId, Words.Of(project.Kind), project.Name, Words.Of(role), project.CreatedAt, ETags.Of(project.RowVersion, Words.Of(role)));
}

public sealed record ProjectMemberDto(Guid ProjectId, Guid UserId, string Role)
{
    public static ProjectMemberDto From(ProjectMember member) => new(member.ProjectId, member.UserId, Words.Of(member.Role));
}
