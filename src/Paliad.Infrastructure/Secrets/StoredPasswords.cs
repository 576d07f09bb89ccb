using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Paliad.Application.CalDav;
using Paliad.Infrastructure.Persistence;

namespace Paliad.Infrastructure.Secrets;

/// <summary>What <see cref="StoredPasswords.MoveAllToCurrentKeyAsync"/> did: passwords moved to the current key, those
/// already under it, and those no key here opens.</summary>
public sealed record PasswordMove(int Moved, int AlreadyCurrent, int Unreadable);

/// <summary>Every stored CalDAV password at once, for operators (<c>./paliad keys reprotect</c>).</summary>
public static class StoredPasswords
{
    /// <summary>Moves every stored password under an older key to the current one now, instead of when each is next
    /// used — after a certificate change and a full restart, so that <c>keys prune</c> can let the old keys go.</summary>
    public static async Task<PasswordMove> MoveAllToCurrentKeyAsync(IServiceProvider services, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(services);
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PaliadDbContext>();
        var protector = scope.ServiceProvider.GetRequiredService<ICalDavPasswordProtector>();
        var accounts = await db.CalDavConfigs.AsNoTracking().Where(c => c.EncryptedPassword != null).ToListAsync(cancellationToken);
        int moved = 0, current = 0, unreadable = 0;
        foreach (var account in accounts)
        {
            try
            {
                if (await protector.MoveToCurrentKeyAsync(db, account, cancellationToken))
                {
                    moved++;
                }
                else
                {
                    current++;
                }
            }
            catch (CryptographicException)
            {
                unreadable++;
            }
        }

        return new PasswordMove(moved, current, unreadable);
    }
}
