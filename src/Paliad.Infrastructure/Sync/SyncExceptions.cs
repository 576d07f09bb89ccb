namespace Paliad.Infrastructure.Sync;

/// <summary>The binding's lease expired and was taken by another claimer: this one stops at once.</summary>
public sealed class LeaseLostException : Exception
{
    public LeaseLostException()
        : base("The lease on the binding was lost.")
    {
    }

    public LeaseLostException(string message)
        : base(message)
    {
    }

    public LeaseLostException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>A hook could not finish every binding now (busy, server trouble); the outbox retries it with backoff.</summary>
public sealed class SyncBusyException : Exception
{
    public SyncBusyException(string message)
        : base(message)
    {
    }

    public SyncBusyException()
    {
    }

    public SyncBusyException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>A hook failed only because a user's account is unusable (401/403, an address or origin the guard
/// refuses): retrying is pointless until that account's credentials or URL change.</summary>
public sealed class SyncNeedsAccountException : Exception
{
    public SyncNeedsAccountException(Guid userId, string message)
        : base(message)
    {
        UserId = userId;
    }

    public SyncNeedsAccountException()
    {
    }

    public SyncNeedsAccountException(string message)
        : base(message)
    {
    }

    public SyncNeedsAccountException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public Guid UserId { get; }
}
