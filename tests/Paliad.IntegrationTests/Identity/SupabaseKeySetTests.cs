using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;
using Paliad.Api.Auth;
using Paliad.IntegrationTests.Infrastructure;

namespace Paliad.IntegrationTests.Identity;

/// <summary>Supabase's asymmetric keys (Auth:JwksUrl): ES256 and RS256 tokens from the project's key set are accepted
/// beside the shared HS256 secret; rotation, made-up key ids, a provider outage and the classic forgeries. Each test
/// has a host of its own, so its key-set cache starts empty.</summary>
public sealed class SupabaseKeySetTests : ApiTest
{
    private const string Alice = "alice@firm.example";
    private KeySetServer _keys = null!;
    private PaliadApiFactory? _host;

    [SetUp]
    public async Task StartKeySetAsync()
    {
        _keys = await KeySetServer.StartAsync();
        _keys.NewEcKey("ec-1");
        _keys.NewRsaKey("rsa-1");
        _keys.Publish("ec-1", "rsa-1");
    }

    [TearDown]
    public async Task StopAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        await _keys.DisposeAsync();
    }

    private PaliadApiFactory Host(bool sharedSecret = true)
    {
        var settings = new Dictionary<string, string>
        {
            ["Auth:JwksUrl"] = _keys.Url.ToString(),
            ["Auth:Issuer"] = KeySetServer.Issuer,
            ["Auth:Audience"] = KeySetServer.Audience,
        };
        if (!sharedSecret)
        {
            settings["Auth:JwtSigningKey"] = string.Empty;
        }

        _host = new PaliadApiFactory(TestDatabase.ConnectionString, settings);
        _ = _host.Server;
        return _host;
    }

    private async Task<HttpStatusCode> MeAsync(string token)
    {
        using var client = _host!.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await client.GetAsync(new Uri("/api/me", UriKind.Relative));
        return response.StatusCode;
    }

    private static string SharedSecretToken(string email) => DevelopmentTokens.Mint(
        new AuthOptions { JwtSigningKey = PaliadApiFactory.SigningKey, Issuer = KeySetServer.Issuer, Audience = KeySetServer.Audience },
        email, null, TimeSpan.FromHours(1), DateTimeOffset.UtcNow);

    [Test]
    public async Task Es256_and_rs256_tokens_from_the_key_set_and_hs256_tokens_from_the_shared_secret_are_all_accepted()
    {
        Host();

        Assert.That(await MeAsync(_keys.TokenFor(Alice, "ec-1")), Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await MeAsync(_keys.TokenFor(Alice, "rsa-1")), Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await MeAsync(SharedSecretToken(Alice)), Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await ScalarAsync<long>("SELECT count(*) FROM paliad.users WHERE id = @id", ("id", UserIdOf(Alice))), Is.EqualTo(1));
    }

    [Test]
    public async Task With_only_a_key_set_configured_a_shared_secret_token_is_refused()
    {
        Host(sharedSecret: false);

        Assert.That(await MeAsync(_keys.TokenFor(Alice, "ec-1")), Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await MeAsync(SharedSecretToken(Alice)), Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task A_token_signed_with_a_newly_published_key_is_accepted_at_once_after_one_fetch()
    {
        Host();
        Assert.That(await MeAsync(_keys.TokenFor(Alice, "ec-1")), Is.EqualTo(HttpStatusCode.OK));
        var fetchesBefore = _keys.Fetches;

        _keys.NewEcKey("ec-2");
        _keys.Publish("ec-2", "ec-1");

        Assert.That(await MeAsync(_keys.TokenFor(Alice, "ec-2")), Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await MeAsync(_keys.TokenFor(Alice, "ec-2")), Is.EqualTo(HttpStatusCode.OK));
        Assert.That(_keys.Fetches, Is.EqualTo(fetchesBefore + 1), "one fetch for the new key id, none for the second token");
    }

    [Test]
    public async Task Made_up_key_ids_ask_the_provider_at_most_once_a_minute()
    {
        Host();
        Assert.That(await MeAsync(_keys.TokenFor(Alice, "ec-1")), Is.EqualTo(HttpStatusCode.OK));
        var fetchesBefore = _keys.Fetches;

        for (var i = 0; i < 6; i++)
        {
            Assert.That(await MeAsync(_keys.TokenFor(Alice, "ec-1", headerKeyId: $"made-up-{i}")), Is.EqualTo(HttpStatusCode.Unauthorized));
        }

        Assert.That(_keys.Fetches, Is.EqualTo(fetchesBefore + 1), "the first made-up kid asks once; the rest wait for the next minute");
    }

    [Test]
    public async Task While_the_provider_is_down_the_keys_fetched_earlier_stay_in_use()
    {
        Host();
        Assert.That(await MeAsync(_keys.TokenFor(Alice, "ec-1")), Is.EqualTo(HttpStatusCode.OK));

        _keys.Down = true;
        var keySet = _host!.Services.GetRequiredService<SigningKeySet>();
        var fetched = await keySet.RefreshAsync(CancellationToken.None);

        Assert.That(fetched, Is.False, "the provider answered 503");
        Assert.That(await MeAsync(_keys.TokenFor(Alice, "ec-1")), Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await MeAsync(_keys.TokenFor(Alice, "rsa-1")), Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await MeAsync(_keys.TokenFor(Alice, "ec-1", headerKeyId: "unknown")), Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(await MeAsync(_keys.TokenFor(Alice, "ec-1")), Is.EqualTo(HttpStatusCode.OK), "an unknown kid met during the outage drops nothing");
    }

    [Test]
    public async Task A_key_no_longer_published_is_dropped_at_the_next_fetch()
    {
        Host();
        Assert.That(await MeAsync(_keys.TokenFor(Alice, "rsa-1")), Is.EqualTo(HttpStatusCode.OK));

        _keys.Publish("ec-1");
        await _host!.Services.GetRequiredService<SigningKeySet>().RefreshAsync(CancellationToken.None);

        Assert.That(await MeAsync(_keys.TokenFor(Alice, "rsa-1")), Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(await MeAsync(_keys.TokenFor(Alice, "ec-1")), Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task An_unsigned_token_alg_none_is_refused()
    {
        Host();

        var unsigned = KeySetServer.Forge(Alice, new { alg = "none", typ = "JWT" }, _ => string.Empty);

        Assert.That(await MeAsync(unsigned), Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task An_hs256_token_whose_secret_is_the_published_public_key_is_refused()
    {
        Host();
        var publicKey = _keys.PublicJwk("rsa-1");

        // Algorithm confusion: the attacker knows the public key (it is published) and uses its bytes as an HMAC secret.
        foreach (var secret in new[] { Encoding.UTF8.GetBytes(System.Text.Json.JsonSerializer.Serialize(publicKey)), Base64UrlEncoder.DecodeBytes(publicKey["n"]) })
        {
            var forged = KeySetServer.Forge(Alice, new { alg = "HS256", typ = "JWT", kid = "rsa-1" },
                signed => Base64UrlEncoder.Encode(HMACSHA256.HashData(secret, signed)));

            Assert.That(await MeAsync(forged), Is.EqualTo(HttpStatusCode.Unauthorized));
        }
    }

    [Test]
    public async Task A_token_whose_alg_does_not_fit_the_type_of_its_key_is_refused()
    {
        Host();

        // Signed with the EC key but naming the RSA key's id, and the other way round.
        Assert.That(await MeAsync(_keys.TokenFor(Alice, "ec-1", headerKeyId: "rsa-1")), Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(await MeAsync(_keys.TokenFor(Alice, "rsa-1", headerKeyId: "ec-1")), Is.EqualTo(HttpStatusCode.Unauthorized));

        // An RSA key used for a PS256 token: an algorithm Paliad does not take.
        Assert.That(await MeAsync(_keys.TokenFor(Alice, "rsa-1", algorithm: SecurityAlgorithms.RsaSsaPssSha256)), Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task A_token_signed_by_a_key_the_set_does_not_hold_is_refused()
    {
        Host();
        _keys.NewEcKey("ec-unpublished");

        Assert.That(await MeAsync(_keys.TokenFor(Alice, "ec-unpublished")), Is.EqualTo(HttpStatusCode.Unauthorized));

        // Naming a published kid does not help a key that is not the published one.
        Assert.That(await MeAsync(_keys.TokenFor(Alice, "ec-unpublished", headerKeyId: "ec-1")), Is.EqualTo(HttpStatusCode.Unauthorized));
    }
}
