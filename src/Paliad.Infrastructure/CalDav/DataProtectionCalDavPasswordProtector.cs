using System.Buffers.Text;
using System.Text;
using Microsoft.AspNetCore.DataProtection;
using Paliad.Application.CalDav;

namespace Paliad.Infrastructure.CalDav;

internal sealed class DataProtectionCalDavPasswordProtector(IDataProtectionProvider provider) : ICalDavPasswordProtector
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
            throw new System.Security.Cryptography.CryptographicException("The stored password is not a Data Protection payload.", e);
        }

        // A revoked key still opens what it protected: revocation is how an operator forces rotation, and the password
        // moves to the current key right away instead of locking its user out.
        var password = _protector.DangerousUnprotect(payload, ignoreRevocationErrors: true, out var requiresMigration, out var wasRevoked);
        return new UnprotectedPassword(Encoding.UTF8.GetString(password), requiresMigration || wasRevoked);
    }
}
