using Mediator;
using Microsoft.EntityFrameworkCore;
using Paliad.Application.Common;
using Paliad.Domain.CalDav;
using Paliad.Application.CalDav.OAuth;

namespace Paliad.Application.CalDav.Config.DeleteCalDavConfig;

/// <summary>Removes the account, its bindings and (by cascade) their targets. Events already in the calendars stay:
/// no credentials remain to remove them, so the bindings go with keepRemoteEvents. An OAuth 2.0 grant is revoked at
/// the provider afterwards, best effort (the account is gone whatever the provider says).</summary>
public sealed record DeleteCalDavConfig(Guid UserId, IfMatch? IfMatch = null) : ICommand;

public sealed class DeleteCalDavConfigHandler(IPaliadDbContext db, IOAuthProviderClient providers, ICalDavPasswordProtector protector)
    : ICommandHandler<DeleteCalDavConfig>
{
    public async ValueTask<Unit> Handle(DeleteCalDavConfig command, CancellationToken cancellationToken)
    {
        await using var locked = await db.LockIfConditionalAsync<CalDavConfig>(command.IfMatch, command.UserId, cancellationToken);
        var config = await db.CalDavConfigs.SingleOrDefaultAsync(c => c.UserId == command.UserId, cancellationToken)
            ?? throw new NotFoundException("The CalDAV account is not configured.");
        command.IfMatch.Require(ETags.Of(config.RowVersion), () => CalDavConfigDto.From(config));
        var bindings = await db.CalendarBindings.Where(b => b.UserId == command.UserId).ToListAsync(cancellationToken);
        foreach (var binding in bindings)
        {
            binding.Delete(keepRemoteEvents: true, []);
        }

        db.CalendarBindings.RemoveRange(bindings);
        db.CalDavConfigs.Remove(config);
        await db.SaveChangesAsync(cancellationToken);
        await locked.CommitIfAnyAsync(cancellationToken);
        if (config is { Provider: { } provider, Tokens: { } tokens })
        {
            await providers.RevokeQuietlyAsync(protector, provider, tokens, cancellationToken);
        }

        return Unit.Value;
    }
}
