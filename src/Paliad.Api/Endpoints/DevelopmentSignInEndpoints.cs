using Microsoft.AspNetCore.Http.HttpResults;
using Paliad.Api.Auth;
using Paliad.Domain.Identity;

namespace Paliad.Api.Endpoints;

/// <summary>
/// "Sign in as" for the settings page under <c>./paliad run</c>: mints a development token (as <c>./paliad token</c>
/// does) for any e-mail. Mapped only when ASPNETCORE_ENVIRONMENT=Development — in any other environment these
/// routes do not exist (404), and a token comes from the identity provider.
/// </summary>
internal static class DevelopmentSignInEndpoints
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromHours(8);

    public sealed record SignInRequest(string? Email);

    public sealed record SignedIn(string AccessToken, string TokenType, int ExpiresIn, Guid UserId, string Email);

    public static WebApplication MapDevelopmentSignIn(this WebApplication app)
    {
        var group = app.MapGroup("/dev/sign-in").WithTags("Development").AllowAnonymous().ExcludeFromDescription();
        group.MapGet("/", () => TypedResults.Ok(new { available = true }))
            .WithSummary("Answers 200 where the development sign-in exists (Development only).");
        group.MapPost("/", Results<Ok<SignedIn>, ValidationProblem> (SignInRequest request, IConfiguration configuration, TimeProvider clock) =>
            {
                var email = request.Email?.Trim();
                if (email is null || !User.IsValidEmail(email))
                {
                    return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["email"] = ["'email' must be an e-mail address."] });
                }

                var options = AuthOptions.Read(configuration);
                var userId = DevelopmentTokens.UserIdFor(email);
                var token = DevelopmentTokens.Mint(options, email, userId, Lifetime, clock.GetUtcNow());
                return TypedResults.Ok(new SignedIn(token, "bearer", (int)Lifetime.TotalSeconds, userId, email));
            })
            .WithSummary("Mints a development token for an e-mail (Development only).");
        return app;
    }
}
