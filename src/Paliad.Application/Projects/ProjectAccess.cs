using Microsoft.EntityFrameworkCore;
using Paliad.Application.Common;
using Paliad.Domain.Projects;

namespace Paliad.Application.Projects;

#pragma warning disable CA1309 // string.Compare is translated to SQL <, >=; the path column's collation is "C" (byte order).

/// <summary>
/// Who sees what. Access is inherited down the tree: a member of a node sees (with the same role) every project in
/// its subtree, which is the path range [node.path, node.path + "g") served by the path index.
/// </summary>
public static class ProjectAccess
{
    /// <summary>The projects the user is a member of, directly or through an ancestor.</summary>
    public static IQueryable<Project> VisibleProjects(this IPaliadDbContext db, Guid userId)
    {
        var memberPaths = db.ProjectMembers
            .Where(m => m.UserId == userId)
            .Join(db.Projects, m => m.ProjectId, a => a.Id, (_, a) => a.Path);
        return db.Projects.Where(p => memberPaths.Any(
            ancestor => string.Compare(p.Path, ancestor) >= 0
                        && string.Compare(p.Path, ancestor + Project.SubtreeUpperBoundSuffix) < 0));
    }

    /// <summary>The strongest role the user holds on the project or any of its ancestors; null when it is not visible.</summary>
    public static async Task<ProjectRole?> EffectiveRoleAsync(this IPaliadDbContext db, Guid userId, Guid projectId, CancellationToken cancellationToken)
    {
        var roles = await (
                from project in db.Projects
                where project.Id == projectId
                from member in db.ProjectMembers
                where member.UserId == userId
                join ancestor in db.Projects on member.ProjectId equals ancestor.Id
                where string.Compare(project.Path, ancestor.Path) >= 0
                      && string.Compare(project.Path, ancestor.Path + Project.SubtreeUpperBoundSuffix) < 0
                select member.Role)
            .ToListAsync(cancellationToken);
        return roles.Count == 0 ? null : roles.Min();
    }

    /// <summary>Throws 404 when the project is not visible, 403 when it is but the user may only view it.</summary>
    public static async Task<ProjectRole> RequireEditRoleAsync(this IPaliadDbContext db, Guid userId, Guid projectId, CancellationToken cancellationToken)
    {
        var role = await db.EffectiveRoleAsync(userId, projectId, cancellationToken) ?? throw new NotFoundException("Project", projectId);
        return role.CanEdit()
            ? role
            : throw new ForbiddenException("Viewers may not change this project or its appointments.");
    }
}
#pragma warning restore CA1309
