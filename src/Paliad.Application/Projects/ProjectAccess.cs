using Microsoft.EntityFrameworkCore;
using Paliad.Application.Common;
using Paliad.Domain.Projects;

namespace Paliad.Application.Projects;

/// <summary>
/// Who sees what. Access is inherited down the tree: a member of a node sees (with the same role) every project in
/// its subtree (<see cref="ProjectTree"/>).
/// </summary>
public static class ProjectAccess
{
    /// <summary>The projects the user is a member of, directly or through an ancestor.</summary>
    public static IQueryable<Project> VisibleProjects(this IPaliadDbContext db, Guid userId)
    {
        var visibleIds = (
                from member in db.ProjectMembers
                where member.UserId == userId
                join root in db.Projects on member.ProjectId equals root.Id
                from project in db.Projects
                select new { project.Id, project.Path, Root = root.Path })
            .WhereInSubtree(x => x.Path, x => x.Root)
            .Select(x => x.Id);
        return db.Projects.Where(p => visibleIds.Contains(p.Id));
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
                select new { project.Path, Root = ancestor.Path, member.Role })
            .WhereInSubtree(x => x.Path, x => x.Root)
            .Select(x => x.Role)
            .ToListAsync(cancellationToken);
        return roles.Count == 0 ? null : roles.Min();
    }

    /// <summary>The editor rule, the one place it is asked: throws 404 when the project is not visible, 403 (saying
    /// <paramref name="refusal"/>) when it is but the user may only view it.</summary>
    public static async Task<ProjectRole> RequireEditRoleAsync(
        this IPaliadDbContext db, Guid userId, Guid projectId, CancellationToken cancellationToken,
        string refusal = "Viewers may not change this project or its appointments.")
    {
        var role = await db.EffectiveRoleAsync(userId, projectId, cancellationToken) ?? throw new NotFoundException("Project", projectId);
        return role.CanEdit() ? role : throw new ForbiddenException(refusal);
    }
}
