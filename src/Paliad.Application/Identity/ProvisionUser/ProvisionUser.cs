using Mediator;
using Microsoft.EntityFrameworkCore;
using Paliad.Application.Common;
using Paliad.Domain.Identity;

namespace Paliad.Application.Identity.ProvisionUser;

/// <summary>Makes sure the caller of an authenticated request has a user row (JWT sub = id, email claim), and keeps
/// the e-mail in step with the token. Cheap when nothing changed: one primary-key read, no write.</summary>
public sealed record ProvisionUser(Guid UserId, string? Email) : ICommand<UserDto>;

public sealed class ProvisionUserHandler(IPaliadDbContext db, TimeProvider clock) : ICommandHandler<ProvisionUser, UserDto>
{
    public async ValueTask<UserDto> Handle(ProvisionUser command, CancellationToken cancellationToken)
    {
        var email = User.IsValidEmail(command.Email) ? User.Normalize(command.Email!) : User.PlaceholderEmail(command.UserId);
        var user = await db.Users.FindAsync([command.UserId], cancellationToken);
        if (user?.Email != email
            && await db.Users.SingleOrDefaultAsync(u => u.Email == email && u.Id != command.UserId, cancellationToken) is { } previousHolder)
        {
            // The identity provider gave this address to a new id (account re-created): the address follows the token.
            previousHolder.ReleaseEmail();
        }

        if (user is null)
        {
            user = User.Provision(command.UserId, email, null, clock.GetUtcNow());
            db.Users.Add(user);
        }
        else if (!User.IsValidEmail(command.Email) || !user.ChangeEmail(email))
        {
            return UserDto.From(user);
        }

        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Two first requests of one user may race; then the other one created the row.
            db.Users.Entry(user).State = EntityState.Detached;
            user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == command.UserId, cancellationToken);
            if (user is null)
            {
                throw;
            }
        }

        return UserDto.From(user);
    }
}
