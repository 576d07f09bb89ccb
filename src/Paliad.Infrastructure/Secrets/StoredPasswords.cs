using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Paliad.Application.CalDav;
using Paliad.Domain.CalDav;
using Paliad.Infrastructure.Persistence;

namespace Paliad.Infrastructure.Secrets;

/// <summary>What <see cref="StoredPasswords.MoveAllToCurrentKeyAsync"/> did: passwords moved to the current key, those
/// already under it, and those no key here opens.</summary>
public sealed record PasswordMove(int Moved, int AlreadyCurrent, int Unreadable);

/// <summary>Every stored CalDAV secret at once — passwords and OAuth 2.0 tokens — for operators (<c>./paliad keys reprotect</c>).</summary>
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

        // OAuth 2.0 grants: the access token is replaced at every refresh, the refresh token may live for months
        // (Google never rotates it) — both move now, each only where the row still holds what was read.
        var grants = await db.CalDavConfigs.AsNoTracking().Where(c => c.AuthKind == CalDavAuthKind.Oauth2).ToListAsync(cancellationToken);
        foreach (var grant in grants.Where(g => g.Tokens is not null))
        {
            foreach (var (column, stored) in new[] { ("access_token", grant.Tokens!.EncryptedAccessToken), ("refresh_token", grant.Tokens.EncryptedRefreshToken) })
            {
                if (stored is null)
                {
                    continue;
                }

                try
                {
                    var opened = protector.Unprotect(stored);
                    if (!opened.UnderOlderKey)
                    {
                        current++;
                        continue;
                    }

                    var reprotected = protector.Protect(opened.Password);
                    var sql = column == "access_token"
                        ? db.Database.ExecuteSqlAsync($"UPDATE paliad.user_caldav_config SET access_token = {reprotected} WHERE user_id = {grant.UserId} AND access_token = {stored}", cancellationToken)
                        : db.Database.ExecuteSqlAsync($"UPDATE paliad.user_caldav_config SET refresh_token = {reprotected} WHERE user_id = {grant.UserId} AND refresh_token = {stored}", cancellationToken);
                    moved += await sql > 0 ? 1 : 0;
                }
                catch (CryptographicException)
                {
                    unreadable++;
                }
            }
        }

        return new PasswordMove(moved, current, unreadable);
    }
}
