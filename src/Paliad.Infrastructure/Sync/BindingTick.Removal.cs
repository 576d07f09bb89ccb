using Microsoft.EntityFrameworkCore;
using Paliad.Domain.CalDav;
using Paliad.Infrastructure.CalDav;
using Paliad.Infrastructure.CalDav.ICalendar;

namespace Paliad.Infrastructure.Sync;

/// <summary>Removal: events that leave a calendar, and the phone edits salvaged before they go.</summary>
internal sealed partial class BindingTick
{
    /// <summary>A target whose appointment left the scope (or whose binding moved to another calendar): its event
    /// leaves the calendar (404 counts as done). The DELETE carries the ETag last seen; if the phone edited the event
    /// since, that edit is applied first (or counted as a conflict), never dropped by a blind DELETE.</summary>
    public async Task DeleteStaleAsync(AppointmentTarget target, CancellationToken cancellationToken)
    {
        if (target.CalDavEtag is null)
        {
            // No ETag to condition on (one too long to keep, say): look first, so an edit is not deleted unseen.
            var current = await SalvageRemoteEditAsync(target, cancellationToken, countConflict: false);
            await DeleteRemoteAsync(client, target.CalDavHref, current, cancellationToken);
        }
        else
        {
            try
            {
                await client.DeleteAsync(target.CalDavHref, target.CalDavEtag, cancellationToken);
            }
            catch (CalDavConflictException)
            {
                var current = await SalvageRemoteEditAsync(target, cancellationToken);
                await DeleteRemoteAsync(client, target.CalDavHref, current, cancellationToken);
            }
        }

        db.AppointmentTargets.Remove(target);
        Deleted++;
        metrics.Deletes.Add(1);
        await db.SaveChangesAsync(CancellationToken.None);
    }

    /// <summary>Removes copies the outbox names (a deleted appointment's), counting them as this run's deletes.</summary>
    public async Task DeleteCopiesAsync(IReadOnlyCollection<RemoteEventLocation> copies, CancellationToken cancellationToken)
        => Deleted += await DeleteCopiesAsync(client, copies, metrics, cancellationToken);

    /// <summary>Removes the given copies with this client; returns how many.</summary>
    public static async Task<int> DeleteCopiesAsync(
        CalDavClient client, IReadOnlyCollection<RemoteEventLocation> copies, SyncMetrics metrics, CancellationToken cancellationToken)
    {
        foreach (var copy in copies)
        {
            await DeleteRemoteAsync(client, copy.Href, copy.Etag, cancellationToken);
            metrics.Deletes.Add(1);
        }

        return copies.Count;
    }

    /// <summary>DELETE with If-Match; when the server's copy changed meanwhile it goes anyway: the appointment is no
    /// longer meant to be in this calendar.</summary>
    public static async Task DeleteRemoteAsync(CalDavClient client, string href, string? etag, CancellationToken cancellationToken)
    {
        try
        {
            await client.DeleteAsync(href, etag, cancellationToken);
        }
        catch (CalDavConflictException)
        {
            await client.DeleteAsync(href, null, cancellationToken);
        }
    }

    /// <summary>Before an event leaves a calendar whose copy changed since Paliad last saw it: a remote-only edit is
    /// applied to the appointment when the binding's user may edit it; otherwise Paliad's version stands and a
    /// conflict is counted. Returns the ETag of what is on the server now (null: already gone).</summary>
    /// <remarks><paramref name="countConflict"/> is off when the copy's ETag was unknown: then the server's copy
    /// cannot be told changed from unchanged, and applying an unchanged copy changes nothing anyway.</remarks>
    private async Task<string?> SalvageRemoteEditAsync(AppointmentTarget target, CancellationToken cancellationToken, bool countConflict = true)
    {
        var remote = await client.GetAsync(target.CalDavHref, cancellationToken);
        if (remote is null || (remote.Etag is not null && remote.Etag == target.CalDavEtag))
        {
            return remote?.Etag;
        }

        var appointment = await db.Appointments.SingleOrDefaultAsync(a => a.Id == target.AppointmentId, cancellationToken);
        if (appointment is not null)
        {
            ICalendarMapper.TryParse(remote.ICalendar, appointment.TimeZone, out var edit, out _);
            var decision = await DecideAsync(appointment, target, remote, EventContent.From(appointment, target.CalDavUid), edit, cancellationToken);
            if (decision == ReconcileDecision.ApplyRemoteEdit)
            {
                ApplyRemoteEdit(appointment, edit!, clock.GetUtcNow());

                // Its AppointmentChanged names this binding, so its fan-out to the other calendars rides on this event.
                binding.RecordRemoteEditsApplied(_editsApplied);
                _editsApplied.Clear();
                await db.SaveChangesAsync(CancellationToken.None);
            }
            else if (decision is ReconcileDecision.OverwriteRemote or ReconcileDecision.OverwriteRemoteCountConflict or ReconcileDecision.RevertSeries
                && countConflict)
            {
                // The event leaves this calendar with Paliad's version standing: the phone's edit is not taken.
                Conflicts++;
                metrics.Conflicts.Add(1);
            }
        }

        return remote.Etag;
    }
}
