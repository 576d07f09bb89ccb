using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Configuration;

namespace Paliad.Infrastructure.Secrets;

/// <summary>Where one key-encryption certificate comes from: a PKCS#12 file, or PEM files.</summary>
public class KeyEncryptionCertificateOptions
{
    /// <summary>A .pfx/.p12 file, or a PEM certificate (the private key in the same file or in
    /// <see cref="CertificateKeyPath"/>).</summary>
    public string? CertificatePath { get; set; }

    /// <summary>The PKCS#12 file's password, or the password of an encrypted PEM private key.</summary>
    public string? CertificatePassword { get; set; }

    /// <summary>The PEM private key, when it is not in <see cref="CertificatePath"/>.</summary>
    public string? CertificateKeyPath { get; set; }

    public bool Configured => !string.IsNullOrWhiteSpace(CertificatePath);
}

/// <summary>The key-encryption key for the Data Protection key ring (section <c>DataProtection</c>): an X.509
/// certificate with its RSA private key. With it every key in <c>data_protection_keys</c> is stored encrypted (XML
/// Encryption: AES-256 under a key wrapped with the certificate's RSA key); without it the table holds the keys that
/// open every CalDAV password in clear. <see cref="PreviousCertificates"/> still open keys stored under certificates
/// used before (rotating the certificate), but never encrypt new ones.</summary>
public sealed class KeyEncryptionOptions : KeyEncryptionCertificateOptions
{
    public const string Section = "DataProtection";

    public IList<KeyEncryptionCertificateOptions> PreviousCertificates { get; } = [];

    /// <summary>Start even when stored passwords need keys that no configured certificate opens (their users enter
    /// their passwords again). Off: such a start is refused, naming the missing certificate.</summary>
    public bool AllowUnreadableKeys { get; set; }
}

/// <summary>A key-encryption key that is configured but cannot be used; the message names the setting to fix.</summary>
public sealed class KeyEncryptionException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The loaded key-encryption certificates: <see cref="Current"/> encrypts (null: keys are stored in clear),
/// <see cref="Previous"/> only decrypt.</summary>
public sealed class KeyEncryptionKeys(X509Certificate2? current, IReadOnlyList<X509Certificate2> previous, bool allowUnreadableKeys = false) : IDisposable
{
    public X509Certificate2? Current { get; } = current;

    public IReadOnlyList<X509Certificate2> Previous { get; } = previous;

    /// <summary>See <see cref="KeyEncryptionOptions.AllowUnreadableKeys"/>.</summary>
    public bool AllowUnreadableKeys { get; } = allowUnreadableKeys;

    /// <summary>Whether a stored key encrypted for the certificate with these DER bytes (base64) can be opened.</summary>
    public bool Opens(string certificateBase64)
        => Previous.Prepend(Current).Any(c => c is not null && Convert.ToBase64String(c.RawData) == certificateBase64);

    public void Dispose()
    {
        Current?.Dispose();
        foreach (var certificate in Previous)
        {
            certificate.Dispose();
        }
    }
}

public static class KeyEncryptionCertificate
{
    private const string Section = KeyEncryptionOptions.Section;
    private const string PathKey = nameof(KeyEncryptionCertificateOptions.CertificatePath);
    private const string PasswordKey = nameof(KeyEncryptionCertificateOptions.CertificatePassword);
    private const string KeyPathKey = nameof(KeyEncryptionCertificateOptions.CertificateKeyPath);

    /// <summary>The configured certificates. Throws <see cref="KeyEncryptionException"/> when one is configured and
    /// unusable: a start must not quietly fall back to storing keys in clear, or lose the keys an old one opens.</summary>
    public static KeyEncryptionKeys Load(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = configuration.GetSection(Section).Get<KeyEncryptionOptions>() ?? new KeyEncryptionOptions();
        if (!options.Configured && options.PreviousCertificates.Count > 0)
        {
            throw new KeyEncryptionException(
                $"{Section}:{nameof(KeyEncryptionOptions.PreviousCertificates)} is set but {Section}:{PathKey} is not: set the current certificate too.");
        }

        var current = LoadOne(options, Section);
        var previous = new List<X509Certificate2>();
        try
        {
            for (var i = 0; i < options.PreviousCertificates.Count; i++)
            {
                var prefix = string.Create(CultureInfo.InvariantCulture, $"{Section}:{nameof(KeyEncryptionOptions.PreviousCertificates)}:{i}");
                previous.Add(LoadOne(options.PreviousCertificates[i], prefix)
                    ?? throw new KeyEncryptionException($"{prefix}:{PathKey} is not set."));
            }
        }
        catch
        {
            current?.Dispose();
            previous.ForEach(c => c.Dispose());
            throw;
        }

        return new KeyEncryptionKeys(current, previous, options.AllowUnreadableKeys);
    }

    private static X509Certificate2? LoadOne(KeyEncryptionCertificateOptions options, string prefix)
    {
        if (!options.Configured)
        {
            return string.IsNullOrWhiteSpace(options.CertificateKeyPath)
                ? null
                : throw new KeyEncryptionException($"{prefix}:{KeyPathKey} is set but {prefix}:{PathKey} is not: set the certificate too.");
        }

        var path = options.CertificatePath!;
        if (!File.Exists(path))
        {
            throw new KeyEncryptionException($"{prefix}:{PathKey}: there is no file at {path}.");
        }

        if (options.CertificateKeyPath is { Length: > 0 } keyPath && !File.Exists(keyPath))
        {
            throw new KeyEncryptionException($"{prefix}:{KeyPathKey}: there is no file at {keyPath}.");
        }

        X509Certificate2 certificate;
        try
        {
            certificate = IsPem(path) ? FromPem(path, options) : X509CertificateLoader.LoadPkcs12FromFile(path, options.CertificatePassword, X509KeyStorageFlags.EphemeralKeySet);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException or IOException or UnauthorizedAccessException)
        {
            throw new KeyEncryptionException(
                $"{prefix}:{PathKey}: the certificate at {path} cannot be read ({e.Message.TrimEnd('.')}); check the file and {prefix}:{PasswordKey}.", e);
        }

        using var rsa = certificate.GetRSAPrivateKey();
        if (rsa is null)
        {
            certificate.Dispose();
            throw new KeyEncryptionException(
                $"{prefix}:{PathKey}: the certificate at {path} has no RSA private key with it; the key ring is encrypted with RSA, so it needs one ({prefix}:{KeyPathKey} for a separate PEM key).");
        }

        return certificate;
    }

    private static X509Certificate2 FromPem(string path, KeyEncryptionCertificateOptions options)
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
