using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Paliad.Infrastructure.Persistence;

namespace Paliad.Infrastructure.Secrets;

/// <summary>A row of <c>data_protection_keys</c> as stored: its key id, and how its secret is kept — in clear, or
/// encrypted for the certificate whose DER bytes (base64) <paramref name="EncryptedFor"/> holds.</summary>
internal sealed record StoredKey(Guid Id, bool InClear, string? EncryptedFor);

/// <summary>The Data Protection key ring at start: made sure to hold a current key, stored as the configuration asks,
/// before anything protects a password, by one instance at a time.</summary>
public static partial class KeyRing
{
    // pg_advisory_lock key: "paliad-keyring" in ASCII. Session-level, so it is released with the connection too.
    private const long LockId = 0x70616c696164_6b72;

    private static readonly XNamespace DataProtection = "http://schemas.asp.net/2015/03/dataProtection";
    private static readonly XNamespace XmlDsig = "http://www.w3.org/2000/09/xmldsig#";

    /// <summary>Creates the ring's first key, or a new current one, under a database lock: instances starting together
    /// on an empty table would otherwise each create a key and, until their rings refresh (a day), fail to open what
    /// the other protected. With a key-encryption certificate configured, a current key not encrypted for it (stored in
    /// clear before the certificate was configured, or under a previous certificate) is replaced by a new one that is;
    /// passwords move to it as they are used.</summary>
    public static async Task EnsureCurrentKeyAsync(IServiceProvider services, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(services);
        var keyManager = services.GetRequiredService<IKeyManager>();
        var keyLifetime = services.GetRequiredService<IOptions<KeyManagementOptions>>().Value.NewKeyLifetime;
        var certificate = services.GetRequiredService<KeyEncryptionKeys>().Current;
        var certificateDer = certificate is null ? null : Convert.ToBase64String(certificate.RawData);
        var clock = services.GetRequiredService<TimeProvider>();
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(KeyRing));

        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PaliadDbContext>();
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_lock({LockId})", cancellationToken);
            var stored = (await db.DataProtectionKeys.AsNoTracking().Select(k => k.Xml).ToListAsync(cancellationToken))
                .Select(Describe)
                .OfType<StoredKey>()
                .ToDictionary(k => k.Id);
            bool StoredAsAsked(IKey key) => certificateDer is null || (stored.TryGetValue(key.KeyId, out var row) && row.EncryptedFor == certificateDer);

            var now = clock.GetUtcNow();
            if (!keyManager.GetAllKeys().Any(k => !k.IsRevoked && k.ActivationDate <= now && k.ExpirationDate > now && StoredAsAsked(k)))
            {
                var key = keyManager.CreateNewKey(now, now + keyLifetime);
                LogKeyCreated(logger, key.KeyId, key.ExpirationDate, certificate?.Subject ?? "none: stored in clear");
            }

            var inClear = stored.Values.Count(k => k.InClear);
            if (certificateDer is not null && inClear > 0)
            {
                LogKeysInClear(logger, inClear);
            }

            var underPrevious = stored.Values.Count(k => k.EncryptedFor is not null && k.EncryptedFor != certificateDer);
            if (certificateDer is not null && underPrevious > 0)
            {
                LogKeysUnderPreviousCertificates(logger, underPrevious);
            }
        }
        finally
        {
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_unlock({LockId})", CancellationToken.None);
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>A stored key row described; null for rows that are not keys (revocations).</summary>
    internal static StoredKey? Describe(string? xml)
    {
        if (string.IsNullOrEmpty(xml))
        {
            return null;
        }

        var element = XElement.Parse(xml);
        if (element.Name.LocalName != "key" || !Guid.TryParse((string?)element.Attribute("id"), out var id))
        {
            return null;
        }

        // Data Protection marks the secret "requiresEncryption" and leaves the mark only where no encryptor ran.
        var inClear = element.Descendants().Any(e => (bool?)e.Attribute(DataProtection + "requiresEncryption") == true);
        var encryptedFor = element.Descendants(DataProtection + "encryptedSecret")
            .SelectMany(secret => secret.Descendants(XmlDsig + "X509Certificate"))
            .Select(c => string.Concat(c.Value.Where(ch => !char.IsWhiteSpace(ch))))
            .FirstOrDefault();
        return new StoredKey(id, inClear, encryptedFor);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Data Protection key {KeyId} created, current until {ExpirationDate}; key-encryption certificate: {Certificate}")]
    private static partial void LogKeyCreated(ILogger logger, Guid keyId, DateTimeOffset expirationDate, string certificate);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} Data Protection key(s) in data_protection_keys were stored before the key-encryption certificate was "
        + "configured and are readable by anyone who can read the table. A key encrypted under the certificate is current; passwords move to it as they are used.")]
    private static partial void LogKeysInClear(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Count} Data Protection key(s) are encrypted under a previous key-encryption certificate; "
        + "keep it in DataProtection:PreviousCertificates while passwords protected under those keys may still be unused.")]
    private static partial void LogKeysUnderPreviousCertificates(ILogger logger, int count);
}
