using Mediator;
using Microsoft.EntityFrameworkCore;
using Paliad.Application.Common;

namespace Paliad.Application.CalDav.Config.GetCalDavConfig;

public sealed record GetCalDavConfig(Guid UserId) : IQuery<CalDavConfigDto>;

public sealed class GetCalDavConfigHandler(IPaliadDbContext db) : IQueryHandler<GetCalDavConfig, CalDavConfigDto>
{
    public async ValueTask<CalDavConfigDto> Handle(GetCalDavConfig query, CancellationToken cancellationToken)
    {
        var config = await db.CalDavConfigs.AsNoTracking().SingleOrDefaultAsync(c => c.UserId == query.UserId, cancellationToken)
            ?? throw new NotFoundException("The CalDAV account is not configured.");
        return CalDavConfigDto.From(config);
    }
}
