using FluentValidation;
using Mediator;
using Paliad.Application.Common;
using Paliad.Domain.Common;
using Paliad.Domain.Projects;

namespace Paliad.Application.Projects.CreateProject;

/// <summary>Creates a client (no parent) or a litigation/patent/case below a project the caller may edit.
/// The creator becomes the new project's owner.</summary>
public sealed record CreateProject(Guid UserId, string? Name, string? Kind, Guid? ParentId) : ICommand<ProjectDto>;

public sealed class CreateProjectValidator : AbstractValidator<CreateProject>
{
    public CreateProjectValidator()
    {
        RuleFor(c => c.Name).NotEmpty().Must(n => !string.IsNullOrWhiteSpace(n)).WithMessage("'name' must not be blank.")
            .MaximumLength(Project.NameMaxLength);
        RuleFor(c => c.Kind).NotEmpty().Must(k => Words.TryParse<ProjectKind>(k, out _))
            .WithMessage($"'kind' must be one of: {string.Join(", ", Words.All<ProjectKind>())}.");
        RuleFor(c => c.ParentId).Null().When(c => c.Kind == Words.Of(ProjectKind.Client))
            .WithMessage("A client is a root project and cannot have a parent.");
        RuleFor(c => c.ParentId).NotNull().When(c => Words.TryParse<ProjectKind>(c.Kind, out var kind) && kind != ProjectKind.Client)
            .WithMessage("Only a client can be a root project: 'parentId' is required.");
    }
}

public sealed class CreateProjectHandler(IPaliadDbContext db, TimeProvider clock) : ICommandHandler<CreateProject, ProjectDto>
{
    public async ValueTask<ProjectDto> Handle(CreateProject command, CancellationToken cancellationToken)
    {
        Project? parent = null;
        if (command.ParentId is { } parentId)
        {
            var role = await db.EffectiveRoleAsync(command.UserId, parentId, cancellationToken)
                ?? throw new DomainException("parentId", "No such project.");
            if (!role.CanEdit())
            {
                throw new ForbiddenException("Viewers may not add projects below this one.");
            }

            parent = await db.Projects.FindAsync([parentId], cancellationToken);
        }

        var project = Project.Create(Words.Parse<ProjectKind>(command.Kind!), command.Name!, parent, command.UserId, clock.GetUtcNow());
        db.Projects.Add(project);
        await db.SaveChangesAsync(cancellationToken);
        return ProjectDto.From(project, ProjectRole.Owner);
    }
}
