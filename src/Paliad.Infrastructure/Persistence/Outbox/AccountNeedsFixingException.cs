namespace Paliad.Infrastructure.Persistence.Outbox;

/// <summary>A handler failed only because one user's account is unusable (refused credentials, an address or origin
/// the guard refuses): retrying is pointless until that account's URL, username or password changes. A removal that
/// fails with this is parked for that user.</summary>
public sealed class AccountNeedsFixingException : Exception
{
    public AccountNeedsFixingException(Guid userId, string message)
        : base(message)
    {
        UserId = userId;
    }

    public AccountNeedsFixingException()
    {
    }

    public AccountNeedsFixingException(string message)
        : base(message)
    {
    }

    public AccountNeedsFixingException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public Guid UserId { get; }
}
