using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Configuration;

namespace Paliad.Infrastructure.Secrets;

/// <summary>The key-encryption key for the Data Protection key ring (section <c>DataProtection</c>): an X.509
/// certificate with its RSA private key, from a PKCS#12 file or from PEM files. With it every key in
/// <c>data_protection_keys</c> is stored encrypted (XML Encryption, RSA-OAEP); without it the table holds the keys
/// that open every CalDAV password in clear.</summary>
public sealed class KeyEncryptionOptions
{
    public const string Section = "DataProtection";

    /// <summary>A .pfx/.p12 file, or a PEM certificate (the private key in the same file or in
    /// <see cref="CertificateKeyPath"/>).</summary>
    public string? CertificatePath { get; set; }

    /// <summary>The PKCS#12 file's password, or the password of an encrypted PEM private key.</summary>
    public string? CertificatePassword { get; set; }

    /// <summary>The PEM private key, when it is not in <see cref="CertificatePath"/>.</summary>
    public string? CertificateKeyPath { get; set; }

    public bool Configured => !string.IsNullOrWhiteSpace(CertificatePath);
}

/// <summary>A key-encryption key that is configured but cannot be used; the message names the setting to fix.</summary>
public sealed class KeyEncryptionException(string message, Exception? inner = null) : Exception(message, inner);

public static class KeyEncryptionCertificate
{
    private const string PathKey = $"{KeyEncryptionOptions.Section}:{nameof(KeyEncryptionOptions.CertificatePath)}";
    private const string PasswordKey = $"{KeyEncryptionOptions.Section}:{nameof(KeyEncryptionOptions.CertificatePassword)}";
    private const string KeyPathKey = $"{KeyEncryptionOptions.Section}:{nameof(KeyEncryptionOptions.CertificateKeyPath)}";

    /// <summary>The configured certificate, or null when none is configured. Throws <see cref="KeyEncryptionException"/>
    /// when one is configured and unusable: a start must not quietly fall back to storing keys in clear.</summary>
    public static X509Certificate2? Load(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = configuration.GetSection(KeyEncryptionOptions.Section).Get<KeyEncryptionOptions>() ?? new KeyEncryptionOptions();
        if (!options.Configured)
        {
            return string.IsNullOrWhiteSpace(options.CertificateKeyPath)
                ? null
                : throw new KeyEncryptionException($"{KeyPathKey} is set but {PathKey} is not: set the certificate too.");
        }

        var path = options.CertificatePath!;
        if (!File.Exists(path))
        {
            throw new KeyEncryptionException($"{PathKey}: there is no file at {path}.");
        }

        if (options.CertificateKeyPath is { Length: > 0 } keyPath && !File.Exists(keyPath))
        {
            throw new KeyEncryptionException($"{KeyPathKey}: there is no file at {keyPath}.");
        }

        X509Certificate2 certificate;
        try
        {
            certificate = IsPem(path) ? FromPem(path, options) : X509CertificateLoader.LoadPkcs12FromFile(path, options.CertificatePassword, X509KeyStorageFlags.EphemeralKeySet);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException or IOException or UnauthorizedAccessException)
        {
            throw new KeyEncryptionException(
                $"{PathKey}: the certificate at {path} cannot be read ({e.Message.TrimEnd('.')}); check the file and {PasswordKey}.", e);
        }

        using var rsa = certificate.GetRSAPrivateKey();
        if (rsa is null)
        {
            certificate.Dispose();
            throw new KeyEncryptionException(
                $"{PathKey}: the certificate at {path} has no RSA private key with it; the key ring is encrypted with RSA, so it needs one ({KeyPathKey} for a separate PEM key).");
        }

        return certificate;
    }

    private static X509Certificate2 FromPem(string path, KeyEncryptionOptions options)
    {
        var keyPath = string.IsNullOrWhiteSpace(options.CertificateKeyPath) ? path : options.CertificateKeyPath;
        return string.IsNullOrEmpty(options.CertificatePassword)
            ? X509Certificate2.CreateFromPemFile(path, keyPath)
            : X509Certificate2.CreateFromEncryptedPemFile(path, options.CertificatePassword, keyPath);
    }

    private static bool IsPem(string path)
    {
        using var reader = new StreamReader(path);
        var start = new char[4096];
        var read = reader.ReadBlock(start, 0, start.Length);
        return new string(start, 0, read).Contains("-----BEGIN ", StringComparison.Ordinal);
    }
}
