using Paliad.Domain.CalDav;
using Paliad.Domain.Common;

namespace Paliad.Domain.Feeds;

/// <summary>
/// A read-only iCalendar feed of a scope at a secret URL (DESIGN §12), for clients that speak no CalDAV (Outlook on
/// Microsoft 365 above all): the same scopes as a calendar binding, evaluated as its owner sees them when it is fetched.
/// The secret is never stored, only its hash; rotating replaces it, deleting revokes it.
/// </summary>
public sealed class CalendarFeed : Entity
{
    public const int DisplayNameMaxLength = CalendarBinding.DisplayNameMaxLength;

    /// <summary>SHA-256, hex.</summary>
    public const int SecretHashLength = 64;

    /// <summary>An ETag as the feed answers it (a quoted hex digest).</summary>
    public const int ContentVersionMaxLength = 64;

    /// <summary>A fetch is recorded at most this often (a feed polled every few minutes writes no row each time).</summary>
    public static readonly TimeSpan FetchRecordInterval = TimeSpan.FromMinutes(1);

    private CalendarFeed()
    {
        DisplayName = string.Empty;
        SecretHash = string.Empty;
    }

    public Guid Id { get; private set; }

    public Guid UserId { get; private set; }

    public string DisplayName { get; private set; }

    public BindingScope Scope { get; private set; }

    public Guid? ScopeId { get; private set; }

    public string SecretHash { get; private set; }

    /// <summary>The row's version as the database keeps it (PostgreSQL's <c>xmin</c>): it changes with every write of
    /// the row, whoever makes it (a person, the sync engine). Read-only here; the API's ETag is made from it.</summary>
    public uint RowVersion { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset UpdatedAt { get; private set; }

    public DateTimeOffset? LastFetchedAt { get; private set; }

    /// <summary>The version (ETag) of what the feed said when last fetched, and since when it says that: its
    /// Last-Modified, kept in the database so every instance answers If-Modified-Since alike. A version's time is
    /// always later than the one before (an appointment leaving the scope changes no updated_at, but the version).</summary>
    public string? ContentVersion { get; private set; }

    public DateTimeOffset? ContentChangedAt { get; private set; }

    public static CalendarFeed Create(Guid userId, string displayName, BindingScope scope, Guid? scopeId, string secretHash, DateTimeOffset now)
    {
        CalendarBinding.EnsureScope(scope, scopeId);
        return new CalendarFeed
        {
            Id = Guid.CreateVersion7(),
            UserId = userId,
            DisplayName = Guard.RequiredText(displayName, DisplayNameMaxLength, nameof(displayName)),
            Scope = scope,
            ScopeId = scopeId,
            SecretHash = ValidHash(secretHash),
            CreatedAt = Instant.Normalize(now),
            UpdatedAt = Instant.Normalize(now),
        };
    }

    public void Rename(string displayName, DateTimeOffset now)
    {
        DisplayName = Guard.RequiredText(displayName, DisplayNameMaxLength, nameof(displayName));
        UpdatedAt = Instant.Normalize(now);
    }

    public void ChangeScope(BindingScope scope, Guid? scopeId, DateTimeOffset now)
    {
        CalendarBinding.EnsureScope(scope, scopeId);
        Scope = scope;
        ScopeId = scopeId;
        UpdatedAt = Instant.Normalize(now);
    }

    /// <summary>A new secret: the old URL is dead from now on.</summary>
    public void Rotate(string secretHash, DateTimeOffset now)
    {
        SecretHash = ValidHash(secretHash);
        UpdatedAt = Instant.Normalize(now);
    }

    /// <summary>Whether a fetch at <paramref name="now"/> is worth recording (the last one is more than a minute old).</summary>
    public bool FetchIsWorthRecording(DateTimeOffset now) => FetchIsWorthRecording(LastFetchedAt, now);

    /// <summary>Whether a fetch at <paramref name="now"/> is worth recording after one recorded at
    /// <paramref name="lastFetchedAt"/> (never, or at least <see cref="FetchRecordInterval"/> ago).</summary>
    public static bool FetchIsWorthRecording(DateTimeOffset? lastFetchedAt, DateTimeOffset now)
        => lastFetchedAt is not { } last || now - last >= FetchRecordInterval;

    private static string ValidHash(string secretHash)
        => secretHash is { Length: SecretHashLength } && secretHash.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f')
            ? secretHash
            : throw new DomainException("secret", "A feed's secret is stored as its SHA-256 in hex.");
}
