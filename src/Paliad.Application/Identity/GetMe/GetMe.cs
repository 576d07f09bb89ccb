using Mediator;
using Microsoft.EntityFrameworkCore;
using Paliad.Application.Common;

namespace Paliad.Application.Identity.GetMe;

public sealed record GetMe(Guid UserId) : IQuery<UserDto>;

public sealed class GetMeHandler(IPaliadDbContext db) : IQueryHandler<GetMe, UserDto>
{
    public async ValueTask<UserDto> Handle(GetMe query, CancellationToken cancellationToken)
    {
        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == query.UserId, cancellationToken)
            ?? throw new NotFoundException("User", query.UserId);
        return UserDto.From(user);
    }
}
