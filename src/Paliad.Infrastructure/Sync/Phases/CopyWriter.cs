using System.Diagnostics;
using Paliad.Domain.Appointments;
using Paliad.Domain.CalDav;
using Paliad.Infrastructure.CalDav;
using Paliad.Infrastructure.CalDav.ICalendar;

namespace Paliad.Infrastructure.Sync.Phases;

/// <summary>How a write of Paliad's version went.</summary>
internal enum PutOutcome
{
    Created,
    Updated,
    Conflict,
    Restored,
}

/// <summary>An overwrite of a copy: the event rendered at a SEQUENCE with other clients' parts merged, the ETag it
/// is expected to have, and the hash of Paliad's fields as last synced (to tell a foreign-only change on the
/// server from an edit of Paliad's fields).</summary>
internal sealed record Overwrite(
    string Href, Func<int, string?, string> Render, int Sequence, string? KnownEtag, string? ForeignParts, string? LastSyncedHash, string TimeZone);

/// <summary>A server's copy that had changed: the decision about it, whether it could be read, its title.</summary>
internal sealed record FoundCopy(ReconcileDecision Decision, bool Readable, string? RemoteTitle);

/// <summary>What the server took: the new ETag, how the write went, the other clients' parts now in the copy, and
/// — when the write met a copy changed meanwhile — what was decided about it.</summary>
internal sealed record PushDone(string? Etag, PutOutcome Outcome, string? ForeignParts = null, FoundCopy? Found = null);

/// <summary>
/// The writes every phase makes into the calendar: create (or adopt an event an interrupted tick left), overwrite
/// with If-Match (a 412 is decided by <see cref="ReconcilePolicy"/>), delete, and the calendar created once per tick
/// when it is missing — plus what a write tells the tally and the activity feed. No database here: writes run
/// concurrently.
/// </summary>
internal sealed class CopyWriter(TickContext tick)
{
    private readonly Lock _calendarGate = new();
    private Task? _calendarEnsured;

    private IRemoteCalendar Calendar => tick.Calendar;

    /// <summary>PUT If-None-Match: *. If the resource is there already (an earlier tick died after its PUT, or a
    /// retried request landed twice) it is ours — the UID and href come from our ids — so it is overwritten.</summary>
    public async Task<string?> CreateOrAdoptAsync(string href, string iCalendar, CancellationToken cancellationToken)
    {
        try
        {
            return await Calendar.CreateAsync(href, iCalendar, cancellationToken);
        }
        catch (CalDavConflictException)
        {
            var current = await Calendar.GetEtagAsync(href, cancellationToken);
            if (current is not null)
            {
                return await Calendar.UpdateAsync(href, iCalendar, current, cancellationToken);
            }

            // Not there, yet the PUT conflicted: the calendar itself is missing (Radicale answers 409).
            await EnsureCalendarAsync(cancellationToken);
            return await Calendar.CreateAsync(href, iCalendar, cancellationToken);
        }
        catch (CalDavNotFoundException)
        {
            // The calendar is missing (Xandikos answers 404).
            await EnsureCalendarAsync(cancellationToken);
            return await Calendar.CreateAsync(href, iCalendar, cancellationToken);
        }
        catch (CalDavForbiddenException) when (_calendarEnsured is null)
        {
            // Cyrus answers 403 ("Mailbox does not exist") to a PUT into a missing calendar; any other 403 stands.
            if (!await CalendarMissingAsync(cancellationToken))
            {
                throw;
            }

            await EnsureCalendarAsync(cancellationToken);
            return await Calendar.CreateAsync(href, iCalendar, cancellationToken);
        }
    }

    /// <summary>A binding on a calendar that does not exist yet creates it (once per tick, however many concurrent
    /// pushes find it missing), named after the binding.</summary>
    public Task EnsureCalendarAsync(CancellationToken cancellationToken)
    {
        lock (_calendarGate)
        {
            var binding = tick.Binding;
            return _calendarEnsured ??= Calendar.EnsureExistsAsync(binding.DisplayName ?? binding.CalendarPath.TrimEnd('/').Split('/')[^1], cancellationToken);
        }
    }

