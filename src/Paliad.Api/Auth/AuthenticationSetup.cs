using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Paliad.Api.Auth;

public static class AuthenticationSetup
{
    public static IServiceCollection AddPaliadAuthentication(this IServiceCollection services, IConfiguration configuration)
    {
        var options = AuthOptions.Read(configuration);
        var sharedSecret = options.SharedSecretOrNull();
        if (sharedSecret is null && !options.HasKeySet)
        {
            _ = options.SigningKey(); // throws, saying what to set
        }

        services.AddSingleton(options);
        services.AddSingleton<SigningKeySet>();
        services.AddHostedService<SigningKeyRefresher>();
        services.AddHttpClient(SigningKeySet.HttpClientName, http =>
        {
            http.Timeout = TimeSpan.FromSeconds(10);
            http.MaxResponseContentBufferSize = SigningKeySet.MaxKeySetBytes;
        }).ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, UseProxy = false });

        string[] algorithms =
        [
            .. sharedSecret is null ? Array.Empty<string>() : [SecurityAlgorithms.HmacSha256],
            .. options.HasKeySet ? [SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.RsaSha256] : Array.Empty<string>(),
        ];
        services
            .AddAuthentication(JwtBearerDefaults.AuthenticationScheme)
            .AddJwtBearer(jwt =>
            {
                jwt.MapInboundClaims = false;
                jwt.TokenValidationParameters = new TokenValidationParameters
                {
                    // Keys come only from the resolver, chosen by the token's alg and kid; nothing else is tried.
                    TryAllIssuerSigningKeys = false,
                    ValidAlgorithms = algorithms,
                    ValidateIssuerSigningKey = true,
                    ValidateIssuer = !string.IsNullOrEmpty(options.Issuer),
                    ValidIssuer = options.Issuer,
                    ValidateAudience = !string.IsNullOrEmpty(options.Audience),
                    ValidAudience = options.Audience,
                    ValidateLifetime = true,
                    RequireExpirationTime = true,
                    RequireSignedTokens = true,
                    ClockSkew = TimeSpan.FromSeconds(30),
                    NameClaimType = Claims.Email,
                };
                if (options.HasKeySet)
                {
                    // Only a key set can lack a token's key; with the shared secret alone nothing is read ahead.
                    jwt.Events = new JwtBearerEvents { OnMessageReceived = PrepareKeysAsync };
                }
            });
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<SigningKeySet>((jwt, keys) => jwt.TokenValidationParameters.IssuerSigningKeyResolver =
                (_, token, keyId, _) => keys.KeysFor(token, keyId, sharedSecret));
        services.AddAuthorization();
        return services;
    }

    /// <summary>Before the token is validated (the resolver cannot wait): a key id the key set does not hold yet may
    /// be a rotation, so the set is asked for again (rate-limited by <see cref="SigningKeySet"/>).</summary>
    private static async Task PrepareKeysAsync(MessageReceivedContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        var handler = new JsonWebTokenHandler();
        var token = header["Bearer ".Length..].Trim();
        if (!handler.CanReadToken(token))
        {
            return;
        }

        JsonWebToken parsed;
        try
        {
            parsed = handler.ReadJsonWebToken(token);
        }
        catch (ArgumentException)
        {
            return;
        }

        if (parsed.Alg is SecurityAlgorithms.EcdsaSha256 or SecurityAlgorithms.RsaSha256)
        {
            await context.HttpContext.RequestServices.GetRequiredService<SigningKeySet>().PrepareForAsync(parsed.Kid, context.HttpContext.RequestAborted);
        }
    }
}
