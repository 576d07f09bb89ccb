using Microsoft.EntityFrameworkCore;
using Paliad.Application.Common;
using Paliad.Domain.CalDav;

namespace Paliad.Application.CalDav;

/// <summary>Reading an account's stored password: the one place that opens it, and that moves it to the key ring's
/// current key when it was protected under an older one.</summary>
public static class StoredCalDavPassword
{
    /// <summary>The account's password in clear (null when it has none). A password protected under a rotated or
    /// revoked key is protected again under the current key and saved, so old keys stop guarding live secrets.</summary>
    public static async Task<string?> ReadPasswordAsync(this ICalDavPasswordProtector protector, IPaliadDbContext db, CalDavConfig config,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(protector);
        ArgumentNullException.ThrowIfNull(config);
        if (config.EncryptedPassword is not { } stored)
        {
            return null;
        }

        var opened = protector.Unprotect(stored);
        if (opened.UnderOlderKey)
        {
            await SaveUnderCurrentKeyAsync(protector, db, config.UserId, stored, opened.Password, cancellationToken);
        }

        return opened.Password;
    }

    /// <summary>Moves the account's password to the current key if it is under an older one; whether it moved. Throws
    /// <see cref="System.Security.Cryptography.CryptographicException"/> when no key opens it.</summary>
    public static async Task<bool> MoveToCurrentKeyAsync(this ICalDavPasswordProtector protector, IPaliadDbContext db, CalDavConfig config,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(protector);
        ArgumentNullException.ThrowIfNull(config);
        if (config.EncryptedPassword is not { } stored || protector.Unprotect(stored) is not { UnderOlderKey: true } opened)
        {
            return false;
        }

        return await SaveUnderCurrentKeyAsync(protector, db, config.UserId, stored, opened.Password, cancellationToken);
    }

    // The same secret under another key: not a change the user made (no event, updated_at kept), and only where the row
    // still holds what was read, so a password saved meanwhile is never overwritten. Best effort: left under the older
    // key it still opens, and the next use tries again.
    private static async Task<bool> SaveUnderCurrentKeyAsync(ICalDavPasswordProtector protector, IPaliadDbContext db, Guid userId, string stored,
        string password, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var reprotected = protector.Protect(password);
        try
        {
            return await db.CalDavConfigs
                .Where(c => c.UserId == userId && c.EncryptedPassword == stored)
                .ExecuteUpdateAsync(set => set.SetProperty(c => c.EncryptedPassword, reprotected), cancellationToken) > 0;
        }
        catch (System.Data.Common.DbException)
        {
            return false;
        }
    }
}
