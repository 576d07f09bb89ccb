using Paliad.Infrastructure.CalDav;

namespace Paliad.Infrastructure.Sync;

/// <summary>
/// The engine's port to one calendar collection on one account: what the push, pull and removal phases may ask of a
/// server, and nothing else. Implemented over CalDAV by <see cref="CalDavCalendar"/>; in tests by an in-memory
/// calendar with the same ETag, sync-token and precondition semantics. Failures are <see cref="CalDavException"/>s:
/// a precondition that fails is a <see cref="CalDavConflictException"/>, a missing calendar a
/// <see cref="CalDavNotFoundException"/> (or, from Cyrus, a <see cref="CalDavForbiddenException"/>).
/// </summary>
internal interface IRemoteCalendar
{
    /// <summary>The collection's path on the server.</summary>
    string Path { get; }

    /// <summary>The collection's change markers (only those asked for) and whether it offers sync-collection.</summary>
    Task<CollectionState> GetStateAsync(ChangeMarkers markers, CancellationToken cancellationToken);

    /// <summary>What changed since <paramref name="syncToken"/> (RFC 6578); a refused token answers a full listing
    /// with <see cref="SyncCollectionResult.WasReset"/>.</summary>
    Task<SyncCollectionResult> ChangesSinceAsync(string syncToken, CancellationToken cancellationToken);

    /// <summary>Every event's ETag, by href key.</summary>
    Task<IReadOnlyDictionary<string, string?>> ListEtagsAsync(CancellationToken cancellationToken);

    /// <summary>The events at these hrefs, by href key; every href is found or explicitly deleted (one the server left
    /// out is fetched alone).</summary>
    Task<MultigetResult> MultigetAsync(IReadOnlyCollection<string> hrefs, CancellationToken cancellationToken);

    /// <summary>One event; null when it is not there.</summary>
    Task<RemoteResource?> GetAsync(string href, CancellationToken cancellationToken);

    /// <summary>One event's ETag; null when it is not there.</summary>
    Task<string?> GetEtagAsync(string href, CancellationToken cancellationToken);

    /// <summary>Writes a new event, only if none is at <paramref name="href"/> (If-None-Match: *); its new ETag.</summary>
    Task<string?> CreateAsync(string href, string iCalendar, CancellationToken cancellationToken);

    /// <summary>Writes over the event, only if its ETag is still <paramref name="etag"/> (If-Match); its new ETag.</summary>
    Task<string?> UpdateAsync(string href, string iCalendar, string etag, CancellationToken cancellationToken);

    /// <summary>Deletes the event, only if its ETag is still <paramref name="etag"/> when one is given; one already
    /// gone counts as deleted.</summary>
    Task DeleteAsync(string href, string? etag, CancellationToken cancellationToken);

    /// <summary>Creates the collection, named <paramref name="displayName"/>, unless it is there already.</summary>
    Task EnsureExistsAsync(string displayName, CancellationToken cancellationToken);

    /// <summary>Puts the requests until the returned scope ends under one byte budget for what the server answers.</summary>
    IDisposable BeginOperation(string name);
}
