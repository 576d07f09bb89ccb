using System.Security.Claims;

namespace Paliad.Api.Auth;

public static class Claims
{
    public const string Subject = "sub";
    public const string Email = "email";

    /// <summary>The caller's user id (the token's <c>sub</c>); the provisioning filter has already checked it is a UUID.</summary>
    public static Guid UserId(this ClaimsPrincipal user)
        => TryUserId(user, out var id) ? id : throw new InvalidOperationException("The token's sub is not a user id.");

    public static bool TryUserId(this ClaimsPrincipal user, out Guid id)
        => Guid.TryParse(user.FindFirstValue(Subject), out id) && id != Guid.Empty;
}
