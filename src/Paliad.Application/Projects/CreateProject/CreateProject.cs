using Mediator;
using Paliad.Application.Common;
using Paliad.Domain.Common;
using Paliad.Domain.Projects;

namespace Paliad.Application.Projects.CreateProject;

/// <summary>Creates a client (no parent) or a litigation/patent/case below a project the caller may edit.
/// The creator becomes the new project's owner.</summary>
public sealed record CreateProject(Guid UserId, string? Name, string? Kind, Guid? ParentId) : ICommand<ProjectDto>;

public sealed class CreateProjectHandler(IPaliadDbContext db, TimeProvider clock) : ICommandHandler<CreateProject, ProjectDto>
{
    public async ValueTask<ProjectDto> Handle(CreateProject command, CancellationToken cancellationToken)
    {
        Project? parent = null;
        if (command.ParentId is { } parentId)
        {
            await db.RequireEditRoleAsync(command.UserId, parentId, cancellationToken, "Viewers may not add projects below this one.");
            parent = await db.Projects.FindAsync([parentId], cancellationToken);
        }

        var project = Project.Create(Words.Parse<ProjectKind>(command.Kind!), command.Name!, parent, command.UserId, clock.GetUtcNow());
        db.Projects.Add(project);
        await db.SaveChangesAsync(cancellationToken);
        return ProjectDto.From(project, ProjectRole.Owner);
    }
}
