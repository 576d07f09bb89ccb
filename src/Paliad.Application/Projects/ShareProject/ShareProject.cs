using Mediator;
using Microsoft.EntityFrameworkCore;
using Paliad.Application.Common;
using Paliad.Domain.Common;
using Paliad.Domain.Identity;
using Paliad.Domain.Projects;

namespace Paliad.Application.Projects.ShareProject;

/// <summary>Shares a project with a user (or changes their role). Owners and editors, directly or on an ancestor,
/// may share. A user who never signed in yet gets a placeholder row, filled in at their first request.</summary>
public sealed record ShareProject(Guid UserId, Guid ProjectId, Guid? MemberId, string? Role, IfMatch? IfMatch = null) : ICommand<SharedProject>;

/// <summary>The membership, and whether it is new (201) or a role change (200).</summary>
public sealed record SharedProject(ProjectMemberDto Member, bool Added);

public sealed class ShareProjectHandler(IPaliadDbContext db, TimeProvider clock) : ICommandHandler<ShareProject, SharedProject>
{
    public async ValueTask<SharedProject> Handle(ShareProject command, CancellationToken cancellationToken)
    {
        await using var locked = await db.LockIfConditionalAsync<Project>(command.IfMatch, command.ProjectId, cancellationToken);
        var callerRole = await db.RequireEditRoleAsync(command.UserId, command.ProjectId, cancellationToken);
        var project = await db.Projects.Include(p => p.Members).SingleAsync(p => p.Id == command.ProjectId, cancellationToken);
        command.IfMatch.Require(ProjectDto.From(project, callerRole).Etag);
        var memberId = command.MemberId!.Value;
        var role = Words.Parse<ProjectRole>(command.Role!);
        var touchesOwner = role == ProjectRole.Owner || project.Members.Any(m => m.UserId == memberId && m.Role == ProjectRole.Owner);
        if (touchesOwner && callerRole != ProjectRole.Owner)
        {
            throw new ForbiddenException("Only an owner may make someone an owner or change an owner's role.");
        }

        var now = clock.GetUtcNow();
        if (!await db.Users.AnyAsync(u => u.Id == memberId, cancellationToken))
        {
            db.Users.Add(User.Invite(memberId, now));
        }

        var added = project.Members.All(m => m.UserId != memberId);
        project.Share(memberId, role, now);
        await db.SaveChangesAsync(cancellationToken);
        await locked.CommitIfAnyAsync(cancellationToken);
        return new SharedProject(ProjectMemberDto.From(project.Members.Single(m => m.UserId == memberId)), added);
    }
}
