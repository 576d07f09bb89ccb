using Microsoft.EntityFrameworkCore;
using Paliad.Application.Appointments;
using Paliad.Application.Projects;
using Paliad.Domain.Appointments;
using Paliad.Domain.CalDav;
using Paliad.Domain.Common;
using Paliad.Domain.Projects;
using Paliad.Infrastructure.CalDav;
using Paliad.Infrastructure.CalDav.ICalendar;

namespace Paliad.Infrastructure.Sync;

/// <summary>Pull: change detection on the server, reconcile by ETag, restore, bulk recording.</summary>
internal sealed partial class BindingTick
{
    private readonly Dictionary<Guid, bool> _mayEditProject = [];
    private readonly List<Guid> _editsApplied = [];

    // ---- pull ---------------------------------------------------------------------------------------------------------

    private async Task PullAsync(CancellationToken cancellationToken)
    {
        // Only the marker this binding keeps is asked for: a server with sync-collection is asked for its sync-token,
        // one without for its ctag, and both only until the binding knows which it has.
        var markers = binding.SyncToken is not null ? ChangeMarkers.SyncToken : binding.Ctag is not null ? ChangeMarkers.Ctag : ChangeMarkers.Both;
        CollectionState state;
        try
        {
            state = await client.GetCollectionStateAsync(binding.CalendarPath, markers, cancellationToken);
        }
        catch (CalDavNotFoundException)
        {
            await EnsureCalendarAsync(cancellationToken);
            state = await client.GetCollectionStateAsync(binding.CalendarPath, markers, cancellationToken);
        }

        var problemsBefore = _problems.Count;
        var fullReconcile = binding.FullReconcileDue(options.FullReconcileEvery);

        // Unchanged when the marker the server has is the one we kept.
        var unchanged = markers switch
        {
            ChangeMarkers.SyncToken => state.SyncToken is not null && state.SyncToken == binding.SyncToken,
            ChangeMarkers.Ctag => state.Ctag is not null && state.Ctag == binding.Ctag,
            _ => false,
        };
        if (unchanged && !fullReconcile)
        {
            binding.RecordPull(binding.SyncToken, binding.Ctag, fullReconcile: false);
            return;
        }

        // Something changed on the server (or a full reconciliation is due): only now are copies and their
        // appointments read — just those of the changed hrefs when the server says which, all on a full listing
        // (tracked ones are the same instances the push used).
        Dictionary<Guid, Appointment> appointments;
        Dictionary<string, AppointmentTarget> live;
        var changed = new List<AppointmentTarget>();
        var deleted = new List<AppointmentTarget>();
        var newToken = state.SyncToken;
        if (!fullReconcile && state.SupportsSyncCollection && binding.SyncToken is not null)
        {
            var sync = await client.SyncCollectionAsync(binding.CalendarPath, binding.SyncToken, cancellationToken);
            newToken = sync.SyncToken;
            if (sync.WasReset)
            {
                (appointments, live) = await LoadCopiesAsync(null, cancellationToken);
                Compare(live, sync.Changes.Where(c => !c.Deleted).ToDictionary(c => c.Href, c => c.Etag, StringComparer.Ordinal), changed, deleted);
                fullReconcile = true;
            }
            else
            {
                (appointments, live) = await LoadCopiesAsync(sync.Changes.Select(c => c.Href), cancellationToken);
                foreach (var change in sync.Changes)
                {
                    if (live.TryGetValue(change.Href, out var target))
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
            }
        }
        else
        {
            var remote = await client.ListEtagsAsync(binding.CalendarPath, cancellationToken);
            (appointments, live) = await LoadCopiesAsync(null, cancellationToken);
            Compare(live, remote, changed, deleted);
        }

        // Pulled edits are recorded in one round trip at the end (also when the pull stops on a server failure:
        // what was done is kept); if that write is refused, the markers stay put and the next tick pulls again.
        try
        {
            if (changed.Count > 0)
            {
                var fetched = await client.MultigetAsync(binding.CalendarPath, changed.ConvertAll(t => t.CalDavHref), cancellationToken);
                foreach (var target in changed)
                {
                    var key = Hrefs.Key(target.CalDavHref);
                    if (fetched.Found.TryGetValue(key, out var remote))
                    {
                        await Guarded(target.AppointmentId, () => ReconcileAsync(appointments[target.AppointmentId], target, remote, cancellationToken), keepOthersPending: true);
                    }
                    else if (fetched.Deleted.Contains(key))
                    {
                        deleted.Add(target);
                    }
                }
            }

            foreach (var target in deleted)
            {
                await Guarded(target.AppointmentId, () => RestoreAsync(appointments[target.AppointmentId], target, cancellationToken), keepOthersPending: true);
            }
        }
        finally
        {
            await RecordPulledAsync();
        }

        if (_problems.Count > problemsBefore)
        {
            // Something could not be reconciled: keep the old markers, so the next tick sees these changes again.
            binding.RecordPull(binding.SyncToken, binding.Ctag, fullReconcile: false);
            return;
        }

        binding.RecordPull(newToken, state.Ctag, fullReconcile);
    }

    /// <summary>The binding's copies of appointments it carries, by href key, with those appointments, in one query:
    /// all of them, or (<paramref name="changedHrefs"/>) only those at the hrefs the server reported changed. An
    /// event's resource name is its UID + ".ics" (Paliad names them so, the Phase F backfill too), so they are found
    /// by UID on the (binding, UID) index; the href itself is then compared.</summary>
    private async Task<(Dictionary<Guid, Appointment> Appointments, Dictionary<string, AppointmentTarget> Live)> LoadCopiesAsync(
        IEnumerable<string>? changedHrefs, CancellationToken cancellationToken)
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

    /// <summary>Full listing: a target missing from the server was deleted there; one whose ETag moved was edited.</summary>
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

    /// <summary>The server's copy changed. Remote-only change: applied to the appointment when the binding's user
    /// may edit it, else overwritten. Both changed: Paliad wins, and a conflict is counted.</summary>
    private async Task ReconcileAsync(Appointment appointment, AppointmentTarget target, RemoteResource remote, CancellationToken cancellationToken)
    {
        var ours = EventContent.From(appointment, target.CalDavUid);
        var now = clock.GetUtcNow();
        var readable = ICalendarMapper.TryParse(remote.ICalendar, appointment.TimeZone, out var edit, out var error);
        var decision = await DecideAsync(appointment, target, remote, ours, readable, cancellationToken);
        if (decision == ReconcileDecision.Nothing)
        {
            return;
        }

        if (decision == ReconcileDecision.ApplyRemoteEdit)
        {
            ApplyRemoteEdit(appointment, edit!, now);
            target.RecordPulled(remote.Etag, EventContent.From(appointment, target.CalDavUid).ContentHash(), now, appointment.Version);
            return;
        }

        if (error is not null)
        {
            LogMalformed(logger, binding.Id, target.CalDavHref, error);
        }

        // Paliad's copy wins: it changed too, the remote copy is unreadable, or the user may only view it.
        var sequence = Math.Max(appointment.Version, (edit?.Sequence ?? -1) + 1);
        var (etag, outcome) = await OverwriteAsync(
            target.CalDavHref, seq => ICalendarMapper.ToICalendar(ours, seq, appointment.CreatedAt, appointment.UpdatedAt, now), sequence, remote.Etag,
            cancellationToken);
        target.RecordPushed(etag, ours.ContentHash(), now, appointment.Version);
        Count(decision == ReconcileDecision.OverwriteRemoteCountConflict && outcome == PutOutcome.Updated ? PutOutcome.Conflict : outcome);
    }

    /// <summary>The reconcile policy for a remote copy that exists, asking the database for the user's edit right
    /// only when the decision depends on it.</summary>
    private async Task<ReconcileDecision> DecideAsync(
        Appointment appointment, AppointmentTarget target, RemoteResource remote, EventContent ours, bool readable, CancellationToken cancellationToken)
    {
        var remoteChanged = remote.Etag is null || remote.Etag != target.CalDavEtag;
        var localChanged = ours.ContentHash() != target.ContentHash;
        var mayEdit = ReconcilePolicy.NeedsEditRight(false, remoteChanged, localChanged, readable) && await MayEditAsync(appointment, cancellationToken);
        return ReconcilePolicy.Decide(false, remoteChanged, localChanged, readable, mayEdit);
    }

    /// <summary>Deleted on the server (a phone, say): never delete a court date because of that — put it back.</summary>
    private async Task RestoreAsync(Appointment appointment, AppointmentTarget target, CancellationToken cancellationToken)
    {
        var content = EventContent.From(appointment, target.CalDavUid);
        var now = clock.GetUtcNow();
        var etag = await CreateOrAdoptAsync(
            target.CalDavHref, ICalendarMapper.ToICalendar(content, appointment.Version, appointment.CreatedAt, appointment.UpdatedAt, now), cancellationToken);
        target.RecordPushed(etag, content.ContentHash(), now, appointment.Version);
        Restored++;
        metrics.Restored.Add(1);
    }

    /// <summary>The fields a phone may change, applied to the appointment (counted as a pull when anything changed).</summary>
    private void ApplyRemoteEdit(Appointment appointment, RemoteEvent edit, DateTimeOffset now)
    {
        var details = appointment.Details with
        {
            Title = string.IsNullOrWhiteSpace(edit.Title) ? appointment.Title : TextLimits.Clip(edit.Title, Appointment.TitleMaxLength)!,
            // What a phone may write is not bounded; what an appointment holds is.
            Description = TextLimits.Clip(edit.Description, Appointment.DescriptionMaxLength),
            Location = TextLimits.Clip(edit.Location, Appointment.LocationMaxLength),
            StartsAt = edit.StartsAt,
            EndsAt = edit.EndsAt,
            AllDay = edit.AllDay,
        };
        if (appointment.ApplyRemoteEdit(details, binding.Id, now))
        {
            _editsApplied.Add(appointment.Id);
            Pulled++;
            metrics.Pulls.Add(1);
        }
    }

    /// <summary>The user's edit right, asked once per project in a tick (a hundred pulled edits of one litigation
    /// cost one query, not a hundred).</summary>
    private async Task<bool> MayEditAsync(Appointment appointment, CancellationToken cancellationToken)
    {
        if (appointment.ProjectId is not { } projectId)
        {
            return appointment.OwnerId == binding.UserId;
        }

        if (!_mayEditProject.TryGetValue(projectId, out var mayEdit))
        {
            mayEdit = await db.EffectiveRoleAsync(binding.UserId, projectId, cancellationToken) is { } role && role.CanEdit();
            _mayEditProject[projectId] = mayEdit;
        }

        return mayEdit;
    }

    /// <summary>Saves what the pull applied and wrote, in one round trip, with one event for all the edits applied
    /// (their fan-out to the other calendars).</summary>
    private async Task RecordPulledAsync()
    {
        if (!db.ChangeTracker.HasChanges())
        {
            return;
        }

        try
        {
            binding.RecordRemoteEditsApplied(_editsApplied);
            _editsApplied.Clear();
            await db.SaveChangesAsync(CancellationToken.None);
        }
        catch (DbUpdateException e)
        {
            // An appointment edited in Paliad meanwhile (its version moved), say: the remote edits stay on the server
            // and are pulled again next tick, against the appointment as it is then.
            _problems.Add($"pulled changes could not be recorded: {e.InnerException?.Message ?? e.Message}");
            await DiscardPendingChangesAsync();
        }
    }
}
