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

    /// <summary>Users' message lanes handled at once by one instance.</summary>
    public int MaxConcurrentHandlers { get; set; } = 4;

    /// <summary>Deadline of one message's handlers (each binding's hook also has CalDav:HookTimeoutSeconds).</summary>
    public int HandlerTimeoutSeconds { get; set; } = 120;
}
