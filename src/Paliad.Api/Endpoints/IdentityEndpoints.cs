using System.Security.Claims;
using Mediator;
using Paliad.Api.Auth;
using Paliad.Application.Identity;
using Paliad.Application.Identity.GetMe;

namespace Paliad.Api.Endpoints;

internal static class IdentityEndpoints
{
    public static RouteGroupBuilder MapIdentityEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/me", async Task<UserDto> (ClaimsPrincipal user, ISender sender, CancellationToken ct)
                => await sender.Send(new GetMe(user.UserId()), ct))
            .WithName("GetMe").WithTags("Identity").WithSummary("The signed-in user.");
        return api;
    }
}
