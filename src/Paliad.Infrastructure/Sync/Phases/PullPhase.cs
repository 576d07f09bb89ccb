using System.Diagnostics;
using Paliad.Domain.Appointments;
using Paliad.Domain.CalDav;
using Paliad.Infrastructure.CalDav;
using Paliad.Infrastructure.CalDav.ICalendar;

namespace Paliad.Infrastructure.Sync.Phases;

/// <summary>
/// Pull: what changed on the server (<see cref="RemoteChangeDetection"/>), each changed or deleted copy decided by
/// <see cref="ReconcilePolicy"/> and then carried out — an edit applied (all of them together, or held as a mass
/// change), Paliad's version written back, a deletion restored — and recorded in one round trip at the end.
/// </summary>
internal sealed class PullPhase(TickContext tick, CopyWriter writer, RemoteEdits edits)
{
    /// <summary>Changed events fetched per multiget call (the client splits each into REPORTs of CalDav:MultigetMaxHrefs).</summary>
    private const int PullSlice = 500;

    /// <summary>Calendar edits this pull would apply, gathered before any is: together they may be a mass change.</summary>
    private readonly List<PulledEdit> _pulledEdits = [];

    private sealed record PulledEdit(Appointment Appointment, AppointmentTarget Target, RemoteResource Remote, RemoteEvent Edit);

    private CalendarBinding Binding => tick.Binding;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var markers = RemoteChangeDetection.MarkersFor(Binding);
        CollectionState state;
        try
        {
            state = await tick.Calendar.GetStateAsync(markers, cancellationToken);
        }
        catch (CalDavNotFoundException)
        {
            await writer.EnsureCalendarAsync(cancellationToken);
            state = await tick.Calendar.GetStateAsync(markers, cancellationToken);
        }

        var problemsBefore = tick.Tally.Problems.Count;
        var fullReconcile = Binding.FullReconcileDue(tick.Options.FullReconcileEvery);
        if (RemoteChangeDetection.Unchanged(markers, state, Binding) && !fullReconcile)
        {
            Binding.RecordPull(Binding.SyncToken, Binding.Ctag, fullReconcile: false);
            return;
        }

        var (appointments, changed, deleted, newToken, reconciledAll) =
            await new RemoteChangeDetection(tick.Calendar, tick.Book, Binding).FindAsync(state, fullReconcile, cancellationToken);
        var held = false;

