using System.Net;
using Paliad.IntegrationTests.Infrastructure;

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
    public async Task A_signing_key_shorter_than_32_bytes_is_refused_in_any_environment()
    {
        var (exitCode, output) = await StartApiAsync("Development", "too-short", null, null);

        Assert.That(exitCode, Is.Not.Zero);
        Assert.That(output, Does.Contain("at least 32 bytes"));
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
        string environment, string signingKey, string? issuer, string? audience, string? connectionString = null, string? stopWhen = null)
        => ApiExecutable.RunAsync([], new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = environment,
            ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
            ["ConnectionStrings__Paliad"] = connectionString ?? TestDatabase.ConnectionString,
            ["Sync__Enabled"] = "false",
            ["Auth__JwtSigningKey"] = signingKey,
            ["Auth__Issuer"] = issuer ?? string.Empty,
            ["Auth__Audience"] = audience ?? string.Empty,
        }, stopWhen);
}
