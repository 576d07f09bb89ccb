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
    public void Nothing_configured_means_no_certificate() => Assert.That(KeyEncryptionCertificate.Load(Configuration([])), Is.Null);

    [Test]
    public void A_pkcs12_file_with_its_password_loads_with_its_private_key()
    {
        using var certificate = KeyEncryptionCertificate.Load(Configuration(_files.Pfx()));

        Assert.That(certificate!.Thumbprint, Is.EqualTo(_files.Thumbprint));
        Assert.That(certificate.HasPrivateKey, Is.True);
    }

    [Test]
    public void A_pem_certificate_with_its_encrypted_key_beside_it_loads()
    {
        using var certificate = KeyEncryptionCertificate.Load(Configuration(_files.Pem()));

        Assert.That(certificate!.Thumbprint, Is.EqualTo(_files.Thumbprint));
        Assert.That(certificate.HasPrivateKey, Is.True);
    }

    [Test]
    public void A_pem_file_holding_certificate_and_key_together_loads()
    {
        var combined = _files.Write("both.pem", File.ReadAllText(_files.PemCertificatePath) + "\n" + File.ReadAllText(_files.PemKeyPath));

        using var certificate = KeyEncryptionCertificate.Load(Configuration(new()
        {
            ["DataProtection:CertificatePath"] = combined,
            ["DataProtection:CertificatePassword"] = KeyEncryptionFiles.Password,
        }));

        Assert.That(certificate!.Thumbprint, Is.EqualTo(_files.Thumbprint));
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

    private static IConfiguration Configuration(Dictionary<string, string?> settings) => new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
}
