using FluentValidation;
using Paliad.Domain.Common;
using Paliad.Domain.Projects;

namespace Paliad.Application.Projects.CreateProject;

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
