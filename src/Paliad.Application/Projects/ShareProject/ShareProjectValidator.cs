using FluentValidation;
using Paliad.Domain.Common;
using Paliad.Domain.Projects;

namespace Paliad.Application.Projects.ShareProject;

public sealed class ShareProjectValidator : AbstractValidator<ShareProject>
{
    public ShareProjectValidator()
    {
        RuleFor(c => c.MemberId).NotNull().NotEqual(Guid.Empty).OverridePropertyName("userId").WithName("userId");
        RuleFor(c => c.Role).NotEmpty().Must(r => Words.TryParse<ProjectRole>(r, out _))
            .WithMessage($"'role' must be one of: {string.Join(", ", Words.All<ProjectRole>())}.");
    }
}
