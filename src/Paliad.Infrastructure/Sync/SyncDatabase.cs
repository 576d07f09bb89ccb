using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Paliad.Application.CalDav;
using Paliad.Domain.CalDav;
using Paliad.Infrastructure.Accounts;
using Paliad.Infrastructure.CalDav;
using Paliad.Infrastructure.Persistence;

namespace Paliad.Infrastructure.Sync;

/// <summary>The engine's way to the database and to its users' accounts outside a run: each use gets its own
/// DbContext (the engine is a singleton, a DbContext is not thread-safe), and a client for an account is made with its
/// password decrypted.</summary>
internal sealed class SyncDatabase(IServiceScopeFactory scopes, AccountClients clients)
{
    /// <summary>Runs <paramref name="work"/> (a query or a statement) on a DbContext of its own.</summary>
    public async Task<T> UseAsync<T>(Func<PaliadDbContext, Task<T>> work)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<PaliadDbContext>());
    }

    public AsyncServiceScope NewScope() => scopes.CreateAsyncScope();

    /// <summary>A client for the account: its stored password opened, or its access token with a way to refresh it.</summary>
    public async Task<CalDavClient> ClientForAsync(IServiceProvider services, PaliadDbContext db, CalDavConfig config, CancellationToken cancellationToken)
    {
        try
        {
            return await clients.ForAsync(db, services.GetRequiredService<ICalDavPasswordProtector>(), config, cancellationToken);
        }
        catch (CryptographicException e) when (e is not KeyRingBehindException)
        {
            // No key of the ring opens it (key ring lost, or a key-encryption certificate that is not the one that
            // encrypted the ring): the user has to enter the password again. (A grant that cannot be opened is said by
            // AccountClients, which marks the account for a reconnect.)
            throw new CalDavUnauthorizedException($"The stored CalDAV password cannot be decrypted ({e.Message}); save the account again.");
        }
    }

    /// <summary>A client for the user's account; null when the user has none any more.</summary>
    public async Task<CalDavClient?> ClientForUserAsync(Guid userId, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PaliadDbContext>();
        var config = await db.CalDavConfigs.AsNoTracking().SingleOrDefaultAsync(c => c.UserId == userId, cancellationToken);
        return config is null ? null : await ClientForAsync(scope.ServiceProvider, db, config, cancellationToken);
    }
}
