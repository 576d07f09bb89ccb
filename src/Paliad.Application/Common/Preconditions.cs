using Microsoft.EntityFrameworkCore.Storage;

namespace Paliad.Application.Common;

/// <summary>Strong entity tags (RFC 9110 §8.8.3) of the resources a consumer may change: made from the row's version,
/// so they change with every change of what the API shows.</summary>
public static class ETags
{
    public static string Of(long version) => $"\"{version}\"";

    /// <summary>A tag for a representation that is the row plus something of the caller's (a project's role).</summary>
    public static string Of(long version, string qualifier) => $"\"{version}-{qualifier}\"";

    /// <summary>Whether an <c>If-None-Match</c> (<c>*</c> or a list of tags) names this tag, compared weakly (§13.1.2: a
    /// proxy that compressed an answer may have weakened its tag).</summary>
    public static bool NoneMatch(string? header, string etag)
        => header is not null && header.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Any(tag => tag == "*" || (tag.StartsWith("W/", StringComparison.Ordinal) ? tag[2..] : tag) == etag);
}

/// <summary>A representation with an entity tag: the API sends it as <c>ETag</c> and answers <c>If-None-Match</c> with 304.</summary>
public interface IHasETag
{
    string Etag { get; }
}

/// <summary>The <c>If-Match</c> a write carried (RFC 9110 §13.1.1): <c>*</c> or a list of entity tags, compared
/// strongly (a weak tag never matches). A write whose precondition fails changes nothing and answers 412.</summary>
public sealed record IfMatch
{
    private readonly string[] _tags;

    private IfMatch(string[] tags) => _tags = tags;

    /// <summary>The header's value, or null when the request carried none (the write is unconditional).</summary>
    public static IfMatch? From(string? header)
    {
        if (string.IsNullOrWhiteSpace(header))
        {
            return null;
        }

        return new IfMatch(header.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    /// <summary>Whether the resource's current tag (null: the resource does not exist) satisfies the precondition.</summary>
    public bool IsMetBy(string? currentETag)
        => currentETag is not null && _tags.Any(tag => tag == "*" || (tag == currentETag && !tag.StartsWith("W/", StringComparison.Ordinal)));

    public override string ToString() => string.Join(", ", _tags);
}

/// <summary>A write's <c>If-Match</c> did not match: nothing changed. Carries the current tag (null when the resource no
/// longer exists) and, where useful, the current representation, so the client can merge without another GET.</summary>
public sealed class PreconditionFailedException(string? currentETag, object? current = null)
    : Exception("The resource changed since you read it: read it again (its current ETag is in this answer) and apply your change to that.")
{
    public string? CurrentETag { get; } = currentETag;

    public object? Current { get; } = current;
}

public static class Preconditions
{
    /// <summary>When the write is conditional, a transaction with the resource's row locked until it ends (see
    /// <see cref="IPaliadDbContext.BeginRowLockAsync{TEntity}"/>); null for an unconditional write, which behaves as
    /// before.</summary>
    public static async Task<IDbContextTransaction?> LockIfConditionalAsync<TEntity>(
        this IPaliadDbContext db, IfMatch? ifMatch, object key, CancellationToken cancellationToken)
        where TEntity : class
        => ifMatch is null ? null : await db.BeginRowLockAsync<TEntity>(key, cancellationToken);

    /// <summary>Throws <see cref="PreconditionFailedException"/> unless the request carried no precondition or the
    /// resource's current tag meets it.</summary>
    public static void Require(this IfMatch? ifMatch, string? currentETag, Func<object?>? current = null)
    {
        if (ifMatch is not null && !ifMatch.IsMetBy(currentETag))
        {
            throw new PreconditionFailedException(currentETag, current?.Invoke());
        }
    }

    /// <summary>Commits the lock's transaction, if the write took one.</summary>
    public static async Task CommitIfAnyAsync(this IDbContextTransaction? transaction, CancellationToken cancellationToken)
    {
        if (transaction is not null)
        {
            await transaction.CommitAsync(cancellationToken);
        }
    }
}
