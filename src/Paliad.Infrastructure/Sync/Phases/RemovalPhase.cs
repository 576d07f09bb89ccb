using Paliad.Domain.CalDav;
using Paliad.Infrastructure.CalDav;
using Paliad.Infrastructure.CalDav.ICalendar;

namespace Paliad.Infrastructure.Sync.Phases;

/// <summary>
/// Removal: events that leave the calendar — copies whose appointment left the scope (or whose binding moved to
/// another calendar), and copies the outbox names (a deleted appointment's or binding's). A DELETE carries the ETag
/// last seen (404 counts as done); a phone's edit made since is judged first (<see cref="ReconcilePolicy"/>) and
/// applied or counted as a conflict, never dropped by a blind DELETE.
/// </summary>
internal sealed class RemovalPhase(TickContext tick, CopyWriter writer, RemoteEdits edits)
{
    /// <summary>Takes each stale copy's event off the calendar and its row out of the book, one at a time (each
    /// recorded right after its DELETE).</summary>
    public async Task RunAsync(IEnumerable<AppointmentTarget> stale, CancellationToken cancellationToken)
    {
        foreach (var copy in stale)
        {
            await tick.GuardedAsync(copy.AppointmentId, () => RemoveAsync(copy, cancellationToken));
        }
    }

    /// <summary>Removes events the outbox names by href (their rows are gone already), counting them.</summary>
    public async Task RemoveEventsAsync(IReadOnlyCollection<RemoteEventLocation> events, CancellationToken cancellationToken)
    {
        foreach (var copy in events)
        {
            await writer.DeleteAsync(copy.Href, copy.Etag, cancellationToken);
            tick.Tally.Deleted();
        }
    }

    private async Task RemoveAsync(AppointmentTarget copy, CancellationToken cancellationToken)
    {
        if (copy.CalDavEtag is null)
        {
            // No ETag to condition on (one too long to keep, say): look first, so an edit is not deleted unseen.
            await writer.DeleteAsync(copy.CalDavHref, await SalvageRemoteEditAsync(copy, cancellationToken), cancellationToken);
        }
        else
        {
            try
            {
                await tick.Calendar.DeleteAsync(copy.CalDavHref, copy.CalDavEtag, cancellationToken);
            }
            catch (CalDavConflictException)
            {
                await writer.DeleteAsync(copy.CalDavHref, await SalvageRemoteEditAsync(copy, cancellationToken), cancellationToken);
            }
        }

        tick.Book.RemoveCopy(copy);
        tick.Tally.Deleted();
        await tick.Book.SaveAsync();
    }

    /// <summary>Before an event leaves a calendar whose copy changed since Paliad last saw it: a remote-only edit is
    /// applied to the appointment when the binding's user may edit it; otherwise Paliad's version stands and a
    /// conflict is counted (none when the copy's ETag was unknown: then a change cannot be told from none). Returns
    /// the ETag of what is on the server now (null: already gone).</summary>
    private async Task<string?> SalvageRemoteEditAsync(AppointmentTarget copy, CancellationToken cancellationToken)
    {
        var remote = await tick.Calendar.GetAsync(copy.CalDavHref, cancellationToken);
        if (remote is null || (remote.Etag is not null && remote.Etag == copy.CalDavEtag))
        {
            return remote?.Etag;
        }

        var appointment = await tick.Book.FindAppointmentAsync(copy.AppointmentId, cancellationToken);
        if (appointment is null)
        {
            return remote.Etag;
        }

        ICalendarMapper.TryParse(remote.ICalendar, appointment.TimeZone, out var edit, out _);
        var input = RemoteEdits.InputFor(appointment, copy, remote, edit);
        var decision = await edits.DecideAsync(appointment, copy.CalDavEtag is null ? input with { Remote = RemoteCopyState.Unknown } : input, cancellationToken);
        if (decision == ReconcileDecision.ApplyRemoteEdit)
        {
            edits.Apply(appointment, edit!, tick.Now);

            // Its AppointmentChanged names this binding, so its fan-out to the other calendars rides on this event.
            edits.RaiseApplied();
            await tick.Book.SaveAsync();
        }
        else if (ReconcilePolicy.CountsConflict(decision) || decision == ReconcileDecision.OverwriteRemote)
        {
            // The event leaves this calendar with Paliad's version standing: the phone's edit is not taken.
            tick.Tally.Conflict();
        }

        return remote.Etag;
    }
}
