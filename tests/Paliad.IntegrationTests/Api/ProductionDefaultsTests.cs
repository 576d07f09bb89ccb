using System.Net;
using Npgsql;
using Paliad.IntegrationTests.Infrastructure;
using Paliad.IntegrationTests.Secrets;

namespace Paliad.IntegrationTests.Api;

/// <summary>Safe production defaults: a Production start without what it needs is refused with a message (the real
/// executable, as a process), and the OpenAPI document and reference UI are served only when published.</summary>
public sealed class ProductionDefaultsTests : ApiTest
{
    private const string LongEnoughKey = "production-defaults-test-signing-key-0123456789";

    [TestCase(null, "authenticated", "Auth:Issuer")]
    [TestCase("https://example.supabase.co/auth/v1", null, "Auth:Audience")]
    public async Task A_production_start_without_issuer_or_audience_exits_with_a_message(string? issuer, string? audience, string named)
    {
        var (exitCode, output) = await StartApiAsync("Production", LongEnoughKey, issuer, audience);

        Assert.That(exitCode, Is.Not.Zero);
        Assert.That(output, Does.Contain(named).And.Contain("refuses to start"));
    }

    [Test]
    public async Task A_production_start_without_a_key_encryption_key_exits_with_a_message()
    {
        var (exitCode, output) = await StartApiAsync("Production", LongEnoughKey, "https://example.supabase.co/auth/v1", "authenticated");

        Assert.That(exitCode, Is.Not.Zero);
        Assert.That(output, Does.Contain("refuses to start").And.Contain("DataProtection:CertificatePath must be set in Production"));
    }

    [Test]
    public async Task A_key_encryption_certificate_that_cannot_be_read_stops_any_start()
    {
        using var kek = new KeyEncryptionFiles();

        var (exitCode, output) = await StartApiAsync("Development", LongEnoughKey, null, null, extra: new()
        {
            ["DataProtection__CertificatePath"] = kek.PfxPath,
            ["DataProtection__CertificatePassword"] = "wrong",
        });

        Assert.That(exitCode, Is.Not.Zero);
        Assert.That(output, Does.Contain("refuses to start").And.Contain("DataProtection:CertificatePassword"));
    }

    [Test]
    public async Task A_production_start_with_everything_set_serves_and_stores_its_key_ring_encrypted()
    {
        await using var empty = await TestDatabase.CreateScratchAsync();
        using var kek = new KeyEncryptionFiles();

        var (_, output) = await StartApiAsync("Production", LongEnoughKey, "https://example.supabase.co/auth/v1", "authenticated", empty.ConnectionString,
            stopWhen: "Now listening on", extra: new()
            {
                ["DataProtection__CertificatePath"] = kek.PemCertificatePath,
                ["DataProtection__CertificateKeyPath"] = kek.PemKeyPath,
                ["DataProtection__CertificatePassword"] = KeyEncryptionFiles.Password,
            });

        Assert.That(output, Does.Contain("Now listening on").And.Not.Contain("fail:"), output);
        await using var connection = new NpgsqlConnection(empty.ConnectionString);
        await connection.OpenAsync();
        await using var read = new NpgsqlCommand("SELECT string_agg(xml, '') FROM paliad.data_protection_keys", connection);
        var ring = (string?)await read.ExecuteScalarAsync();
        Assert.That(ring, Does.Contain("<key ").And.Contain("EncryptedData").And.Not.Contain("requiresEncryption"));
    }

    [Test]
    public async Task A_signing_key_shorter_than_32_bytes_is_refused_in_any_environment()
    {
        var (exitCode, output) = await StartApiAsync("Development", "too-short", null, null);

        Assert.That(exitCode, Is.Not.Zero);
        Assert.That(output, Does.Contain("at least 32 bytes"));
    }

    [Test]
    public async Task A_start_with_neither_a_signing_key_nor_a_key_set_is_refused()
    {
        var (exitCode, output) = await StartApiAsync("Development", string.Empty, null, null);

        Assert.That(exitCode, Is.Not.Zero);
        Assert.That(output, Does.Contain("refuses to start").And.Contain("Auth:JwksUrl"));
    }

    [Test]
    public async Task A_production_key_set_fetched_over_plain_http_is_refused()
    {
        var (exitCode, output) = await StartApiAsync("Production", string.Empty, "https://example.supabase.co/auth/v1", "authenticated",
            extra: new() { ["Auth__JwksUrl"] = "http://example.supabase.co/auth/v1/.well-known/jwks.json" });

        Assert.That(exitCode, Is.Not.Zero);
        Assert.That(output, Does.Contain("Auth:JwksUrl must use https"));
    }

    [Test]
    public async Task An_oauth_provider_reached_over_plain_http_in_production_or_a_relative_public_address_is_refused()
    {
        var (exitCode, output) = await StartApiAsync("Production", LongEnoughKey, "https://example.supabase.co/auth/v1", "authenticated", extra: new()
        {
            ["CalDav__OAuth__Providers__google__TokenEndpoint"] = "http://oauth2.example/token",
            ["CalDav__OAuth__PublicBaseUrl"] = "paliad.firm.example",
            ["Api__PublicBaseUrl"] = "/paliad",
        });

        Assert.That(exitCode, Is.Not.Zero);
        Assert.That(output, Does.Contain("CalDav:OAuth:Providers:google:TokenEndpoint must use https in Production")
            .And.Contain("CalDav:OAuth:PublicBaseUrl must be an absolute URL")
            .And.Contain("Api:PublicBaseUrl must be an absolute URL"));
    }

    [Test]
    public async Task The_reference_is_not_served_unless_published()
    {
        await using var unpublished = new PaliadApiFactory(TestDatabase.ConnectionString, new Dictionary<string, string> { ["Api:PublishReference"] = "false" });
        using var client = unpublished.CreateClient();

        await ExpectAsync(client.GetAsync(new Uri("/openapi/v1.json", UriKind.Relative)), HttpStatusCode.NotFound);
        await ExpectAsync(client.GetAsync(new Uri("/scalar", UriKind.Relative)), HttpStatusCode.NotFound);
    }

    [Test]
    public async Task A_first_start_on_an_empty_database_logs_no_failure()
    {
        await using var empty = await TestDatabase.CreateScratchAsync();

        var (exitCode, output) = await StartApiAsync("Development", LongEnoughKey, null, null, empty.ConnectionString, stopWhen: "Now listening on");

        Assert.That(output, Does.Contain("Now listening on"), output);
        Assert.That(output, Does.Not.Contain("fail:"));
        Assert.That(exitCode, Is.Not.EqualTo(1));
    }

    private static Task<(int ExitCode, string Output)> StartApiAsync(
        string environment, string signingKey, string? issuer, string? audience, string? connectionString = null, string? stopWhen = null,
        Dictionary<string, string>? extra = null)
    {
        var environmentVariables = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = environment,
            ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
            ["ConnectionStrings__Paliad"] = connectionString ?? TestDatabase.ConnectionString,
            ["Sync__Enabled"] = "false",
            ["Auth__JwtSigningKey"] = signingKey,
            ["Auth__Issuer"] = issuer ?? string.Empty,
            ["Auth__Audience"] = audience ?? string.Empty,
        };
        foreach (var (key, value) in extra ?? [])
        {
            environmentVariables[key] = value;
        }

        return ApiExecutable.RunAsync([], environmentVariables, stopWhen);
    }
}
