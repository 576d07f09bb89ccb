using Mediator;
using Microsoft.EntityFrameworkCore;
using Paliad.Application.Common;
using Paliad.Domain.Projects;

namespace Paliad.Application.Projects.UnshareProject;

/// <summary>Removes a member from a project. Owners and editors may remove members, only owners may remove an owner,
/// any member may leave, and the last owner stays. Raises ProjectMemberRemoved, so the leaver's calendars drop the project's events.</summary>
public sealed record UnshareProject(Guid UserId, Guid ProjectId, Guid MemberId, IfMatch? IfMatch = null) : ICommand;

public sealed class UnshareProjectHandler(IPaliadDbContext db) : ICommandHandler<UnshareProject>
{
    public async ValueTask<Unit> Handle(UnshareProject command, CancellationToken cancellationToken)
    {
        await using var locked = await db.LockIfConditionalAsync<Project>(command.IfMatch, command.ProjectId, cancellationToken);
        var callerRole = command.MemberId == command.UserId
            ? await db.EffectiveRoleAsync(command.UserId, command.ProjectId, cancellationToken) ?? throw new NotFoundException("Project", command.ProjectId)
            : await db.RequireEditRoleAsync(command.UserId, command.ProjectId, cancellationToken);

        var project = await db.Projects.Include(p => p.Members).SingleAsync(p => p.Id == command.ProjectId, cancellationToken);
        command.IfMatch.Require(ProjectDto.From(project, callerRole).Etag);
        var member = project.Members.SingleOrDefault(m => m.UserId == command.MemberId)
            ?? throw new NotFoundException("Member", command.MemberId);
        if (member.Role == ProjectRole.Owner && command.MemberId != command.UserId && callerRole != ProjectRole.Owner)
        {
            throw new ForbiddenException("Only an owner may remove an owner.");
        }

        project.Unshare(command.MemberId);
        await db.SaveChangesAsync(cancellationToken);
        await locked.CommitIfAnyAsync(cancellationToken);
        return Unit.Value;
    }
}
