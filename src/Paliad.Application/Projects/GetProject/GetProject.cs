using Mediator;
using Microsoft.EntityFrameworkCore;
using Paliad.Application.Common;

namespace Paliad.Application.Projects.GetProject;

/// <summary>One project the caller sees.</summary>
public sealed record GetProject(Guid UserId, Guid ProjectId) : IQuery<ProjectDto>;

public sealed class GetProjectHandler(IPaliadDbContext db) : IQueryHandler<GetProject, ProjectDto>
{
    public async ValueTask<ProjectDto> Handle(GetProject query, CancellationToken cancellationToken)
    {
        var role = await db.EffectiveRoleAsync(query.UserId, query.ProjectId, cancellationToken)
            ?? throw new NotFoundException("Project", query.ProjectId);
        var project = await db.Projects.AsNoTracking().SingleAsync(p => p.Id == query.ProjectId, cancellationToken);
        return ProjectDto.From(project, role);
    }
}
