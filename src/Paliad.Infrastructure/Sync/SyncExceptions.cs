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
