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
                var listed = sync.Changes.Where(c => !c.Deleted).ToDictionary(c => c.Href, c => c.Etag, StringComparer.Ordinal);
                return await CompareAllAsync(db, binding, listed, sync.SyncToken, cancellationToken);
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
        var found = await CompareAllAsync(db, binding, remote, state.SyncToken, cancellationToken);
        return found with { FullReconcile = fullReconcile };
    }

    /// <summary>Every copy against a full listing: a copy missing from the server was deleted there, one whose ETag
    /// moved was edited. The comparison reads only each copy's href and ETag; entities are loaded (and tracked) for the
    /// copies that differ alone, so a full reconciliation of a large calendar that changed little stays small.</summary>
    private static async Task<RemoteChanges> CompareAllAsync(
        PaliadDbContext db, CalendarBinding binding, IReadOnlyDictionary<string, string?> remote, string? newSyncToken, CancellationToken cancellationToken)
    {
        var copies = await (
                from t in db.AppointmentTargets.AsNoTracking()
                where t.BindingId == binding.Id
                join a in db.ForBinding(binding) on t.AppointmentId equals a.Id
                select new { t.Id, t.CalDavHref, t.CalDavEtag })
            .ToListAsync(cancellationToken);
        var differing = new HashSet<Guid>();
        var gone = new HashSet<Guid>();
        foreach (var copy in copies)
        {
            if (!remote.TryGetValue(Hrefs.Key(copy.CalDavHref), out var etag))
            {
                gone.Add(copy.Id);
            }
            else if (etag is null || etag != copy.CalDavEtag)
            {
                differing.Add(copy.Id);
            }
        }

        var ids = differing.Concat(gone).ToList();
        var rows = ids.Count == 0
            ? []
            : await (
                    from t in db.AppointmentTargets
                    where t.BindingId == binding.Id && ids.Contains(t.Id)
                    join a in db.ForBinding(binding) on t.AppointmentId equals a.Id
                    select new { Target = t, Appointment = a })
                .ToListAsync(cancellationToken);
        return new RemoteChanges(
            rows.ToDictionary(r => r.Appointment.Id, r => r.Appointment),
            rows.Where(r => differing.Contains(r.Target.Id)).Select(r => r.Target).ToList(),
            rows.Where(r => gone.Contains(r.Target.Id)).Select(r => r.Target).ToList(),
            newSyncToken,
            FullReconcile: true);
    }

    /// <summary>The binding's copies at the hrefs the server reported changed, by href key, with their appointments,
    /// in one query. An event's resource name is its UID + ".ics" (Paliad names them so, the Phase F backfill too), so
    /// they are found by UID on the (binding, UID) index; the href itself is then compared.</summary>
    private static async Task<(Dictionary<Guid, Appointment> Appointments, Dictionary<string, AppointmentTarget> Live)> LoadCopiesAsync(
        PaliadDbContext db, CalendarBinding binding, IEnumerable<string> changedHrefs, CancellationToken cancellationToken)
    {
        var wanted = changedHrefs.ToHashSet(StringComparer.Ordinal);
        var uids = wanted.Select(ResourceUid).OfType<string>().Distinct().ToList();
        var rows = await (
                from t in db.AppointmentTargets
                where t.BindingId == binding.Id && uids.Contains(t.CalDavUid)
                join a in db.ForBinding(binding) on t.AppointmentId equals a.Id
                select new { Target = t, Appointment = a })
            .ToListAsync(cancellationToken);
        var live = rows
            .Select(r => (Key: Hrefs.Key(r.Target.CalDavHref), r.Target))
            .Where(r => wanted.Contains(r.Key))
            .ToDictionary(r => r.Key, r => r.Target, StringComparer.Ordinal);
        return (rows.ToDictionary(r => r.Appointment.Id, r => r.Appointment), live);
    }

    private static string? ResourceUid(string hrefKey)
    {
        var name = hrefKey[(hrefKey.LastIndexOf('/') + 1)..];
        return name.EndsWith(".ics", StringComparison.Ordinal) ? name[..^4] : null;
    }
}
