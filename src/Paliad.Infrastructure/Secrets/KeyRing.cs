using System.Buffers.Text;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Paliad.Infrastructure.Persistence;

namespace Paliad.Infrastructure.Secrets;

/// <summary>A row of <c>data_protection_keys</c> as stored: its key id, how its secret is kept — in clear, or
/// encrypted for the certificate whose DER bytes (base64) <paramref name="EncryptedFor"/> holds — and its dates.</summary>
internal sealed record StoredKey(Guid Id, bool InClear, string? EncryptedFor, DateTimeOffset CreatedAt, DateTimeOffset ActivatesAt, DateTimeOffset ExpiresAt);

/// <summary>A revocation row: one key, or (<paramref name="KeyId"/> null) every key created before <paramref name="RevokedAt"/>.</summary>
internal sealed record StoredRevocation(Guid? KeyId, DateTimeOffset RevokedAt);

/// <summary>The Data Protection key ring at start: checked against the configured certificates, and made sure to
/// have a current key stored as the configuration asks, before anything protects a password — one instance at a
/// time.</summary>
public static partial class KeyRing
{
    // pg_advisory_lock key: "paliad-keyring" in ASCII. Session-level, so it is released with the connection too.
    private const long LockId = 0x70616c696164_6b72;

    private static readonly XNamespace DataProtection = "http://schemas.asp.net/2015/03/dataProtection";
    private static readonly XNamespace XmlDsig = "http://www.w3.org/2000/09/xmldsig#";

