using Paliad.Infrastructure.CalDav;

namespace Paliad.Infrastructure.Sync;

/// <summary>The remote-calendar port over CalDAV: one collection of the account <paramref name="client"/> talks to.</summary>
internal sealed class CalDavCalendar(CalDavClient client, string path) : IRemoteCalendar
{
    public string Path => path;

    public Task<CollectionState> GetStateAsync(ChangeMarkers markers, CancellationToken cancellationToken)
        => client.GetCollectionStateAsync(path, markers, cancellationToken);

    public Task<SyncCollectionResult> ChangesSinceAsync(string syncToken, CancellationToken cancellationToken)
        => client.SyncCollectionAsync(path, syncToken, cancellationToken);

    public Task<IReadOnlyDictionary<string, string?>> ListEtagsAsync(CancellationToken cancellationToken)
        => client.ListEtagsAsync(path, cancellationToken);

    public Task<MultigetResult> MultigetAsync(IReadOnlyCollection<string> hrefs, CancellationToken cancellationToken)
        => client.MultigetAsync(path, hrefs, cancellationToken);

    public Task<RemoteResource?> GetAsync(string href, CancellationToken cancellationToken) => client.GetAsync(href, cancellationToken);

    public Task<string?> GetEtagAsync(string href, CancellationToken cancellationToken) => client.GetEtagAsync(href, cancellationToken);

    public Task<string?> CreateAsync(string href, string iCalendar, CancellationToken cancellationToken)
        => client.CreateAsync(href, iCalendar, cancellationToken);

    public Task<string?> UpdateAsync(string href, string iCalendar, string etag, CancellationToken cancellationToken)
        => client.UpdateAsync(href, iCalendar, etag, cancellationToken);

    public Task DeleteAsync(string href, string? etag, CancellationToken cancellationToken) => client.DeleteAsync(href, etag, cancellationToken);

    public async Task EnsureExistsAsync(string displayName, CancellationToken cancellationToken)
    {
        try
        {
            await client.MakeCalendarAsync(path, displayName, cancellationToken);
        }
        catch (CalDavConflictException)
        {
            // It exists after all.
        }
    }

    public IDisposable BeginOperation(string name) => client.BeginOperation(name);
}
