using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Configuration;
using Paliad.Infrastructure.Secrets;

namespace Paliad.IntegrationTests.Secrets;

/// <summary>Loading the key-encryption certificate: the forms an operator hands over, and a message naming the
/// setting for each way it can be wrong (never a silent fallback to keys in clear).</summary>
public sealed class KeyEncryptionCertificateTests
{
    private KeyEncryptionFiles _files = null!;

    [SetUp]
    public void MakeFiles() => _files = new KeyEncryptionFiles();

    [TearDown]
    public void RemoveFiles() => _files.Dispose();

    [Test]
    public void Nothing_configured_means_no_certificate()
    {
        using var keys = KeyEncryptionCertificate.Load(Configuration([]));

        Assert.That(keys.Current, Is.Null);
        Assert.That(keys.Previous, Is.Empty);
    }

    [Test]
    public void A_pkcs12_file_with_its_password_loads_with_its_private_key()
    {
        using var keys = KeyEncryptionCertificate.Load(Configuration(_files.Pfx()));

        Assert.That(keys.Current!.Thumbprint, Is.EqualTo(_files.Thumbprint));
        Assert.That(keys.Current.HasPrivateKey, Is.True);
    }

    [Test]
    public void A_pem_certificate_with_its_encrypted_key_beside_it_loads()
    {
        using var keys = KeyEncryptionCertificate.Load(Configuration(_files.Pem()));

        Assert.That(keys.Current!.Thumbprint, Is.EqualTo(_files.Thumbprint));
        Assert.That(keys.Current.HasPrivateKey, Is.True);
    }

    [Test]
    public void A_pem_file_holding_certificate_and_key_together_loads()
    {
        var combined = _files.Write("both.pem", File.ReadAllText(_files.PemCertificatePath) + "\n" + File.ReadAllText(_files.PemKeyPath));

        using var keys = KeyEncryptionCertificate.Load(Configuration(new()
        {
            ["DataProtection:CertificatePath"] = combined,
            ["DataProtection:CertificatePassword"] = KeyEncryptionFiles.Password,
        }));

        Assert.That(keys.Current!.Thumbprint, Is.EqualTo(_files.Thumbprint));
    }

    [Test]
    public void A_missing_file_is_named()
    {
        var error = Assert.Throws<KeyEncryptionException>(() => KeyEncryptionCertificate.Load(Configuration(new() { ["DataProtection:CertificatePath"] = "/nowhere/kek.pfx" })));

        Assert.That(error!.Message, Does.Contain("DataProtection:CertificatePath").And.Contain("/nowhere/kek.pfx"));
    }

    [Test]
    public void A_wrong_password_names_the_password_setting()
    {
        var settings = _files.Pfx();
        settings["DataProtection:CertificatePassword"] = "not-the-password";

        var error = Assert.Throws<KeyEncryptionException>(() => KeyEncryptionCertificate.Load(Configuration(settings)));

        Assert.That(error!.Message, Does.Contain("cannot be read").And.Contain("DataProtection:CertificatePassword"));
    }

    [Test]
    public void A_certificate_whose_key_is_not_rsa_is_refused_by_name()
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var certificate = new CertificateRequest("CN=Not RSA", ecdsa, HashAlgorithmName.SHA256).CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        var path = _files.Write("ecdsa.pfx", string.Empty);
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pkcs12, KeyEncryptionFiles.Password));

        var error = Assert.Throws<KeyEncryptionException>(() => KeyEncryptionCertificate.Load(Configuration(new()
        {
            ["DataProtection:CertificatePath"] = path,
            ["DataProtection:CertificatePassword"] = KeyEncryptionFiles.Password,
        })));

        Assert.That(error!.Message, Does.Contain("has no RSA private key"));
    }

    [Test]
    public void A_certificate_without_its_private_key_is_refused()
    {
        var error = Assert.Throws<KeyEncryptionException>(() => KeyEncryptionCertificate.Load(Configuration(new() { ["DataProtection:CertificatePath"] = _files.PemCertificatePath })));

        Assert.That(error!.Message, Does.Contain("DataProtection:CertificatePath"));
    }

    [Test]
    public void A_key_path_without_a_certificate_is_refused()
    {
        var error = Assert.Throws<KeyEncryptionException>(() => KeyEncryptionCertificate.Load(Configuration(new() { ["DataProtection:CertificateKeyPath"] = _files.PemKeyPath })));

        Assert.That(error!.Message, Does.Contain("DataProtection:CertificateKeyPath").And.Contain("DataProtection:CertificatePath is not"));
    }

    [Test]
    public void A_missing_key_file_is_named()
    {
        var settings = _files.Pem();
        settings["DataProtection:CertificateKeyPath"] = "/nowhere/kek.key";

        var error = Assert.Throws<KeyEncryptionException>(() => KeyEncryptionCertificate.Load(Configuration(settings)));

        Assert.That(error!.Message, Does.Contain("DataProtection:CertificateKeyPath").And.Contain("/nowhere/kek.key"));
    }

    [Test]
    public void Previous_certificates_load_beside_the_current_one_and_only_decrypt()
    {
        using var previous = new KeyEncryptionFiles("CN=Last year's key encryption");
        var settings = _files.Pfx();
        foreach (var (key, value) in previous.AsPrevious(0))
        {
            settings[key] = value;
        }

        using var keys = KeyEncryptionCertificate.Load(Configuration(settings));

        Assert.That(keys.Current!.Thumbprint, Is.EqualTo(_files.Thumbprint));
        Assert.That(keys.Previous.Select(c => c.Thumbprint), Is.EqualTo(new[] { previous.Thumbprint }));
    }

    [Test]
    public void A_previous_certificate_that_cannot_be_read_is_named_by_its_index()
    {
        var settings = _files.Pfx();
        foreach (var (key, value) in _files.AsPrevious(0))
        {
            settings[key] = value;
        }

        settings["DataProtection:PreviousCertificates:1:CertificatePath"] = "/nowhere/old.pfx";

        var error = Assert.Throws<KeyEncryptionException>(() => KeyEncryptionCertificate.Load(Configuration(settings)));

        Assert.That(error!.Message, Does.StartWith("DataProtection:PreviousCertificates:1:CertificatePath").And.Contain("/nowhere/old.pfx"));
    }

    [Test]
    public void Previous_certificates_without_a_current_one_are_refused()
    {
        var error = Assert.Throws<KeyEncryptionException>(() => KeyEncryptionCertificate.Load(Configuration(_files.AsPrevious(0))));

        Assert.That(error!.Message, Does.Contain("DataProtection:PreviousCertificates is set but DataProtection:CertificatePath is not"));
    }

    private static IConfiguration Configuration(Dictionary<string, string?> settings) => new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
}
