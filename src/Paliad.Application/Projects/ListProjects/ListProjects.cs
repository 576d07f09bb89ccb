using Mediator;
using Microsoft.EntityFrameworkCore;
using Paliad.Application.Common;

namespace Paliad.Application.Projects.ListProjects;

/// <summary>Every project the caller sees, with the caller's effective role, ordered by path (tree order).</summary>
public sealed record ListProjects(Guid UserId) : IQuery<IReadOnlyList<ProjectDto>>;

public sealed class ListProjectsHandler(IPaliadDbContext db) : IQueryHandler<ListProjects, IReadOnlyList<ProjectDto>>
{
    public async ValueTask<IReadOnlyList<ProjectDto>> Handle(ListProjects query, CancellationToken cancellationToken)
    {
        var projects = await db.VisibleProjects(query.UserId).AsNoTracking().OrderBy(p => p.Path).ToListAsync(cancellationToken);
        var memberships = await db.ProjectMembers.AsNoTracking()
            .Where(m => m.UserId == query.UserId)
            .Join(db.Projects, m => m.ProjectId, p => p.Id, (m, p) => new { p.Path, m.Role })
            .ToListAsync(cancellationToken);

        return projects
            .Select(p => ProjectDto.From(p, memberships.Where(m => p.Path.StartsWith(m.Path, StringComparison.Ordinal)).Min(m => m.Role)))
            .ToList();
    }
}
