using Paliad.Domain.Appointments;
using Paliad.Domain.CalDav;
using Paliad.Infrastructure.CalDav;

namespace Paliad.Infrastructure.Sync.Phases;

/// <summary>What changed in a binding's calendar since its last pull: the copies the server edited and those it
/// deleted (with the appointments they belong to), the change marker to keep afterwards, and whether this was a full
/// reconciliation (every ETag compared).</summary>
internal sealed record RemoteChanges(
    Dictionary<Guid, Appointment> Appointments,
    List<AppointmentTarget> Changed,
    List<AppointmentTarget> Deleted,
    string? NewSyncToken,
    bool FullReconcile);

/// <summary>The pure half of comparing copies with the server: which copies differ and which are gone.</summary>
internal static class EtagComparison
{
    /// <summary>Every copy against a full listing (by href key): a copy missing from the server was deleted there,
    /// one whose ETag moved (or that the server lists without one) was edited.</summary>
    public static (HashSet<Guid> Differing, HashSet<Guid> Gone) Compare(IEnumerable<CopyEtag> copies, IReadOnlyDictionary<string, string?> listing)
    {
        var differing = new HashSet<Guid>();
        var gone = new HashSet<Guid>();
        foreach (var copy in copies)
        {
            if (!listing.TryGetValue(Hrefs.Key(copy.Href), out var etag))
            {
                gone.Add(copy.Id);
            }
            else if (etag is null || etag != copy.Etag)
            {
                differing.Add(copy.Id);
            }
        }

        return (differing, gone);
    }

    /// <summary>An event's resource name is its UID + ".ics" (Paliad names them so, the Phase F backfill too), so
    /// copies at reported hrefs are found by UID; null for a name that is not an event's.</summary>
    public static string? ResourceUid(string hrefKey)
    {
        var name = hrefKey[(hrefKey.LastIndexOf('/') + 1)..];
        return name.EndsWith(".ics", StringComparison.Ordinal) ? name[..^4] : null;
    }
}

/// <summary>
/// Finds what changed on the server, as cheaply as the server allows: one PROPFIND for the change marker the binding
/// keeps (nothing moved: done); else sync-collection (RFC 6578) from the kept token, or a full ETag listing every
/// <c>Sync:FullReconcileEvery</c> ticks, on a refused token, or when the server has no sync-collection. Only then
/// are copies read from the book — just those at the hrefs the server reported, unless everything is compared.
/// </summary>
internal sealed class RemoteChangeDetection(IRemoteCalendar calendar, ICopyBook book, CalendarBinding binding)
{
    /// <summary>Only the marker the binding keeps is asked for (servers compute each over the whole collection): a
    /// server with sync-collection is asked for its sync-token, one without for its ctag, and both only until the
    /// binding knows which it has.</summary>
    public static ChangeMarkers MarkersFor(CalendarBinding binding)
        => binding.SyncToken is not null ? ChangeMarkers.SyncToken : binding.Ctag is not null ? ChangeMarkers.Ctag : ChangeMarkers.Both;

    /// <summary>Nothing changed when the marker the server has now is the one the binding kept.</summary>
    public static bool Unchanged(ChangeMarkers markers, CollectionState state, CalendarBinding binding) => markers switch
    {
        ChangeMarkers.SyncToken => state.SyncToken is not null && state.SyncToken == binding.SyncToken,
        ChangeMarkers.Ctag => state.Ctag is not null && state.Ctag == binding.Ctag,
        _ => false,
    };

    public async Task<RemoteChanges> FindAsync(CollectionState state, bool fullReconcile, CancellationToken cancellationToken)
    {
        if (!fullReconcile && state.SupportsSyncCollection && binding.SyncToken is not null)
        {
            var sync = await calendar.ChangesSinceAsync(binding.SyncToken, cancellationToken);
            if (sync.WasReset)
            {
                var listed = sync.Changes.Where(c => !c.Deleted).ToDictionary(c => c.Href, c => c.Etag, StringComparer.Ordinal);
                return await CompareAllAsync(listed, sync.SyncToken, cancellationToken);
            }

            return await ResolveAsync(sync, cancellationToken);
        }

        var remote = await calendar.ListEtagsAsync(cancellationToken);
        var found = await CompareAllAsync(remote, state.SyncToken, cancellationToken);
        return found with { FullReconcile = fullReconcile };
    }

    /// <summary>The binding's copies at the hrefs sync-collection reported, found by UID and then compared by href:
    /// deleted ones, and those whose ETag moved.</summary>
    private async Task<RemoteChanges> ResolveAsync(SyncCollectionResult sync, CancellationToken cancellationToken)
    {
        var wanted = sync.Changes.Select(c => c.Href).ToHashSet(StringComparer.Ordinal);
        var uids = wanted.Select(EtagComparison.ResourceUid).OfType<string>().Distinct().ToList();
        var rows = await book.CarriedCopiesByUidAsync(uids, cancellationToken);
        var copies = rows
            .Select(r => (Key: Hrefs.Key(r.Copy.CalDavHref), r.Copy))
            .Where(r => wanted.Contains(r.Key))
            .ToDictionary(r => r.Key, r => r.Copy, StringComparer.Ordinal);
        var changed = new List<AppointmentTarget>();
        var deleted = new List<AppointmentTarget>();
        foreach (var change in sync.Changes)
        {
            if (copies.TryGetValue(change.Href, out var target))
            {
                if (change.Deleted)
                {
                    deleted.Add(target);
                }
                else if (change.Etag is null || change.Etag != target.CalDavEtag)
                {
                    changed.Add(target);
                }
            }
        }

        return new RemoteChanges(rows.ToDictionary(r => r.Appointment.Id, r => r.Appointment), changed, deleted, sync.SyncToken, FullReconcile: false);
    }

    /// <summary>Every copy against a full listing. The comparison reads only each copy's href and ETag; entities are
    /// loaded (and tracked) for the copies that differ alone, so a full reconciliation of a large calendar that
    /// changed little stays small.</summary>
    private async Task<RemoteChanges> CompareAllAsync(IReadOnlyDictionary<string, string?> remote, string? newSyncToken, CancellationToken cancellationToken)
    {
        var (differing, gone) = EtagComparison.Compare(await book.CopyEtagsAsync(cancellationToken), remote);
        var rows = await book.CarriedCopiesAsync(differing.Concat(gone).ToList(), cancellationToken);
        return new RemoteChanges(
            rows.ToDictionary(r => r.Appointment.Id, r => r.Appointment),
            rows.Where(r => differing.Contains(r.Copy.Id)).Select(r => r.Copy).ToList(),
            rows.Where(r => gone.Contains(r.Copy.Id)).Select(r => r.Copy).ToList(),
            newSyncToken,
            FullReconcile: true);
    }
}
