using Microsoft.EntityFrameworkCore;
using Paliad.Application.Projects;
using Paliad.Domain.Appointments;
using Paliad.Domain.CalDav;
using Paliad.Domain.Common;
using Paliad.Domain.Projects;
using Paliad.Infrastructure.CalDav;
using Paliad.Infrastructure.CalDav.ICalendar;

namespace Paliad.Infrastructure.Sync;

/// <summary>Pull: what changed on the server (<see cref="RemoteChangeDetection"/>), reconcile by ETag, restore, bulk recording.</summary>
internal sealed partial class BindingTick
{
    /// <summary>Changed events fetched per multiget call (the client splits each into REPORTs of CalDav:MultigetMaxHrefs).</summary>
    private const int PullSlice = 500;

    private readonly Dictionary<Guid, bool> _mayEditProject = [];
    private readonly List<Guid> _editsApplied = [];

    /// <summary>Calendar edits this pull would apply, gathered before any is: together they may be a mass change.</summary>
    private readonly List<PulledEdit> _pulledEdits = [];

    private sealed record PulledEdit(Appointment Appointment, AppointmentTarget Target, RemoteResource Remote, RemoteEvent Edit);

    // ---- pull ---------------------------------------------------------------------------------------------------------

    private async Task PullAsync(CancellationToken cancellationToken)
    {
        var markers = RemoteChangeDetection.MarkersFor(binding);
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
        if (RemoteChangeDetection.Unchanged(markers, state, binding) && !fullReconcile)
        {
            binding.RecordPull(binding.SyncToken, binding.Ctag, fullReconcile: false);
            return;
        }

        var (appointments, changed, deleted, newToken, reconciledAll) =
            await RemoteChangeDetection.FindAsync(db, client, binding, state, fullReconcile, cancellationToken);
        fullReconcile = reconciledAll;

        var held = false;

        // Pulled edits are recorded in one round trip at the end (also when the pull stops on a server failure:
        // what was done is kept); if that write is refused, the markers stay put and the next tick pulls again. Held
        // edits (a mass change) keep the markers put too: every tick sees them again until the user decides.
        try
        {
            // Fetched a slice at a time: a full reconcile of a large calendar never holds every event's text at once.
            foreach (var slice in changed.Chunk(PullSlice))
            {
                var fetched = await client.MultigetAsync(binding.CalendarPath, slice.Select(t => t.CalDavHref).ToList(), cancellationToken);
                foreach (var target in slice)
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

            held = await SettlePulledEditsAsync(cancellationToken);
            foreach (var target in deleted)
            {
                await Guarded(target.AppointmentId, () => RestoreAsync(appointments[target.AppointmentId], target, cancellationToken), keepOthersPending: true);
            }
        }
        finally
        {
            await RecordPulledAsync();
        }

        if (_problems.Count > problemsBefore || held)
        {
            // Something could not be reconciled: keep the old markers, so the next tick sees these changes again.
            binding.RecordPull(binding.SyncToken, binding.Ctag, fullReconcile: false);
            return;
        }

        binding.RecordPull(newToken, state.Ctag, fullReconcile);
    }

    /// <summary>The server's copy changed. Only in what other clients own: learnt (and merged into a pending Paliad
    /// change without a conflict). Remote-only change of Paliad's fields: applied to the appointment when the binding's
    /// user may edit it, else overwritten. Both changed, or a series: Paliad wins, and a conflict is counted. What the
    /// user should know is raised on the copy for the activity feed.</summary>
    private async Task ReconcileAsync(Appointment appointment, AppointmentTarget target, RemoteResource remote, CancellationToken cancellationToken)
    {
        var ours = EventContent.From(appointment, target.CalDavUid);
        var now = clock.GetUtcNow();
        _ = ICalendarMapper.TryParse(remote.ICalendar, appointment.TimeZone, out var edit, out var error);
        var decision = await DecideAsync(appointment, target, remote, ours, edit, cancellationToken);
        switch (decision)
        {
            case ReconcileDecision.Nothing:
                return;
            case ReconcileDecision.KeepRemote:
                target.RecordPulled(remote.Etag, ours.ContentHash(), now, appointment.Version);
                target.KeepForeignParts(edit!.ForeignParts);
                return;
            case ReconcileDecision.ApplyRemoteEdit:
                _pulledEdits.Add(new PulledEdit(appointment, target, remote, edit!)); // applied (or held) with the others
                return;
        }

        if (error is not null)
        {
            LogMalformed(logger, binding.Id, target.CalDavHref, error);
        }

        // Paliad's copy wins: it changed too, the remote copy is unreadable, a series, or the user may only view it;
        // or Paliad's change is merged around what another client added.
        await OverwriteRemoteAsync(appointment, target, remote, edit, decision, recordLoss: true, cancellationToken);
    }

    /// <summary>
    /// The calendar edits this pull would apply, settled together. More than Sync:MassChangeThreshold at once and no
    /// decision yet: none is applied or overwritten, the binding holds them (true). The user's decision, once taken:
    /// apply them all as ordinary pulled edits, or write Paliad's version back over them (conflicts) — one activity
    /// line either way. Otherwise each is applied as it always was.
    /// </summary>
    private async Task<bool> SettlePulledEditsAsync(CancellationToken cancellationToken)
    {
        var edits = _pulledEdits.ToList();
        _pulledEdits.Clear();
        var now = clock.GetUtcNow();

        // The events are counted only when no decision covers these edits and they are enough to be a mass change.
        var covered = HeldEditsPlan.DecisionFor(edits.Count, binding.HeldChanges, binding.HeldDecision) is not null;
        var threshold = options.MassChangeThreshold.AsThreshold();
        var events = covered || edits.Count <= threshold.MoreThan ? 0 : await EventsInBindingAsync(cancellationToken);
        var action = HeldEditsPlan.Choose(edits.Count, events, binding.HeldChanges, binding.HeldDecision, threshold);
        if (action == PulledEditsAction.Hold)
        {
            binding.HoldRemoteEdits(edits.Count, now);
            return true;
        }

        var problemsBefore = _problems.Count;
        foreach (var pulled in edits)
        {
            if (action == PulledEditsAction.RevertDecided)
            {
                await Guarded(pulled.Appointment.Id, () => OverwriteRemoteAsync(
                    pulled.Appointment, pulled.Target, pulled.Remote, pulled.Edit, ReconcileDecision.OverwriteRemoteCountConflict, recordLoss: false, cancellationToken),
                    keepOthersPending: true);
            }
            else
            {
                ApplyPulledEdit(pulled, now, recordActivity: action == PulledEditsAction.ApplyAsUsual);
            }
        }

        if (action != PulledEditsAction.ApplyAsUsual && _problems.Count == problemsBefore)
        {
            binding.RecordHeldEditsDecided(edits.Count, now);
        }
        else if (action == PulledEditsAction.ApplyAsUsual && binding.HeldChanges > 0)
        {
            binding.ForgetHeldEdits(); // the calendar's mass change shrank to what a person does: applied as such
        }

        // A revert that could not write every copy keeps the decision: the next tick reverts what is left, rather
        // than taking those edits as ordinary ones once they are too few to be held.
        return false;
    }

    private Task<int> EventsInBindingAsync(CancellationToken cancellationToken)
        => db.AppointmentTargets.CountAsync(t => t.BindingId == binding.Id, cancellationToken);

    private void ApplyPulledEdit(PulledEdit pulled, DateTimeOffset now, bool recordActivity)
    {
        var (appointment, target, remote, edit) = pulled;
        var before = appointment.Details;
        ApplyRemoteEdit(appointment, edit, now);
        target.RecordPulled(remote.Etag, EventContent.From(appointment, target.CalDavUid).ContentHash(), now, appointment.Version);
        target.KeepForeignParts(edit.ForeignParts);
        if (recordActivity && appointment.Details != before)
        {
            target.RecordRemoteEditApplied(binding, appointment, ChangedFields(before, appointment.Details), now);
        }

        _touched.Add(appointment.Id);
    }

    /// <summary>Writes Paliad's version over the server's copy this pull read (or over what is there now, after a
    /// 412), counting and telling what the user lost (unless <paramref name="recordLoss"/> is off: a reverted mass
    /// change is one activity line, not one per event).</summary>
    private async Task OverwriteRemoteAsync(
        Appointment appointment, AppointmentTarget target, RemoteResource remote, RemoteEvent? edit, ReconcileDecision decision, bool recordLoss,
        CancellationToken cancellationToken)
    {
        var ours = EventContent.From(appointment, target.CalDavUid);
        var now = clock.GetUtcNow();
        var readable = edit is not null;
        var overwrite = new Overwrite(
            target.CalDavHref, (seq, foreign) => ICalendarMapper.ToICalendar(ours, seq, appointment.CreatedAt, appointment.UpdatedAt, now, foreign),
            Math.Max(appointment.Version, (edit?.Sequence ?? -1) + 1), remote.Etag, readable ? edit!.ForeignParts : target.ForeignParts, target.ContentHash,
            appointment.TimeZone);
        var done = await OverwriteAsync(overwrite, cancellationToken);
        target.RecordPushed(done.Etag, ours.ContentHash(), now, appointment.Version);
        target.KeepForeignParts(done.ForeignParts);
        _touched.Add(appointment.Id);
        if (done.Outcome == PutOutcome.Updated && done.Found is null)
        {
            // Written over the copy this pull read: what was decided about that copy stands.
            if (recordLoss)
            {
                RecordWhatTheUserLost(target, appointment, new FoundCopy(decision, readable, edit?.Title), now);
            }

            Count(ReconcilePolicy.CountsConflict(decision) ? PutOutcome.Conflict : PutOutcome.Updated);
            return;
        }

        if (recordLoss)
        {
            RecordWhatTheUserLost(target, appointment, done, now);
        }

        Count(done.Outcome);
    }

    /// <summary>The names of the fields a calendar's edit changed, as the activity feed says them.</summary>
    private static List<string> ChangedFields(AppointmentDetails before, AppointmentDetails after)
    {
        var changed = new List<string>();
        if (before.Title != after.Title)
        {
            changed.Add("title");
        }

        if (before.Description != after.Description)
        {
            changed.Add("description");
        }

        if (before.Location != after.Location)
        {
            changed.Add("location");
        }

        if (before.StartsAt != after.StartsAt || before.EndsAt != after.EndsAt || before.AllDay != after.AllDay)
        {
            changed.Add("time");
        }

        return changed;
    }

    /// <summary>The reconcile policy for a remote copy that exists, asking the database for the user's edit right
    /// only when the decision depends on it.</summary>
    private async Task<ReconcileDecision> DecideAsync(
        Appointment appointment, AppointmentTarget target, RemoteResource remote, EventContent ours, RemoteEvent? edit, CancellationToken cancellationToken)
    {
        var remoteChanged = remote.Etag is null || remote.Etag != target.CalDavEtag;
        var localChanged = ours.ContentHash() != target.ContentHash;
        var readable = edit is not null;
        var ownFieldsChanged = edit is null || edit.AsContent(appointment.TimeZone).ContentHash() != target.ContentHash;
        var series = edit?.IsSeries ?? false;
        var mayEdit = ReconcilePolicy.NeedsEditRight(false, remoteChanged, localChanged, readable, ownFieldsChanged, series)
            && await MayEditAsync(appointment, cancellationToken);
        return ReconcilePolicy.Decide(false, remoteChanged, localChanged, readable, mayEdit, ownFieldsChanged, series);
    }

    /// <summary>Deleted on the server (a phone, say): never delete a court date because of that — put it back, with
    /// what other clients had added to it.</summary>
    private async Task RestoreAsync(Appointment appointment, AppointmentTarget target, CancellationToken cancellationToken)
    {
        var content = EventContent.From(appointment, target.CalDavUid);
        var now = clock.GetUtcNow();
        var etag = await CreateOrAdoptAsync(
            target.CalDavHref, ICalendarMapper.ToICalendar(content, appointment.Version, appointment.CreatedAt, appointment.UpdatedAt, now, target.ForeignParts),
            cancellationToken);
        target.RecordPushed(etag, content.ContentHash(), now, appointment.Version);
        target.RecordRemoteDeletionReverted(binding, appointment, now);
        _touched.Add(appointment.Id);
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
