using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Paliad.IntegrationTests.Identity;

/// <summary>A sign-in provider's key set, as Supabase publishes it at /auth/v1/.well-known/jwks.json: the public
/// halves of the signing keys it holds, served over real HTTP; it can rotate, go down, and count its fetches. It also
/// signs tokens with the private halves, as the provider would.</summary>
public sealed class KeySetServer : IAsyncDisposable
{
    public const string Issuer = "https://project.supabase.example/auth/v1";
    public const string Audience = "authenticated";

    private readonly WebApplication _app;
    private readonly Dictionary<string, SecurityKey> _signing = new(StringComparer.Ordinal);
    private volatile string _published = """{"keys":[]}""";
    private int _fetches;

    private KeySetServer(WebApplication app) => _app = app;

    public Uri Url { get; private set; } = null!;

    public int Fetches => Volatile.Read(ref _fetches);

    /// <summary>When true, the key set answers 503 (the provider is down).</summary>
    public bool Down { get; set; }

    public static async Task<KeySetServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new KeySetServer(app);
        app.MapGet("/auth/v1/.well-known/jwks.json", (HttpContext context) =>
        {
            Interlocked.Increment(ref server._fetches);
            return server.Down
                ? Results.StatusCode(StatusCodes.Status503ServiceUnavailable)
                : Results.Text(server._published, "application/json", Encoding.UTF8);
        });
        await app.StartAsync();
        server.Url = new Uri(app.Urls.First().TrimEnd('/') + "/auth/v1/.well-known/jwks.json");
        return server;
    }

    /// <summary>A new ES256 (P-256) signing key, held privately; published only by <see cref="Publish"/>.</summary>
    public string NewEcKey(string keyId)
    {
        _signing[keyId] = new ECDsaSecurityKey(ECDsa.Create(ECCurve.NamedCurves.nistP256)) { KeyId = keyId };
        return keyId;
    }

    /// <summary>A new RS256 (2048-bit) signing key, held privately; published only by <see cref="Publish"/>.</summary>
    public string NewRsaKey(string keyId)
    {
        _signing[keyId] = new RsaSecurityKey(RSA.Create(2048)) { KeyId = keyId };
        return keyId;
    }

    /// <summary>The key set now holds the public halves of exactly these keys (a rotation publishes the new one and
    /// later drops the old one).</summary>
    public void Publish(params string[] keyIds)
    {
        var keys = keyIds.Select(id => PublicJwk(id)).ToList();
        _published = JsonSerializer.Serialize(new { keys });
    }

    /// <summary>The public half of a key as a JWK (what the key set carries), as a JSON object.</summary>
    public Dictionary<string, string> PublicJwk(string keyId)
    {
        var jwk = _signing[keyId] switch
        {
            ECDsaSecurityKey ec => JsonWebKeyConverter.ConvertFromECDsaSecurityKey(new ECDsaSecurityKey(ECDsa.Create(ec.ECDsa.ExportParameters(false))) { KeyId = keyId }),
            RsaSecurityKey rsa => JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(rsa.Rsa.ExportParameters(false)) { KeyId = keyId }),
            _ => throw new InvalidOperationException(keyId),
        };
        var fields = new Dictionary<string, string> { ["kty"] = jwk.Kty, ["kid"] = keyId, ["use"] = "sig" };
        if (jwk.Kty == JsonWebAlgorithmsKeyTypes.EllipticCurve)
        {
            fields["crv"] = jwk.Crv;
            fields["x"] = jwk.X;
            fields["y"] = jwk.Y;
            fields["alg"] = SecurityAlgorithms.EcdsaSha256;
        }
        else
        {
            fields["n"] = jwk.N;
            fields["e"] = jwk.E;
            fields["alg"] = SecurityAlgorithms.RsaSha256;
        }

        return fields;
    }

    /// <summary>A Supabase-shaped access token for the user, signed with the key (ES256 for EC keys, RS256 for RSA),
    /// its header naming <paramref name="headerKeyId"/> (the key's own id unless a test lies about it).</summary>
    public string TokenFor(string email, string keyId, string? headerKeyId = null, string? algorithm = null)
    {
        var key = _signing[keyId];
        var signingKey = key switch
        {
            ECDsaSecurityKey ec => new ECDsaSecurityKey(ec.ECDsa) { KeyId = headerKeyId ?? keyId },
            RsaSecurityKey rsa => (SecurityKey)new RsaSecurityKey(rsa.Rsa) { KeyId = headerKeyId ?? keyId },
            _ => throw new InvalidOperationException(keyId),
        };
        algorithm ??= key is ECDsaSecurityKey ? SecurityAlgorithms.EcdsaSha256 : SecurityAlgorithms.RsaSha256;
        return new JsonWebTokenHandler().CreateToken(Descriptor(email, new SigningCredentials(signingKey, algorithm)));
    }

    /// <summary>A token the way an attacker makes one: the given header and the user's claims, signed (or not) by
    /// <paramref name="sign"/> over "header.payload".</summary>
    public static string Forge(string email, object header, Func<byte[], string> sign)
    {
        var now = DateTimeOffset.UtcNow;
        var payload = new Dictionary<string, object>
        {
            ["sub"] = Paliad.Api.Auth.DevelopmentTokens.UserIdFor(email).ToString(),
            ["email"] = email,
            ["iss"] = Issuer,
            ["aud"] = Audience,
            ["iat"] = now.ToUnixTimeSeconds(),
            ["exp"] = now.AddHours(1).ToUnixTimeSeconds(),
        };
        var signed = Base64UrlEncoder.Encode(JsonSerializer.Serialize(header)) + "." + Base64UrlEncoder.Encode(JsonSerializer.Serialize(payload));
        return signed + "." + sign(Encoding.ASCII.GetBytes(signed));
    }

    private static SecurityTokenDescriptor Descriptor(string email, SigningCredentials credentials) => new()
    {
        Issuer = Issuer,
        Audience = Audience,
        Expires = DateTime.UtcNow.AddHours(1),
        IssuedAt = DateTime.UtcNow,
        Claims = new Dictionary<string, object>
        {
            ["sub"] = Paliad.Api.Auth.DevelopmentTokens.UserIdFor(email).ToString(),
            ["email"] = email,
            ["role"] = "authenticated",
        },
        SigningCredentials = credentials,
    };

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        foreach (var key in _signing.Values)
        {
            (key as ECDsaSecurityKey)?.ECDsa.Dispose();
            (key as RsaSecurityKey)?.Rsa.Dispose();
        }
    }
}
