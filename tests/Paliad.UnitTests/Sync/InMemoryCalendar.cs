using System.Net;
using Paliad.Infrastructure.CalDav;
using Paliad.Infrastructure.Sync;

namespace Paliad.UnitTests.Sync;

/// <summary>
/// One calendar collection in memory, behind the engine's port, with a server's semantics: a new ETag on every write,
/// If-None-Match: * and If-Match answered 412 (<see cref="CalDavConflictException"/>), a missing collection answered
/// 404, a sync-token per revision whose change log can be lost, and faults switched on per operation. For tests of
/// plans and phases; the real servers are tested in the integration suite.
/// </summary>
internal sealed class InMemoryCalendar(string path = "/cal/user/work/") : IRemoteCalendar
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (string ICalendar, string Etag)> _events = new(StringComparer.Ordinal);
    private readonly List<(int Revision, string Href)> _changeLog = [];
    private readonly Dictionary<string, Queue<Exception>> _faults = new(StringComparer.Ordinal);
    private int _revision;
    private int _etags;

    public string Path => path;

    /// <summary>Whether the collection exists (a missing one answers 404 to PUT and PROPFIND).</summary>
    public bool Exists { get; set; } = true;

    public bool SupportsSyncCollection { get; set; } = true;

    /// <summary>The operations asked of the calendar, in order ("PUT-create /…", "DELETE /…", "PROPFIND", …).</summary>
    public List<string> Requests { get; } = [];

    public IReadOnlyDictionary<string, (string ICalendar, string Etag)> Events => _events;

    public string SyncToken => $"urn:rev:{_revision}";

    /// <summary>The next <paramref name="operation"/> ("create", "update", "delete", "get", "multiget", "state") fails
    /// with <paramref name="fault"/>.</summary>
    public void FailNext(string operation, Exception fault)
    {
        if (!_faults.TryGetValue(operation, out var queue))
        {
            _faults[operation] = queue = new Queue<Exception>();
        }

        queue.Enqueue(fault);
    }

    /// <summary>Another client (a phone) writes the event: a new ETag, a new revision.</summary>
    public string PhoneWrites(string href, string iCalendar) => Store(Hrefs.Key(href), iCalendar);

    /// <summary>Another client deletes the event.</summary>
    public void PhoneDeletes(string href)
    {
        lock (_gate)
        {
            _events.Remove(Hrefs.Key(href));
            Changed(Hrefs.Key(href));
        }
    }

    /// <summary>The server loses its change log (a restore, say): older sync-tokens are refused.</summary>
    public void ForgetChangeLog() => _changeLog.Clear();

    public Task<CollectionState> GetStateAsync(ChangeMarkers markers, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            Ask("state", "PROPFIND");
            RequireCollection();
            return Task.FromResult(new CollectionState(
                markers.HasFlag(ChangeMarkers.Ctag) ? $"ctag-{_revision}" : null,
                markers.HasFlag(ChangeMarkers.SyncToken) && SupportsSyncCollection ? SyncToken : null,
                SupportsSyncCollection));
        }
    }

    public Task<SyncCollectionResult> ChangesSinceAsync(string syncToken, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            Ask("sync", "REPORT sync-collection");
            RequireCollection();
            var since = syncToken.StartsWith("urn:rev:", StringComparison.Ordinal) && int.TryParse(syncToken[8..], out var r) ? r : -1;
            var oldestKept = _changeLog.Count == 0 ? _revision : _changeLog[0].Revision - 1;
            if (since < 0 || since > _revision || since < oldestKept)
            {
                var all = _events.Select(e => new SyncChange(e.Key, e.Value.Etag, Deleted: false)).ToList();
                return Task.FromResult(new SyncCollectionResult(SyncToken, all, WasReset: true));
            }

            var changes = _changeLog.Where(c => c.Revision > since).Select(c => c.Href).Distinct(StringComparer.Ordinal)
                .Select(href => _events.TryGetValue(href, out var e) ? new SyncChange(href, e.Etag, false) : new SyncChange(href, null, true))
                .ToList();
            return Task.FromResult(new SyncCollectionResult(SyncToken, changes, WasReset: false));
        }
    }

    public Task<IReadOnlyDictionary<string, string?>> ListEtagsAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            Ask("list", "PROPFIND getetag");
            RequireCollection();
            return Task.FromResult<IReadOnlyDictionary<string, string?>>(_events.ToDictionary(e => e.Key, e => (string?)e.Value.Etag, StringComparer.Ordinal));
        }
    }

    public Task<MultigetResult> MultigetAsync(IReadOnlyCollection<string> hrefs, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            Ask("multiget", "REPORT calendar-multiget");
            var found = new Dictionary<string, RemoteResource>(StringComparer.Ordinal);
            var deleted = new HashSet<string>(StringComparer.Ordinal);
            foreach (var key in hrefs.Select(Hrefs.Key))
            {
                if (_events.TryGetValue(key, out var e))
                {
                    found[key] = new RemoteResource(key, e.Etag, e.ICalendar);
                }
                else
                {
                    deleted.Add(key);
                }
            }

            return Task.FromResult(new MultigetResult(found, deleted));
        }
    }

    public Task<RemoteResource?> GetAsync(string href, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            Ask("get", $"GET {href}");
            var key = Hrefs.Key(href);
            return Task.FromResult(_events.TryGetValue(key, out var e) ? new RemoteResource(key, e.Etag, e.ICalendar) : null);
        }
    }

    public Task<string?> GetEtagAsync(string href, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            Ask("etag", $"PROPFIND {href}");
            return Task.FromResult(_events.TryGetValue(Hrefs.Key(href), out var e) ? e.Etag : null);
        }
    }

    public Task<string?> CreateAsync(string href, string iCalendar, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            Ask("create", $"PUT-create {href}");
            RequireCollection();
            var key = Hrefs.Key(href);
            if (_events.ContainsKey(key))
            {
                throw new CalDavConflictException($"{href} exists.", HttpStatusCode.PreconditionFailed);
            }

            return Task.FromResult<string?>(Store(key, iCalendar));
        }
    }

    public Task<string?> UpdateAsync(string href, string iCalendar, string etag, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            Ask("update", $"PUT-update {href}");
            var key = Hrefs.Key(href);
            if (!_events.TryGetValue(key, out var e) || e.Etag != etag)
            {
                throw new CalDavConflictException($"{href} changed.", HttpStatusCode.PreconditionFailed);
            }

            return Task.FromResult<string?>(Store(key, iCalendar));
        }
    }

    public Task DeleteAsync(string href, string? etag, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            Ask("delete", $"DELETE {href}");
            var key = Hrefs.Key(href);
            if (_events.TryGetValue(key, out var e))
            {
                if (etag is not null && e.Etag != etag)
                {
                    throw new CalDavConflictException($"{href} changed.", HttpStatusCode.PreconditionFailed);
                }

                _events.Remove(key);
                Changed(key);
            }

            return Task.CompletedTask;
        }
    }

    public Task EnsureExistsAsync(string displayName, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            Ask("mkcalendar", $"MKCALENDAR {displayName}");
            Exists = true;
            return Task.CompletedTask;
        }
    }

    public IDisposable BeginOperation(string name) => new Operation();

    private string Store(string key, string iCalendar)
    {
        var etag = $"\"e{++_etags}\"";
        _events[key] = (iCalendar, etag);
        Changed(key);
        return etag;
    }

    private void Changed(string key) => _changeLog.Add((++_revision, key));

    private void Ask(string operation, string request)
    {
        Requests.Add(request);
        if (_faults.TryGetValue(operation, out var queue) && queue.TryDequeue(out var fault))
        {
            throw fault;
        }
    }

    private void RequireCollection()
    {
        if (!Exists)
        {
            throw new CalDavNotFoundException($"{path} does not exist.");
        }
    }

    private sealed class Operation : IDisposable
    {
        public void Dispose()
        {
        }
    }
}
