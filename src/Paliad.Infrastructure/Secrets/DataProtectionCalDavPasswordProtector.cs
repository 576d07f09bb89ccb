using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Paliad.Application.CalDav;

namespace Paliad.Infrastructure.Secrets;

internal sealed class DataProtectionCalDavPasswordProtector(IDataProtectionProvider provider, IKeyManager keyManager) : ICalDavPasswordProtector
{
    // Persisted protectors report whether the payload's key is still the current one; the key ring from
    // AddDataProtection always hands one out.
    private readonly IPersistedDataProtector _protector = (IPersistedDataProtector)provider.CreateProtector("Paliad.CalDav.Password.v1");

    public string Protect(string password) => _protector.Protect(password);

    public UnprotectedPassword Unprotect(string protectedPassword)
    {
        byte[] payload;
        try
        {
            payload = Base64Url.DecodeFromChars(protectedPassword);
        }
        catch (FormatException e)
        {
            throw new CryptographicException("The stored password is not a Data Protection payload.", e);
        }

        try
        {
            // A revoked key still opens what it protected: revocation is how an operator forces rotation, and the
            // password moves to the current key right away instead of locking its user out.
            var password = _protector.DangerousUnprotect(payload, ignoreRevocationErrors: true, out var requiresMigration, out var wasRevoked);
            return new UnprotectedPassword(Encoding.UTF8.GetString(password), requiresMigration || wasRevoked);
        }
        catch (CryptographicException e) when (KeyRing.KeyIdOf(protectedPassword) is { } keyId && keyManager.GetAllKeys().Any(k => k.KeyId == keyId))
        {
            // The table has the key (read afresh here): another instance made it after this one read its ring, or
            // this instance lacks the certificate it is encrypted for. Not the user's to fix.
            throw new KeyRingBehindException(
                $"Data Protection key {keyId} protects this password but this instance cannot use it yet; it will retry "
                + "(restart the instance if it persists, with the current DataProtection configuration).", e);
        }
    }
}