    private async Task<bool> CalendarMissingAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Calendar.GetStateAsync(ChangeMarkers.Ctag, cancellationToken);
            return false;
        }
        catch (CalDavNotFoundException)
        {
            return true;
        }
    }

    /// <summary>PUT If-Match with the ETag we last saw. A 412 means the server's copy changed as well: fetch it and
    /// decide (<see cref="ReconcilePolicy"/>) — Paliad is the system of record, so its version goes over it with a
    /// SEQUENCE above the one the other side wrote, keeping what other clients added, or re-creates it when it was
    /// deleted. Whether that lost the other side's edit (a conflict) is the policy's to say.</summary>
    public async Task<PushDone> OverwriteAsync(Overwrite overwrite, CancellationToken cancellationToken)
    {
        var (href, render, sequence, knownEtag, foreignParts, lastSyncedHash, timeZone) = overwrite;
        if (knownEtag is not null)
        {
            try
            {
                return new PushDone(await Calendar.UpdateAsync(href, render(sequence, foreignParts), knownEtag, cancellationToken), PutOutcome.Updated, foreignParts);
            }
            catch (CalDavConflictException)
            {
                // Both sides changed; decide about what is there now.
            }
        }

        var current = await Calendar.GetAsync(href, cancellationToken);
        RemoteEvent? remote = null;
        var readable = current is not null && ICalendarMapper.TryParse(current.ICalendar, timeZone, out remote, out _);
        var decision = ReconcilePolicy.Decide(new ReconcileInput
        {
            Remote = current is null ? RemoteCopyState.Deleted : knownEtag is null ? RemoteCopyState.Unknown : RemoteCopyState.Changed,
            LocalChanged = true,
            RemoteReadable = readable,
            RemoteOwnFieldsChanged = !readable || remote!.AsContent(timeZone).ContentHash() != lastSyncedHash,
            RemoteIsSeries = readable && remote!.IsSeries,
        });
        if (decision == ReconcileDecision.Restore)
        {
            return new PushDone(await Calendar.CreateAsync(href, render(sequence, foreignParts), cancellationToken), PutOutcome.Restored, foreignParts);
        }

        if (!ReconcilePolicy.WritesOver(decision))
        {
            throw new UnreachableException($"A local change met by a changed copy cannot be decided {decision}.");
        }

        var merged = readable ? remote!.ForeignParts : foreignParts;
        var body = render(Math.Max(sequence, (remote?.Sequence ?? -1) + 1), merged);
        var etag = current!.Etag ?? await Calendar.GetEtagAsync(href, cancellationToken);
        var written = etag is null ? await Calendar.CreateAsync(href, body, cancellationToken) : await Calendar.UpdateAsync(href, body, etag, cancellationToken);
        var outcome = ReconcilePolicy.CountsConflict(decision) ? PutOutcome.Conflict : PutOutcome.Updated;

        // Without a known ETag (a backfilled copy) there is no edit to tell the user they lost.
        return new PushDone(written, outcome, merged, knownEtag is null ? null : new FoundCopy(decision, readable, remote?.Title));
    }

    /// <summary>DELETE with If-Match; when the server's copy changed meanwhile it goes anyway: the appointment is no
    /// longer meant to be in this calendar.</summary>
    public Task DeleteAsync(string href, string? etag, CancellationToken cancellationToken) => DeleteEventAsync(Calendar, href, etag, cancellationToken);

    /// <inheritdoc cref="DeleteAsync"/>
    public static async Task DeleteEventAsync(IRemoteCalendar calendar, string href, string? etag, CancellationToken cancellationToken)
    {
        try
        {
            await calendar.DeleteAsync(href, etag, cancellationToken);
        }
        catch (CalDavConflictException)
        {
            await calendar.DeleteAsync(href, null, cancellationToken);
        }
    }

    /// <summary>Raises, on the copy, what its user should know about a write that met the server's copy changed or
    /// gone: their calendar's edit was overwritten, their series reverted, or their deletion undone.</summary>
    public void RecordWhatTheUserLost(AppointmentTarget target, Appointment appointment, PushDone done, DateTimeOffset now)
    {
        if (done.Outcome == PutOutcome.Restored)
        {
            target.RecordRemoteDeletionReverted(tick.Binding, appointment, now);
            return;
        }

        if (done.Found is { } found)
        {
            RecordWhatTheUserLost(target, appointment, found, now);
        }
    }

    public void RecordWhatTheUserLost(AppointmentTarget target, Appointment appointment, FoundCopy found, DateTimeOffset now)
    {
        switch (found.Decision)
        {
            case ReconcileDecision.RevertSeries:
                target.RecordRemoteSeriesReverted(tick.Binding, appointment, found.RemoteTitle, now);
                break;
            case ReconcileDecision.OverwriteRemoteCountConflict or ReconcileDecision.OverwriteRemote:
                var loss = !found.Readable ? RemoteEditLoss.Unreadable
                    : found.Decision == ReconcileDecision.OverwriteRemote ? RemoteEditLoss.ViewOnly : RemoteEditLoss.ChangedInPaliad;
                target.RecordRemoteEditOverwritten(tick.Binding, appointment, found.RemoteTitle, loss, now);
                break;
        }
    }

    public void Count(PutOutcome outcome)
    {
        switch (outcome)
        {
            case PutOutcome.Created:
                tick.Tally.Created();
                break;
            case PutOutcome.Updated:
                tick.Tally.Updated();
                break;
            case PutOutcome.Conflict:
                tick.Tally.UpdatedOverConflict();
                break;
            case PutOutcome.Restored:
                tick.Tally.Restored();
                break;
        }
    }
}