    /// <summary>Under a database lock (instances starting together on an empty table would otherwise each create a
    /// key and, until their rings refresh — a day —, fail to open what the other protected):
    /// <list type="bullet">
    /// <item>refuses (<see cref="KeyEncryptionException"/>) when stored passwords need keys encrypted for a certificate
    /// that is not configured — a rotation that forgot <c>DataProtection:PreviousCertificates</c> — unless
    /// <c>DataProtection:AllowUnreadableKeys</c>;</item>
    /// <item>with a certificate configured, revokes keys made ahead of time that are not encrypted for it, and makes
    /// a new current key when the one Data Protection would use (the latest activated) is not — stored in clear before
    /// the certificate was configured, or under a previous one; passwords move to it as they are used;</item>
    /// <item>makes the ring's first key.</item>
    /// </list></summary>
    public static async Task EnsureCurrentKeyAsync(IServiceProvider services, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(services);
        var keyManager = services.GetRequiredService<IKeyManager>();
        var keyLifetime = services.GetRequiredService<IOptions<KeyManagementOptions>>().Value.NewKeyLifetime;
        var certificates = services.GetRequiredService<KeyEncryptionKeys>();
        var certificateDer = certificates.Current is null ? null : Convert.ToBase64String(certificates.Current.RawData);
        var clock = services.GetRequiredService<TimeProvider>();
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(KeyRing));

        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PaliadDbContext>();
        await UnderLockAsync(db, async () =>
        {
            var stored = (await db.DataProtectionKeys.AsNoTracking().Select(k => k.Xml).ToListAsync(cancellationToken))
                .Select(Describe)
                .OfType<StoredKey>()
                .ToDictionary(k => k.Id);
            var passwordsByKey = await PasswordsByKeyAsync(db, cancellationToken);

            var unreadable = stored.Values.Where(k => k.EncryptedFor is { } der && !certificates.Opens(der)).Select(k => k.Id).ToList();
            var stranded = unreadable.Sum(id => passwordsByKey.GetValueOrDefault(id));
            if (stranded > 0 && !certificates.AllowUnreadableKeys)
            {
                throw new KeyEncryptionException(
                    $"{stranded} stored CalDAV password(s) are protected under Data Protection key(s) encrypted for a certificate that is not configured "
                    + $"({string.Join(", ", unreadable.Where(passwordsByKey.ContainsKey))}). Configure that certificate as DataProtection:CertificatePath or "
                    + "DataProtection:PreviousCertificates:N:CertificatePath, or set DataProtection:AllowUnreadableKeys=true to start without it "
                    + "(those users will have to enter their passwords again).");
            }

            bool StoredAsAsked(IKey key) => certificateDer is null || (stored.TryGetValue(key.KeyId, out var row) && row.EncryptedFor == certificateDer);

            var now = clock.GetUtcNow();
            var keys = keyManager.GetAllKeys();
            foreach (var early in keys.Where(k => !k.IsRevoked && k.ActivationDate > now && !StoredAsAsked(k)))
            {
                keyManager.RevokeKey(early.KeyId, "Not encrypted for the configured key-encryption certificate.");
                LogEarlyKeyRevoked(logger, early.KeyId, early.ActivationDate);
            }

            var inUseId = KeyInUse(keys.Select(k => (k.KeyId, k.ActivationDate, k.ExpirationDate, k.IsRevoked)), now);
            var inUse = keys.FirstOrDefault(k => k.KeyId == inUseId);
            var current = inUse;
            if (inUse is null || !StoredAsAsked(inUse))
            {
                current = keyManager.CreateNewKey(now, now + keyLifetime);
                LogKeyCreated(logger, current.KeyId, current.ExpirationDate, certificates.Current?.Subject ?? "none: stored in clear");
            }

            var inClear = stored.Values.Where(k => k.InClear).Sum(k => passwordsByKey.GetValueOrDefault(k.Id));
            var underPrevious = stored.Values.Where(k => k.EncryptedFor is { } der && der != certificateDer && certificates.Opens(der))
                .Sum(k => passwordsByKey.GetValueOrDefault(k.Id));
            if (certificateDer is not null && stored.Values.Any(k => k.InClear))
            {
                LogKeysInClear(logger, stored.Values.Count(k => k.InClear), inClear);
            }

            var total = passwordsByKey.Values.Sum();
            var underOlder = total - passwordsByKey.GetValueOrDefault(current!.KeyId);
            if (certificateDer is null)
            {
                LogPasswordsWithoutCertificate(logger, total, underOlder);
            }
            else
            {
                LogPasswords(logger, total, underOlder, inClear, underPrevious);
            }

            return true;
        }, cancellationToken);
    }

    /// <summary>Runs <paramref name="work"/> holding the key ring's database lock (one connection, held throughout).</summary>
    internal static async Task<T> UnderLockAsync<T>(PaliadDbContext db, Func<Task<T>> work, CancellationToken cancellationToken)
    {
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_lock({LockId})", cancellationToken);
            return await work();
        }
        finally
        {
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_unlock({LockId})", CancellationToken.None);
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>The key id of every stored secret, counted (secrets per key): CalDAV passwords, OAuth 2.0 access and
    /// refresh tokens, and the PKCE verifiers of consents in progress — a key that protects any of them is in use.</summary>
    internal static async Task<Dictionary<Guid, int>> PasswordsByKeyAsync(PaliadDbContext db, CancellationToken cancellationToken)
        => PasswordsByKey(await db.Database.SqlQuery<string>($"""
            SELECT password AS "Value" FROM paliad.user_caldav_config WHERE password IS NOT NULL
            UNION ALL SELECT access_token FROM paliad.user_caldav_config WHERE access_token IS NOT NULL
            UNION ALL SELECT refresh_token FROM paliad.user_caldav_config WHERE refresh_token IS NOT NULL
            UNION ALL SELECT encrypted_code_verifier FROM paliad.caldav_oauth_connections
            """).ToListAsync(cancellationToken));

    /// <summary>The key Data Protection protects with at <paramref name="now"/>: the latest activated, unexpired,
    /// unrevoked one (ties: the lowest id); null when there is none.</summary>
    internal static Guid? KeyInUse(IEnumerable<(Guid Id, DateTimeOffset ActivatesAt, DateTimeOffset ExpiresAt, bool Revoked)> keys, DateTimeOffset now)
        => keys.Where(k => !k.Revoked && k.ActivatesAt <= now && k.ExpiresAt > now)
            .OrderByDescending(k => k.ActivatesAt).ThenBy(k => k.Id)
            .Select(k => (Guid?)k.Id)
            .FirstOrDefault();

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
        return new StoredKey(id, inClear, encryptedFor,
            (DateTimeOffset)element.Element("creationDate")!, (DateTimeOffset)element.Element("activationDate")!, (DateTimeOffset)element.Element("expirationDate")!);
    }

    /// <summary>A revocation row described; null for rows that are not revocations.</summary>
    internal static StoredRevocation? DescribeRevocation(string? xml)
    {
        if (string.IsNullOrEmpty(xml))
        {
            return null;
        }

        var element = XElement.Parse(xml);
        if (element.Name.LocalName != "revocation" || element.Element("revocationDate") is not { } date)
        {
            return null;
        }

        var keyId = (string?)element.Element("key")?.Attribute("id");
        return new StoredRevocation(Guid.TryParse(keyId, out var id) ? id : null, (DateTimeOffset)date);
    }

    /// <summary>The key id a protected password names (after Data Protection's 4-byte magic header); null for what is
    /// not a Data Protection payload.</summary>
    internal static Guid? KeyIdOf(string protectedPassword)
    {
        try
        {
            var payload = Base64Url.DecodeFromChars(protectedPassword);
            return payload.Length >= 20 ? new Guid(payload.AsSpan(4, 16)) : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static Dictionary<Guid, int> PasswordsByKey(IEnumerable<string> protectedPasswords)
        => protectedPasswords.Select(KeyIdOf).OfType<Guid>().GroupBy(id => id).ToDictionary(g => g.Key, g => g.Count());

    [LoggerMessage(Level = LogLevel.Information, Message = "Data Protection key {KeyId} created, current until {ExpirationDate}; key-encryption certificate: {Certificate}")]
    private static partial void LogKeyCreated(ILogger logger, Guid keyId, DateTimeOffset expirationDate, string certificate);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Data Protection key {KeyId} (active from {ActivationDate}) was revoked: it is not encrypted for the configured key-encryption certificate")]
    private static partial void LogEarlyKeyRevoked(ILogger logger, Guid keyId, DateTimeOffset activationDate);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Keys} Data Protection key(s) in data_protection_keys were stored before the key-encryption certificate was "
        + "configured and are readable by anyone who can read the table; {Passwords} stored password(s) still use them and move to the current key as they are used.")]
    private static partial void LogKeysInClear(ILogger logger, int keys, int passwords);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stored CalDAV passwords: {Total}; under an older key than the current one: {UnderOlder} "
        + "(under keys in clear: {InClear}; under keys of previous certificates: {UnderPrevious} — a previous certificate can go once this is 0)")]
    private static partial void LogPasswords(ILogger logger, int total, int underOlder, int inClear, int underPrevious);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stored CalDAV passwords: {Total}; under an older key than the current one: {UnderOlder}. "
        + "No key-encryption certificate is configured (DataProtection:CertificatePath): the key ring is stored in clear")]
    private static partial void LogPasswordsWithoutCertificate(ILogger logger, int total, int underOlder);
}
