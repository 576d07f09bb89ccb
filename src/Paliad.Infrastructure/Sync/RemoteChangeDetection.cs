using Microsoft.EntityFrameworkCore;
using Paliad.Application.Appointments;
using Paliad.Domain.Appointments;
using Paliad.Domain.CalDav;
using Paliad.Infrastructure.CalDav;
using Paliad.Infrastructure.Persistence;

namespace Paliad.Infrastructure.Sync;

/// <summary>What changed in a binding's calendar since its last pull: the copies the server edited and those it
/// deleted (with the appointments they belong to), the change marker to keep afterwards, and whether this was a full
/// reconciliation (every ETag compared).</summary>
internal sealed record RemoteChanges(
    Dictionary<Guid, Appointment> Appointments,
    List<AppointmentTarget> Changed,
    List<AppointmentTarget> Deleted,
    string? NewSyncToken,
    bool FullReconcile);

/// <summary>
/// Finds what changed on the server, as cheaply as the server allows: one PROPFIND for the change marker the binding
/// keeps (nothing moved: done); else sync-collection (RFC 6578) from the kept token, or a full ETag listing every
/// <c>Sync:FullReconcileEvery</c> ticks, on a refused token, or when the server has no sync-collection. Only then
/// are copies read from the database — just those at the hrefs the server reported, unless everything is compared.
/// </summary>
internal static class RemoteChangeDetection
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

    public static async Task<RemoteChanges> FindAsync(
        PaliadDbContext db, CalDavClient client, CalendarBinding binding, CollectionState state, bool fullReconcile, CancellationToken cancellationToken)
    {
        var changed = new List<AppointmentTarget>();
        var deleted = new List<AppointmentTarget>();
        if (!fullReconcile && state.SupportsSyncCollection && binding.SyncToken is not null)
        {
            var sync = await client.SyncCollectionAsync(binding.CalendarPath, binding.SyncToken, cancellationToken);
            if (sync.WasReset)
            {
                var (all, live) = await LoadCopiesAsync(db, binding, null, cancellationToken);
                Compare(live, sync.Changes.Where(c => !c.Deleted).ToDictionary(c => c.Href, c => c.Etag, StringComparer.Ordinal), changed, deleted);
                return new RemoteChanges(all, changed, deleted, sync.SyncToken, FullReconcile: true);
            }

            var (appointments, copies) = await LoadCopiesAsync(db, binding, sync.Changes.Select(c => c.Href), cancellationToken);
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

            return new RemoteChanges(appointments, changed, deleted, sync.SyncToken, fullReconcile);
        }

        var remote = await client.ListEtagsAsync(binding.CalendarPath, cancellationToken);
        var (everything, everyCopy) = await LoadCopiesAsync(db, binding, null, cancellationToken);
        Compare(everyCopy, remote, changed, deleted);
        return new RemoteChanges(everything, changed, deleted, state.SyncToken, fullReconcile);
    }

    /// <summary>The binding's copies of appointments it carries, by href key, with those appointments, in one query:
    /// all of them, or (<paramref name="changedHrefs"/>) only those at the hrefs the server reported changed. An
    /// event's resource name is its UID + ".ics" (Paliad names them so, the Phase F backfill too), so they are found
    /// by UID on the (binding, UID) index; the href itself is then compared.</summary>
    private static async Task<(Dictionary<Guid, Appointment> Appointments, Dictionary<string, AppointmentTarget> Live)> LoadCopiesAsync(
        PaliadDbContext db, CalendarBinding binding, IEnumerable<string>? changedHrefs, CancellationToken cancellationToken)
    {
        var copies = db.AppointmentTargets.Where(t => t.BindingId == binding.Id);
        HashSet<string>? wanted = null;
        if (changedHrefs is not null)
        {
            wanted = changedHrefs.ToHashSet(StringComparer.Ordinal);
            var uids = wanted.Select(ResourceUid).OfType<string>().Distinct().ToList();
            copies = copies.Where(t => uids.Contains(t.CalDavUid));
        }

        var rows = await (
                from t in copies
                join a in db.ForBinding(binding) on t.AppointmentId equals a.Id
                select new { Target = t, Appointment = a })
            .ToListAsync(cancellationToken);
        var live = rows
            .Select(r => (Key: Hrefs.Key(r.Target.CalDavHref), r.Target))
            .Where(r => wanted is null || wanted.Contains(r.Key))
            .ToDictionary(r => r.Key, r => r.Target, StringComparer.Ordinal);
        return (rows.ToDictionary(r => r.Appointment.Id, r => r.Appointment), live);
    }

    private static string? ResourceUid(string hrefKey)
    {
        var name = hrefKey[(hrefKey.LastIndexOf('/') + 1)..];
        return name.EndsWith(".ics", StringComparison.Ordinal) ? name[..^4] : null;
    }

    /// <summary>Full listing: a copy missing from the server was deleted there; one whose ETag moved was edited.</summary>
    private static void Compare(
        Dictionary<string, AppointmentTarget> live, IReadOnlyDictionary<string, string?> remote, List<AppointmentTarget> changed, List<AppointmentTarget> deleted)
    {
        foreach (var (href, target) in live)
        {
            if (!remote.TryGetValue(href, out var etag))
            {
                deleted.Add(target);
            }
            else if (etag is null || etag != target.CalDavEtag)
            {
                changed.Add(target);
            }
        }
    }
}
