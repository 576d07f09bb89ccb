using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Paliad.Infrastructure.Persistence;

namespace Paliad.Infrastructure.Secrets;

/// <summary>The Data Protection key ring at start: made sure to hold a current key before anything protects a
/// password, by one instance at a time.</summary>
public static partial class KeyRing
{
    // pg_advisory_lock key: "paliad-keyring" in ASCII. Session-level, so it is released with the connection too.
    private const long LockId = 0x70616c696164_6b72;

    private static readonly XName RequiresEncryption = XNamespace.Get("http://schemas.asp.net/2015/03/dataProtection") + "requiresEncryption";

    /// <summary>Creates the ring's first key, or a new current one, under a database lock: instances starting together
    /// on an empty table would otherwise each create a key and, until their rings refresh (a day), fail to open what
    /// the other protected. With a key-encryption key configured, a current key stored in clear (written before the
    /// certificate was configured) is replaced by a new, encrypted one; passwords move to it as they are used.</summary>
    public static async Task EnsureCurrentKeyAsync(IServiceProvider services, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(services);
        var keyManager = services.GetRequiredService<IKeyManager>();
        var keyLifetime = services.GetRequiredService<IOptions<KeyManagementOptions>>().Value.NewKeyLifetime;
        var encrypting = services.GetRequiredService<IOptions<KeyEncryptionOptions>>().Value.Configured;
        var clock = services.GetRequiredService<TimeProvider>();
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(KeyRing));

        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PaliadDbContext>();
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_lock({LockId})", cancellationToken);
            var storedInClear = (await db.DataProtectionKeys.AsNoTracking().Select(k => k.Xml).ToListAsync(cancellationToken))
                .Select(KeyStoredInClear)
                .OfType<Guid>()
                .ToHashSet();
            var now = clock.GetUtcNow();
            var current = keyManager.GetAllKeys().Where(k => !k.IsRevoked && k.ActivationDate <= now && k.ExpirationDate > now).ToList();
            if (!current.Any(k => !encrypting || !storedInClear.Contains(k.KeyId)))
            {
                var key = keyManager.CreateNewKey(now, now + keyLifetime);
                LogKeyCreated(logger, key.KeyId, key.ExpirationDate, encrypting);
            }

            if (encrypting && storedInClear.Count > 0)
            {
                LogKeysInClear(logger, storedInClear.Count);
            }
        }
        finally
        {
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_unlock({LockId})", CancellationToken.None);
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>The id of a stored key whose secret is in clear (an element Data Protection marks as requiring
    /// encryption, left unencrypted because no key-encryption key was configured); null otherwise.</summary>
    internal static Guid? KeyStoredInClear(string? xml)
    {
        if (string.IsNullOrEmpty(xml))
        {
            return null;
        }

        var element = XElement.Parse(xml);
        return element.Name.LocalName == "key"
            && Guid.TryParse((string?)element.Attribute("id"), out var id)
            && element.Descendants().Any(e => (bool?)e.Attribute(RequiresEncryption) == true)
            ? id
            : null;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Data Protection key {KeyId} created, current until {ExpirationDate} (stored encrypted: {Encrypted})")]
    private static partial void LogKeyCreated(ILogger logger, Guid keyId, DateTimeOffset expirationDate, bool encrypted);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} Data Protection key(s) in data_protection_keys were stored before the key-encryption key was "
        + "configured and are readable by anyone who can read the table. A new encrypted key is current; passwords move to it as they are used.")]
    private static partial void LogKeysInClear(ILogger logger, int count);
}
