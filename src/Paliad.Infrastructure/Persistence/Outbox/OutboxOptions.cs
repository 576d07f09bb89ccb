namespace Paliad.Infrastructure.Persistence.Outbox;

/// <summary>Configuration section "Outbox".</summary>
public sealed class OutboxOptions
{
    public const string Section = "Outbox";

    public int BatchSize { get; set; } = 20;

    public double PollSeconds { get; set; } = 2;

    public int MaxAttempts { get; set; } = 12;

    public double RetryBaseDelaySeconds { get; set; } = 2;

    public double RetryMaxDelaySeconds { get; set; } = 600;

    public int LeaseSeconds { get; set; } = 300;

    /// <summary>Users' message lanes handled at once by one instance (each lane has at most one message in flight, so
    /// a user whose server never answers holds one of these, never all).</summary>
    public int MaxConcurrentHandlers { get; set; } = 8;

    /// <summary>Deadline of one message's handlers (each binding's hook also has CalDav:HookTimeoutSeconds): a lane's time
    /// budget, since a lane runs one message at a time; past it the message is a failed attempt and backs off.</summary>
    public int HandlerTimeoutSeconds { get; set; } = 120;
}
