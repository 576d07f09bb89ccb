using System.Security.Claims;
using Mediator;
using Paliad.Application.Identity.ProvisionUser;

namespace Paliad.Api.Auth;

/// <summary>Every authenticated API request makes sure the caller has a user row (DESIGN §3: provisioned on the
/// first authenticated request). A token whose sub is not a UUID is refused.</summary>
internal sealed class ProvisionCallerFilter(ISender sender) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var user = context.HttpContext.User;
        if (!user.TryUserId(out var userId))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "The token's sub claim must be a user id (UUID).");
        }

        await sender.Send(new ProvisionUser(userId, user.FindFirstValue(Claims.Email)), context.HttpContext.RequestAborted);
        return await next(context);
    }
}
