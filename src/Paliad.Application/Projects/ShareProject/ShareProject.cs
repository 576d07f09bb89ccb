using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using Paliad.Application.Common;
using Paliad.Domain.Common;
using Paliad.Domain.Identity;
using Paliad.Domain.Projects;

namespace Paliad.Application.Projects.ShareProject;

/// <summary>Shares a project with a user (or changes their role). Owners and editors, directly or on an ancestor,
/// may share. A user who never signed in yet gets a placeholder row, filled in at their first request.</summary>
public sealed record ShareProject(Guid UserId, Guid ProjectId, Guid? MemberId, string? Role) : ICommand<SharedProject>;

/// <summary>The membership, and whether it is new (201) or a role change (200).</summary>
public sealed record SharedProject(ProjectMemberDto Member, bool Added);

public sealed class ShareProjectValidator : AbstractValidator<ShareProject>
{
    public ShareProjectValidator()
    {
        RuleFor(c => c.MemberId).NotNull().NotEqual(Guid.Empty).OverridePropertyName("userId").WithName("userId");
        RuleFor(c => c.Role).NotEmpty().Must(r => Words.TryParse<ProjectRole>(r, out _))
            .WithMessage($"'role' must be one of: {string.Join(", ", Words.All<ProjectRole>())}.");
    }
}

public sealed class ShareProjectHandler(IPaliadDbContext db, TimeProvider clock) : ICommandHandler<ShareProject, SharedProject>
{
    public async ValueTask<SharedProject> Handle(ShareProject command, CancellationToken cancellationToken)
    {
        await db.RequireEditRoleAsync(command.UserId, command.ProjectId, cancellationToken);
        var project = await db.Projects.Include(p => p.Members).SingleAsync(p => p.Id == command.ProjectId, cancellationToken);
        var memberId = command.MemberId!.Value;
        var now = clock.GetUtcNow();
        if (!await db.Users.AnyAsync(u => u.Id == memberId, cancellationToken))
        {
            db.Users.Add(User.Invite(memberId, now));
        }

        var added = project.Members.All(m => m.UserId != memberId);
        project.Share(memberId, Words.Parse<ProjectRole>(command.Role!), now);
        await db.SaveChangesAsync(cancellationToken);
        return new SharedProject(ProjectMemberDto.From(project.Members.Single(m => m.UserId == memberId)), added);
    }
}
