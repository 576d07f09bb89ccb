using System.Security.Claims;
using Mediator;
using Paliad.Api.Auth;
using Paliad.Api.Protection;
using Paliad.Application.CalDav.OAuth.CompleteOAuthConnect;
using Paliad.Application.CalDav.OAuth.ListOAuthProviders;
using Paliad.Application.CalDav.OAuth.StartOAuthConnect;

namespace Paliad.Api.Endpoints;

/// <summary>Connecting a CalDAV account through an OAuth 2.0 provider (DESIGN §11): the providers, the start (the
/// page navigates to the consent URL it answers) and the provider's redirect back.</summary>
internal static class CalDavOAuthEndpoints
{
    public static RouteGroupBuilder MapCalDavOAuthEndpoints(this RouteGroupBuilder api)
    {
        var oauth = api.MapGroup("/caldav-oauth").WithTags("CalDAV account");

        oauth.MapGet("/providers", async Task<IReadOnlyList<OAuthProviderDto>> (ISender sender, CancellationToken ct)
                => await sender.Send(new ListOAuthProviders(), ct))
            .WithSummary("The OAuth 2.0 providers you may connect a calendar account through (Google, …).");

        oauth.MapPost("/{provider}/start", async Task<OAuthStartDto> (
                    string provider, ClaimsPrincipal user, HttpRequest request, IConfiguration configuration, ISender sender, CancellationToken ct)
                => await sender.Send(new StartOAuthConnect(user.UserId(), provider, CallbackUri(request, configuration, provider)), ct))
            .RequireRateLimiting(ApiProtection.WritePolicy)
            .WithSummary("Start connecting through the provider: navigate to the authorizationUrl it answers (valid for 10 minutes, once).");
        return api;
    }

    /// <summary>The provider's redirect back: no bearer (a navigation from the provider carries none); the state says
    /// whose account it is. Always a redirect to the page, which reads the outcome from its fragment.</summary>
    public static IEndpointRouteBuilder MapCalDavOAuthCallback(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/caldav-oauth/{provider}/callback", async Task<IResult> (
                    string provider, string? code, string? state, string? error, ISender sender, CancellationToken ct) =>
                {
                    var outcome = await sender.Send(new CompleteOAuthConnect(provider, code, state, error), ct);
                    return Results.Redirect(outcome.Connected ? "/#caldav=connected" : $"/#caldav=failed&reason={Uri.EscapeDataString(outcome.Reason ?? "failed")}");
                })
            .AllowAnonymous()
            .WithTags("CalDAV account")
            .WithSummary("Where the provider sends the person back (?code=&state=, or ?error=): 302 to /#caldav=connected or /#caldav=failed&reason=….");
        return app;
    }

    /// <summary>Where the provider sends the person back, at Paliad's public address (<see cref="PublicOrigin"/>).
    /// (A wrong Host only produces a redirect URI the provider does not know, which it refuses.)</summary>
    private static Uri CallbackUri(HttpRequest request, IConfiguration configuration, string provider)
        => new($"{PublicOrigin.Of(request, configuration)}/api/caldav-oauth/{Uri.EscapeDataString(provider.ToLowerInvariant())}/callback");
}
