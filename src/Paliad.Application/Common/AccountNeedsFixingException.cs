namespace Paliad.Application.Common;

/// <summary>A handler failed only because one user's account is unusable (refused credentials, an address or origin
/// the guard refuses): retrying is pointless until that account's URL, username or password changes. The outbox parks
/// an event that never gives up (<see cref="Domain.Common.RetryClass.NeverGivesUp"/>) for that user instead of
/// retrying it.</summary>
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
