using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Tokens;

namespace Paliad.Api.Auth;

public static class AuthenticationSetup
{
    public static IServiceCollection AddPaliadAuthentication(this IServiceCollection services, IConfiguration configuration)
    {
        var options = AuthOptions.Read(configuration);
        var signingKey = options.SigningKey();
        services.AddSingleton(options);
        services
            .AddAuthentication(JwtBearerDefaults.AuthenticationScheme)
            .AddJwtBearer(jwt =>
            {
                jwt.MapInboundClaims = false;
                jwt.TokenValidationParameters = new TokenValidationParameters
                {
                    IssuerSigningKey = signingKey,
                    ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
                    ValidateIssuerSigningKey = true,
                    ValidateIssuer = !string.IsNullOrEmpty(options.Issuer),
                    ValidIssuer = options.Issuer,
                    ValidateAudience = !string.IsNullOrEmpty(options.Audience),
                    ValidAudience = options.Audience,
                    ValidateLifetime = true,
                    RequireExpirationTime = true,
                    ClockSkew = TimeSpan.FromSeconds(30),
                    NameClaimType = Claims.Email,
                };
            });
        services.AddAuthorization();
        return services;
    }
}
