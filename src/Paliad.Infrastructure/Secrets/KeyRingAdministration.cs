using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.EntityFrameworkCore;
using Paliad.Infrastructure.Persistence;

namespace Paliad.Infrastructure.Secrets;

/// <summary>One Data Protection key as an operator sees it: its state (current, future, retired, expired, revoked),
/// its dates, how it is stored, and how many stored CalDAV passwords it protects.</summary>
public sealed record KeyRingEntry(Guid KeyId, string State, DateTimeOffset CreatedAt, DateTimeOffset ActivatesAt, DateTimeOffset ExpiresAt, string StoredAs, int Passwords);

/// <summary>What <see cref="KeyRingAdministration.PruneAsync"/> removed, or why it removed nothing.</summary>
public sealed record KeyRingPruning(IReadOnlyList<KeyRingEntry> Removed, string? NothingBecause);

/// <summary>The key ring for operators (<c>./paliad keys list|prune</c>), read from the table alone — no certificate
/// needed. Data Protection never deletes keys; pruning removes those no stored password needs any more, so keys stored
/// in clear before a certificate was configured (or under a dropped certificate) can leave the database.</summary>
public sealed class KeyRingAdministration(PaliadDbContext db, TimeProvider clock)
{
    /// <summary>How long the current key must have been current before older keys may go: every instance reads its
    /// ring afresh within a day, and until then one may still protect under the key before.</summary>
    public static readonly TimeSpan Settled = TimeSpan.FromDays(2);

    public async Task<IReadOnlyList<KeyRingEntry>> ListAsync(CancellationToken cancellationToken = default)
        => (await ReadAsync(cancellationToken)).Select(k => k.Entry).ToList();

    /// <summary>Deletes the keys that are neither current nor future and protect no stored password, once the current
    /// key has been current for <see cref="Settled"/>. Under the key ring's lock, so no start makes keys meanwhile.</summary>
    public Task<KeyRingPruning> PruneAsync(CancellationToken cancellationToken = default)
        => KeyRing.UnderLockAsync(db, async () =>
        {
            var keys = await ReadAsync(cancellationToken);
            var current = keys.FirstOrDefault(k => k.Entry.State == Current);
            if (current is null)
            {
                return new KeyRingPruning([], "there is no current key (the next start makes one)");
            }

            if (current.Entry.ActivatesAt > clock.GetUtcNow() - Settled)
            {
                return new KeyRingPruning([], $"the current key became current less than {Settled.TotalDays:0} days ago; an instance may still protect under the one before");
            }

            var removable = keys.Where(k => k.Entry.State is Retired or Expired or Revoked && k.Entry.Passwords == 0).ToList();
            var rowIds = removable.Select(k => k.RowId).ToArray();
            await db.Database.ExecuteSqlAsync($"DELETE FROM paliad.data_protection_keys WHERE id = ANY({rowIds})", cancellationToken);
            return new KeyRingPruning(removable.Select(k => k.Entry).ToList(), removable.Count == 0 ? "every older key still protects a stored password" : null);
        }, cancellationToken);

    private const string Current = "current";
    private const string Future = "future";
    private const string Retired = "retired";
    private const string Expired = "expired";
    private const string Revoked = "revoked";

    private sealed record Row(int RowId, KeyRingEntry Entry);

    private async Task<List<Row>> ReadAsync(CancellationToken cancellationToken)
    {
        var rows = await db.DataProtectionKeys.AsNoTracking().OrderBy(k => k.Id).Select(k => new { k.Id, k.Xml }).ToListAsync(cancellationToken);
        var revocations = rows.Select(r => KeyRing.DescribeRevocation(r.Xml)).OfType<StoredRevocation>().ToList();
        var passwordsByKey = await KeyRing.PasswordsByKeyAsync(db, cancellationToken);
        var now = clock.GetUtcNow();
        var keys = rows.Select(r => (r.Id, Key: KeyRing.Describe(r.Xml))).Where(k => k.Key is not null).Select(k => (k.Id, Key: k.Key!)).ToList();

        bool IsRevoked(StoredKey key) => revocations.Any(r => r.KeyId == key.Id || (r.KeyId is null && key.CreatedAt <= r.RevokedAt));

        var current = KeyRing.KeyInUse(keys.Select(k => (k.Key.Id, k.Key.ActivatesAt, k.Key.ExpiresAt, IsRevoked(k.Key))), now);
        return keys.Select(k => new Row(k.Id, new KeyRingEntry(
                k.Key.Id,
                IsRevoked(k.Key) ? Revoked
                    : k.Key.Id == current ? Current
                    : k.Key.ActivatesAt > now ? Future
                    : k.Key.ExpiresAt <= now ? Expired
                    : Retired,
                k.Key.CreatedAt, k.Key.ActivatesAt, k.Key.ExpiresAt, StoredAs(k.Key), passwordsByKey.GetValueOrDefault(k.Key.Id))))
            .ToList();
    }

    private static string StoredAs(StoredKey key)
    {
        if (key.InClear)
        {
            return "in clear";
        }

        if (key.EncryptedFor is null)
        {
            return "encrypted (not under a certificate)";
        }

        try
        {
            using var certificate = X509CertificateLoader.LoadCertificate(Convert.FromBase64String(key.EncryptedFor));
            return $"encrypted for {certificate.Subject} (thumbprint {certificate.Thumbprint})";
        }
        catch (Exception e) when (e is CryptographicException or FormatException)
        {
            return "encrypted for an unreadable certificate";
        }
    }
}
