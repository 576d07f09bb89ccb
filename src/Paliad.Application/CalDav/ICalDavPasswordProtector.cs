namespace Paliad.Application.CalDav;

/// <summary>Encrypts CalDAV passwords at rest (ASP.NET Core Data Protection, keys in the database).</summary>
public interface ICalDavPasswordProtector
{
    string Protect(string password);

    /// <summary>The password in clear. Throws <see cref="System.Security.Cryptography.CryptographicException"/> when no
    /// key of the ring opens it.</summary>
    UnprotectedPassword Unprotect(string protectedPassword);
}

/// <summary>A stored password opened; <paramref name="UnderOlderKey"/> when the key that protected it is no longer the
/// ring's current one (rotated or revoked), so it should be protected again under the current key.</summary>
public sealed record UnprotectedPassword(string Password, bool UnderOlderKey);

/// <summary>The key that protects the password is in the key ring, but this instance cannot use it yet — its ring was
/// read before the key was made, or it lacks the certificate the key is encrypted for. The password is fine: retry
/// later, or restart the instance with the current configuration; the user need not enter it again.</summary>
public sealed class KeyRingBehindException(string message, Exception innerException)
    : System.Security.Cryptography.CryptographicException(message, innerException);
