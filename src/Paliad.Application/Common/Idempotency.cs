namespace Paliad.Application.Common;

/// <summary>Configuration section "Api": how long the first answer to a creating request is kept per idempotency key.</summary>
public sealed class IdempotencyOptions
{
    public const string Section = "Api";

    /// <summary>Hours an answer is kept for its (user, key) (the IETF Idempotency-Key draft's expiry); a key older than
    /// this is new again, and the sweep removes it.</summary>
    public int IdempotencyHours { get; set; } = 24;
}

/// <summary>The answer that is repeated for a retry: status, the headers a client acts on, and the body.</summary>
public sealed record KeptAnswer(int Status, string? ContentType, string? Location, string? ETag, byte[] Body);

public enum IdempotencyClaimKind
{
    /// <summary>The key is new: this request runs, and its answer is kept.</summary>
    Claimed,

    /// <summary>The key's first request finished: its answer is repeated.</summary>
    Replay,

    /// <summary>The key was used for another request (another body, path or method): 422.</summary>
    Mismatch,

    /// <summary>The key's first request has not finished yet: 409.</summary>
    InProgress,

    /// <summary>The key's first request finished, but its kept answer can no longer be decrypted (its key was
    /// removed): 409, and the client checks whether it took effect.</summary>
    AnswerUnreadable,
}

public sealed record IdempotencyClaim(IdempotencyClaimKind Kind, KeptAnswer? Answer = null);

/// <summary>Idempotency keys (IETF draft "The Idempotency-Key HTTP Header Field") kept in the database, so every
/// instance agrees: the first request with a key claims it atomically, a retry gets the kept answer.</summary>
public interface IIdempotencyStore
{
    /// <summary>Claims (user, key) for a request with this fingerprint, or says what became of its first use.</summary>
    Task<IdempotencyClaim> ClaimAsync(Guid userId, string key, string fingerprint, CancellationToken cancellationToken);

    /// <summary>Keeps the claimed request's answer for its retries.</summary>
    Task KeepAsync(Guid userId, string key, KeptAnswer answer, CancellationToken cancellationToken);

    /// <summary>Lets the key go (the request failed, so it changed nothing), so a retry runs again.</summary>
    Task ReleaseAsync(Guid userId, string key, CancellationToken cancellationToken);

    /// <summary>Removes keys older than <see cref="IdempotencyOptions.IdempotencyHours"/>; returns how many.</summary>
    Task<int> SweepAsync(CancellationToken cancellationToken);
}
