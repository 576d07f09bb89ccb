using Mediator;
using Microsoft.Extensions.DependencyInjection;
using Paliad.Domain.CalDav;

namespace Paliad.Infrastructure.Persistence.Outbox;

/// <summary>A user changed their account (URL, username or password): the removals parked because it refused
/// them (401/403, an address the guard refused) are due again now.</summary>
public sealed class ReleaseParkedMessages(IServiceScopeFactory scopes) : INotificationHandler<CalDavAccountChanged>
{
    public async ValueTask Handle(CalDavAccountChanged notification, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notification);
        await using var scope = scopes.CreateAsyncScope();
        await OutboxLeases.ReleaseParkedAsync(scope.ServiceProvider.GetRequiredService<PaliadDbContext>(), notification.UserId, cancellationToken);
    }
}
