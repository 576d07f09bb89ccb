using Paliad.Domain.Identity;

namespace Paliad.Application.Identity;

public sealed record UserDto(Guid Id, string Email, string DisplayName, DateTimeOffset CreatedAt)
{
    public static UserDto From(User user) => new(user.Id, user.Email, user.DisplayName, user.CreatedAt);
}
