using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Paliad.IntegrationTests.Secrets;

/// <summary>A self-signed RSA certificate for the key-encryption key, written the ways an operator would hand it
/// over: a password-protected PKCS#12 file, and a PEM certificate with its encrypted PKCS#8 key beside it.</summary>
public sealed class KeyEncryptionFiles : IDisposable
{
    public const string Password = "kek-password-0123";

    private readonly string _folder = Directory.CreateTempSubdirectory("paliad-kek-").FullName;

    public KeyEncryptionFiles(string subject = "CN=Paliad key encryption (test)")
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(5));
        Thumbprint = certificate.Thumbprint;
        CertificateBase64 = Convert.ToBase64String(certificate.RawData);
        PfxPath = Path.Combine(_folder, "kek.pfx");
        File.WriteAllBytes(PfxPath, certificate.Export(X509ContentType.Pkcs12, Password));
        PemCertificatePath = Path.Combine(_folder, "kek.crt");
        File.WriteAllText(PemCertificatePath, certificate.ExportCertificatePem());
        PemKeyPath = Path.Combine(_folder, "kek.key");
        File.WriteAllText(PemKeyPath, rsa.ExportEncryptedPkcs8PrivateKeyPem(Password,
            new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 100_000)));
    }

    public string Thumbprint { get; }

    public string PfxPath { get; }

    public string PemCertificatePath { get; }

    public string PemKeyPath { get; }

    /// <summary>Configuration for the PKCS#12 file.</summary>
    public Dictionary<string, string?> Pfx() => new()
    {
        ["DataProtection:CertificatePath"] = PfxPath,
        ["DataProtection:CertificatePassword"] = Password,
    };

    /// <summary>Configuration for the PEM certificate with its separate, encrypted key.</summary>
    public Dictionary<string, string?> Pem() => new()
    {
        ["DataProtection:CertificatePath"] = PemCertificatePath,
        ["DataProtection:CertificateKeyPath"] = PemKeyPath,
        ["DataProtection:CertificatePassword"] = Password,
    };

    /// <summary>Configuration for this certificate as the <paramref name="index"/>-th previous one (decrypting only).</summary>
    public Dictionary<string, string?> AsPrevious(int index) => new()
    {
        [$"DataProtection:PreviousCertificates:{index}:CertificatePath"] = PfxPath,
        [$"DataProtection:PreviousCertificates:{index}:CertificatePassword"] = Password,
    };

    /// <summary>The certificate's DER bytes in base64, as XML Encryption names it in a stored key.</summary>
    public string CertificateBase64 { get; }

    public string Write(string name, string content)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, content);
        return path;
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
