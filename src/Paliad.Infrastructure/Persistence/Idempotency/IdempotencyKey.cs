namespace Paliad.Infrastructure.Persistence.Idempotency;

/// <summary>One (user, key) of the Idempotency-Key header: the first request's fingerprint, and once it finished, its
/// answer. Written and read with SQL by <see cref="IdempotencyStore"/>; mapped so migrations own the table.</summary>
public sealed class IdempotencyKey
{
    public const int KeyMaxLength = 255;
    public const int FingerprintLength = 64;

    private IdempotencyKey()
    {
        Key = string.Empty;
        Fingerprint = string.Empty;
    }

    public Guid UserId { get; private set; }

    public string Key { get; private set; }

    /// <summary>SHA-256 (hex) of the method, path, query and body of the first request.</summary>
    public string Fingerprint { get; private set; }

    public DateTimeOffset StartedAt { get; private set; }

    public DateTimeOffset? CompletedAt { get; private set; }

    public int? Status { get; private set; }

    public string? ContentType { get; private set; }

    public string? Location { get; private set; }

    public string? ETag { get; private set; }

    public byte[]? Body { get; private set; }
}
