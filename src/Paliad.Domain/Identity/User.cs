using Paliad.Domain.Common;

namespace Paliad.Domain.Identity;

/// <summary>A lawyer (or anyone else) who signs in. Provisioned on the first authenticated request, with the
/// id taken from the token's <c>sub</c> claim.</summary>
public sealed class User : Entity
{
    public const int EmailMaxLength = 320;
    public const int DisplayNameMaxLength = 200;

    private User()
    {
        Email = string.Empty;
        DisplayName = string.Empty;
    }

    public Guid Id { get; private set; }

    public string Email { get; private set; }

    public string DisplayName { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public static User Provision(Guid id, string email, string? displayName, DateTimeOffset now)
    {
        if (id == Guid.Empty)
        {
            throw new DomainException(nameof(id), "A user needs an id.");
        }

        var normalizedEmail = NormalizeEmail(email);
        var user = new User
        {
            Id = id,
            Email = normalizedEmail,
            DisplayName = Guard.OptionalText(displayName, DisplayNameMaxLength, "displayName") ?? DefaultDisplayName(normalizedEmail),
            CreatedAt = Instant.Normalize(now),
        };
        user.Raise(new UserProvisioned(user.Id, user.Email));
        return user;
    }

    /// <summary>Users known only by id so far (shared with before their first sign-in) get an address here.</summary>
    public const string PlaceholderEmailDomain = "users.paliad.invalid";

    /// <summary>Creates the row for someone a project is shared with before they ever signed in; their first
    /// authenticated request fills in the e-mail from the token.</summary>
    public static User Invite(Guid id, DateTimeOffset now) => Provision(id, PlaceholderEmail(id), null, now);

    public static string PlaceholderEmail(Guid id) => $"{id:N}@{PlaceholderEmailDomain}";

    /// <summary>Keeps the e-mail in step with the identity provider's claim. Returns true when it changed.</summary>
    public bool ChangeEmail(string email)
    {
        var normalized = NormalizeEmail(email);
        if (normalized == Email)
        {
            return false;
        }

        var wasPlaceholder = Email == PlaceholderEmail(Id);
        Email = normalized;
        if (wasPlaceholder)
        {
            DisplayName = DefaultDisplayName(normalized);
        }

        return true;
    }

    /// <summary>Gives up the address to the user who now holds it (an identity re-created with a new id).</summary>
    public void ReleaseEmail() => Email = PlaceholderEmail(Id);

    /// <summary>The form e-mails are stored and compared in.</summary>
    public static string Normalize(string email) => email.Trim().ToLowerInvariant();

    public static bool IsValidEmail(string? email)
    {
        var trimmed = email?.Trim();
        if (string.IsNullOrEmpty(trimmed) || trimmed.Length > EmailMaxLength)
        {
            return false;
        }

        var at = trimmed.IndexOf('@', StringComparison.Ordinal);
        return at > 0 && at == trimmed.LastIndexOf('@') && at < trimmed.Length - 1 && !trimmed.Any(char.IsWhiteSpace);
    }

    private static string NormalizeEmail(string email)
        => IsValidEmail(email)
            ? email.Trim().ToLowerInvariant()
            : throw new DomainException(nameof(email), "'email' must be an e-mail address.");

    /// <summary>The address's local part, cut to the display name's limit (an address may be longer than a name).</summary>
    private static string DefaultDisplayName(string email) => TextLimits.Clip(email[..email.IndexOf('@', StringComparison.Ordinal)], DisplayNameMaxLength)!;
}

public sealed record UserProvisioned(Guid UserId, string Email) : IDomainEvent
{
    Guid IDomainEvent.Lane => UserId;
}
