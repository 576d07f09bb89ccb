using Mediator;
using Microsoft.EntityFrameworkCore;
using Paliad.Application.Common;

namespace Paliad.Application.Projects.UnshareProject;

/// <summary>Removes a member from a project. Owners and editors may remove anyone (but the last owner); any member
/// may leave. Raises ProjectMemberRemoved, so the leaver's calendars drop the project's events.</summary>
public sealed record UnshareProject(Guid UserId, Guid ProjectId, Guid MemberId) : ICommand;

public sealed class UnshareProjectHandler(IPaliadDbContext db) : ICommandHandler<UnshareProject>
{
    public async ValueTask<Unit> Handle(UnshareProject command, CancellationToken cancellationToken)
    {
        if (command.MemberId != command.UserId)
        {
            await db.RequireEditRoleAsync(command.UserId, command.ProjectId, cancellationToken);
        }
        else if (await db.EffectiveRoleAsync(command.UserId, command.ProjectId, cancellationToken) is null)
        {
            throw new NotFoundException("Project", command.ProjectId);
        }

        var project = await db.Projects.Include(p => p.Members).SingleAsync(p => p.Id == command.ProjectId, cancellationToken);
        if (project.Members.All(m => m.UserId != command.MemberId))
        {
            throw new NotFoundException("Member", command.MemberId);
        }

        project.Unshare(command.MemberId);
        await db.SaveChangesAsync(cancellationToken);
        return Unit.Value;
    }
}