        // Pulled edits are recorded in one round trip at the end (also when the pull stops on a server failure:
        // what was done is kept); if that write is refused, the markers stay put and the next tick pulls again. Held
        // edits (a mass change) keep the markers put too: every tick sees them again until the user decides.
        try
        {
            // Fetched a slice at a time: a full reconcile of a large calendar never holds every event's text at once.
            foreach (var slice in changed.Chunk(PullSlice))
            {
                var fetched = await tick.Calendar.MultigetAsync(slice.Select(t => t.CalDavHref).ToList(), cancellationToken);
                foreach (var target in slice)
                {
                    var key = Hrefs.Key(target.CalDavHref);
                    if (fetched.Found.TryGetValue(key, out var remote))
                    {
                        await tick.GuardedAsync(target.AppointmentId, () => ReconcileAsync(appointments[target.AppointmentId], target, remote, cancellationToken),
                            keepOthersPending: true);
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
                await tick.GuardedAsync(target.AppointmentId, () => ReconcileDeletedAsync(appointments[target.AppointmentId], target, cancellationToken),
                    keepOthersPending: true);
            }
        }
        finally
        {
            await RecordPulledAsync();
        }

        if (tick.Tally.Problems.Count > problemsBefore || held)
        {
            // Something could not be reconciled: keep the old markers, so the next tick sees these changes again.
            Binding.RecordPull(Binding.SyncToken, Binding.Ctag, fullReconcile: false);
            return;
        }

        Binding.RecordPull(newToken, state.Ctag, reconciledAll);
    }

    /// <summary>The server's copy changed: decided, then carried out. Only in what other clients own: learnt. A
    /// remote-only change of Paliad's fields the user may make: gathered with the others (applied or held together).
    /// Anything else: Paliad's version is written back (merged around what other clients added).</summary>
    private async Task ReconcileAsync(Appointment appointment, AppointmentTarget target, RemoteResource remote, CancellationToken cancellationToken)
    {
        _ = ICalendarMapper.TryParse(remote.ICalendar, appointment.TimeZone, out var edit, out var error);
        var decision = await edits.DecideAsync(appointment, RemoteEdits.InputFor(appointment, target, remote, edit), cancellationToken);
        switch (decision)
        {
            case ReconcileDecision.Nothing:
                return;
            case ReconcileDecision.KeepRemote:
                target.RecordPulled(remote.Etag, EventContent.From(appointment, target.CalDavUid).ContentHash(), tick.Now, appointment.Version);
                target.KeepForeignParts(edit!.ForeignParts);
                return;
            case ReconcileDecision.ApplyRemoteEdit:
                _pulledEdits.Add(new PulledEdit(appointment, target, remote, edit!));
                return;
            case ReconcileDecision.OverwriteRemote or ReconcileDecision.OverwriteRemoteCountConflict or ReconcileDecision.RevertSeries
                or ReconcileDecision.PushMerged:
                if (error is not null)
                {
                    tick.NoteMalformed(target.CalDavHref, error);
                }

                await OverwriteRemoteAsync(appointment, target, remote, edit, decision, recordLoss: true, cancellationToken);
                return;
            default:
                throw new UnreachableException($"A copy that exists cannot be decided {decision}.");
        }
    }

    /// <summary>Deleted on the server (a phone, say): the policy never deletes a court date because of that — it is
    /// put back, with what other clients had added to it.</summary>
    private async Task ReconcileDeletedAsync(Appointment appointment, AppointmentTarget target, CancellationToken cancellationToken)
    {
        var content = EventContent.From(appointment, target.CalDavUid);
        var decision = ReconcilePolicy.Decide(new ReconcileInput { Remote = RemoteCopyState.Deleted, LocalChanged = content.ContentHash() != target.ContentHash });
        if (decision != ReconcileDecision.Restore)
        {
            throw new UnreachableException($"A deleted copy cannot be decided {decision}.");
        }

        var now = tick.Now;
        var etag = await writer.CreateOrAdoptAsync(
            target.CalDavHref, ICalendarMapper.ToICalendar(content, appointment.Version, appointment.CreatedAt, appointment.UpdatedAt, now, target.ForeignParts),
            cancellationToken);
        target.RecordPushed(etag, content.ContentHash(), now, appointment.Version);
        target.RecordRemoteDeletionReverted(Binding, appointment, now);
        tick.Tally.Touch(appointment.Id);
        tick.Tally.Restored();
    }

    /// <summary>
    /// The calendar edits this pull would apply, settled together (<see cref="HeldEditsPlan"/>). More than
    /// Sync:MassChangeThreshold at once and no decision yet: none is applied or overwritten, the binding holds them
    /// (true). The user's decision, once taken: apply them all as ordinary pulled edits, or write Paliad's version back
    /// over them (conflicts) — one activity line either way. Otherwise each is applied as it always was.
    /// </summary>
    private async Task<bool> SettlePulledEditsAsync(CancellationToken cancellationToken)
    {
        var pulled = _pulledEdits.ToList();
        _pulledEdits.Clear();
        var now = tick.Now;

        // The events are counted only when no decision covers these edits and they are enough to be a mass change.
        var covered = HeldEditsPlan.DecisionFor(pulled.Count, Binding.HeldChanges, Binding.HeldDecision) is not null;
        var threshold = tick.Options.MassChangeThreshold.AsThreshold();
        var events = covered || pulled.Count <= threshold.MoreThan ? 0 : await tick.Book.CountCopiesAsync(cancellationToken);
        var action = HeldEditsPlan.Choose(pulled.Count, events, Binding.HeldChanges, Binding.HeldDecision, threshold);
        if (action == PulledEditsAction.Hold)
        {
            Binding.HoldRemoteEdits(pulled.Count, now);
            return true;
        }

        var problemsBefore = tick.Tally.Problems.Count;
        foreach (var edit in pulled)
        {
            if (action == PulledEditsAction.RevertDecided)
            {
                await tick.GuardedAsync(edit.Appointment.Id, () => OverwriteRemoteAsync(
                    edit.Appointment, edit.Target, edit.Remote, edit.Edit, ReconcileDecision.OverwriteRemoteCountConflict, recordLoss: false, cancellationToken),
                    keepOthersPending: true);
            }
            else
            {
                ApplyPulledEdit(edit, now, recordActivity: action == PulledEditsAction.ApplyAsUsual);
            }
        }

        if (action != PulledEditsAction.ApplyAsUsual && tick.Tally.Problems.Count == problemsBefore)
        {
            Binding.RecordHeldEditsDecided(pulled.Count, now);
        }
        else if (action == PulledEditsAction.ApplyAsUsual && Binding.HeldChanges > 0)
        {
            Binding.ForgetHeldEdits(); // the calendar's mass change shrank to what a person does: applied as such
        }

        // A revert that could not write every copy keeps the decision: the next tick reverts what is left, rather
        // than taking those edits as ordinary ones once they are too few to be held.
        return false;
    }

    private void ApplyPulledEdit(PulledEdit pulled, DateTimeOffset now, bool recordActivity)
    {
        var (appointment, target, remote, edit) = pulled;
        var before = appointment.Details;
        edits.Apply(appointment, edit, now);
        target.RecordPulled(remote.Etag, EventContent.From(appointment, target.CalDavUid).ContentHash(), now, appointment.Version);
        target.KeepForeignParts(edit.ForeignParts);
        if (recordActivity && appointment.Details != before)
        {
            target.RecordRemoteEditApplied(Binding, appointment, AppointmentDetails.ChangedFields(before, appointment.Details), now);
        }

        tick.Tally.Touch(appointment.Id);
    }

    /// <summary>Writes Paliad's version over the server's copy this pull read (or over what is there now, after a
    /// 412), counting and telling what the user lost (unless <paramref name="recordLoss"/> is off: a reverted mass
    /// change is one activity line, not one per event).</summary>
    private async Task OverwriteRemoteAsync(
        Appointment appointment, AppointmentTarget target, RemoteResource remote, RemoteEvent? edit, ReconcileDecision decision, bool recordLoss,
        CancellationToken cancellationToken)
    {
        var ours = EventContent.From(appointment, target.CalDavUid);
        var now = tick.Now;
        var readable = edit is not null;
        var overwrite = new Overwrite(
            target.CalDavHref, (seq, foreign) => ICalendarMapper.ToICalendar(ours, seq, appointment.CreatedAt, appointment.UpdatedAt, now, foreign),
            Math.Max(appointment.Version, (edit?.Sequence ?? -1) + 1), remote.Etag, readable ? edit!.ForeignParts : target.ForeignParts, target.ContentHash,
            appointment.TimeZone);
        var done = await writer.OverwriteAsync(overwrite, cancellationToken);
        target.RecordPushed(done.Etag, ours.ContentHash(), now, appointment.Version);
        target.KeepForeignParts(done.ForeignParts);
        tick.Tally.Touch(appointment.Id);
        if (done.Outcome == PutOutcome.Updated && done.Found is null)
        {
            // Written over the copy this pull read: what was decided about that copy stands.
            if (recordLoss)
            {
                writer.RecordWhatTheUserLost(target, appointment, new FoundCopy(decision, readable, edit?.Title), now);
            }

            writer.Count(ReconcilePolicy.CountsConflict(decision) ? PutOutcome.Conflict : PutOutcome.Updated);
            return;
        }

        if (recordLoss)
        {
            writer.RecordWhatTheUserLost(target, appointment, done, now);
        }

        writer.Count(done.Outcome);
    }

    /// <summary>Saves what the pull applied and wrote, in one round trip, with one event for all the edits applied
    /// (their fan-out to the other calendars).</summary>
    private async Task RecordPulledAsync()
    {
        if (!tick.Book.HasChanges)
        {
            return;
        }

        try
        {
            edits.RaiseApplied();
            await tick.Book.SaveAsync();
        }
        catch (CopyBookRefusedException e)
        {
            // An appointment edited in Paliad meanwhile (its version moved), say: the remote edits stay on the server
            // and are pulled again next tick, against the appointment as it is then.
            tick.Tally.Problem($"pulled changes could not be recorded: {e.Message}");
            await tick.Book.DiscardAsync();
        }
    }
}
