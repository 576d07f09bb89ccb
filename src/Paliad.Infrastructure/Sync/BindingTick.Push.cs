using Microsoft.EntityFrameworkCore;
using Paliad.Domain.Appointments;
using Paliad.Domain.CalDav;
using Paliad.Infrastructure.CalDav;
using Paliad.Infrastructure.CalDav.ICalendar;

namespace Paliad.Infrastructure.Sync;

/// <summary>Push: plans, concurrent writes, batched bookkeeping, create-or-adopt, overwrite.</summary>
internal sealed partial class BindingTick
{
    /// <summary>Bookkeeping of concurrent pushes is written in batches of this many rows (or every second).</summary>
    private const int BookkeepingBatch = 200;

    /// <summary>Writes answered 5xx in a row before a push phase counts the server as failing.</summary>
    private const int MaxServerErrorsInARow = 3;

    // ---- push ---------------------------------------------------------------------------------------------------------

    /// <summary>One appointment to push: what to write where, rendered when planned — on the tick's thread while earlier
    /// writes are in flight, so rendering overlaps the network instead of adding to it. What other clients added to
    /// the server's copy (as last seen) is merged in.</summary>
    private sealed record PushPlan(Appointment Appointment, AppointmentTarget? Target, string Uid, string Href, EventContent Content, string Hash, DateTimeOffset Now)
    {
        /// <summary>The event at the appointment's version as SEQUENCE (what is sent unless a conflict asks for more).</summary>
        public string Body { get; } = ICalendarMapper.ToICalendar(Content, Appointment.Version, Appointment.CreatedAt, Appointment.UpdatedAt, Now, Target?.ForeignParts);

        public Overwrite AsOverwrite() => new(Href, Render, Appointment.Version, Target?.CalDavEtag, Target?.ForeignParts, Target?.ContentHash, Appointment.TimeZone);

        private string Render(int sequence, string? foreignParts) => sequence == Appointment.Version && foreignParts == Target?.ForeignParts
            ? Body
            : ICalendarMapper.ToICalendar(Content, sequence, Appointment.CreatedAt, Appointment.UpdatedAt, Now, foreignParts);
    }

    /// <summary>What the server took: the new ETag, how the write went, the other clients' parts now in the copy, and
    /// — when the write met a copy changed meanwhile — what was decided about it.</summary>
    private sealed record PushDone(string? Etag, PutOutcome Outcome, string? ForeignParts = null, FoundCopy? Found = null);

    /// <summary>A server's copy that had changed: the decision about it, whether it could be read, its title.</summary>
    private sealed record FoundCopy(ReconcileDecision Decision, bool Readable, string? RemoteTitle);

    /// <summary>An overwrite of a copy: the event rendered at a SEQUENCE with other clients' parts merged, the ETag it
    /// is expected to have, and the hash of Paliad's fields as last synced (to tell a foreign-only change on the
    /// server from an edit of Paliad's fields).</summary>
    private sealed record Overwrite(
        string Href, Func<int, string?, string> Render, int Sequence, string? KnownEtag, string? ForeignParts, string? LastSyncedHash, string TimeZone);

    /// <summary>Null when the remote event already holds what the appointment says (same content hash) — then the
    /// copy is marked as matching the appointment's version, so it is not looked at again until the appointment
    /// changes.</summary>
    private PushPlan? PlanPush(Appointment appointment, AppointmentTarget? target)
    {
        var uid = target?.CalDavUid ?? EventNames.Uid(appointment.Id, binding.Id);
        var href = target?.CalDavHref ?? EventNames.Href(binding.CalendarPath, uid);
        var content = EventContent.From(appointment, uid);
        var hash = content.ContentHash();
        if (target is not null && target.ContentHash == hash)
        {
            if (target.SyncedVersion != appointment.Version)
            {
                target.RecordPushed(target.CalDavEtag, hash, target.LastPushedAt ?? clock.GetUtcNow(), appointment.Version);
            }

            return null;
        }

        return new PushPlan(appointment, target, uid, href, content, hash, clock.GetUtcNow());
    }

    /// <summary>Makes the remote events match the appointments: create (no target), update (content hash differs), or
    /// nothing (unchanged: the copy just learns the appointment's version). A 412 on update means the server's copy
    /// changed too: Paliad wins. Planning is lazy, so the next event is rendered while earlier writes are in flight.</summary>
    public async Task PushAllAsync(IEnumerable<PushWork.Item> items, CancellationToken cancellationToken)
    {
        // One byte budget for the push: what the server answers its writes — the copies fetched after 412s above all —
        // is bounded like any other operation's answers.
        using (client.BeginOperation("push"))
        {
            await PushManyAsync(items.Select(p => PlanPush(p.Appointment, p.Target)).OfType<PushPlan>(), cancellationToken);
        }

        if (db.ChangeTracker.HasChanges())
        {
            await db.SaveChangesAsync(CancellationToken.None); // versions of copies found unchanged
        }
    }

    /// <summary>
    /// Pushes many appointments at the network's floor: up to <c>pushConcurrency</c> writes in flight (the server's
    /// window in <see cref="ServerConcurrency"/> bounds them again, across bindings), rendering and hashing done
    /// before, bookkeeping written in batches (<see cref="BookkeepingBatch"/> rows or a second) on this thread, the
    /// only one that touches the DbContext. Crash-safe because UIDs and hrefs derive from ids and a create that
    /// meets an existing resource adopts it: a write whose record was lost is converged, never duplicated.
    /// A problem with one event is noted and the rest go on; a server-wide failure stops new writes, records what
    /// finished, and ends the tick.
    /// </summary>
    private async Task PushManyAsync(IEnumerable<PushPlan> plans, CancellationToken cancellationToken)
    {
        var inFlight = new List<(PushPlan Plan, Task<PushDone> Send)>();
        var finished = new List<(PushPlan Plan, PushDone Done)>();
        var lastFlush = clock.GetUtcNow();
        Exception? fatal = null;
        var serverErrorsInARow = 0;

        async Task CollectAsync((PushPlan Plan, Task<PushDone> Send) entry)
        {
            inFlight.Remove(entry);
            try
            {
                finished.Add((entry.Plan, await entry.Send));
                serverErrorsInARow = 0;
            }
            catch (Exception e) when (IsResourceProblem(e))
            {
                NoteProblem(entry.Plan.Appointment.Id, e);
            }
            catch (CalDavServerErrorException e) when (e.Status is not null && ++serverErrorsInARow < MaxServerErrorsInARow && fatal is null)
            {
                // One write the server answered with a 5xx (after its retries) while others went through: concurrent
                // writes can collide on some servers; this event waits for the next tick. Several in a row: the server
                // is failing, and the tick ends.
                NoteProblem(entry.Plan.Appointment.Id, e);
            }
            catch (Exception e) when (fatal is null)
            {
                fatal = e;
            }
            catch (Exception)
            {
                // A second failure while stopping adds nothing to the first.
            }
        }

        try
        {
            foreach (var plan in plans)
            {
                while (inFlight.Count >= Math.Max(1, pushConcurrency))
                {
                    var first = await Task.WhenAny(inFlight.Select(e => e.Send));
                    await CollectAsync(inFlight.First(e => e.Send == first));
                }

                if (fatal is not null || cancellationToken.IsCancellationRequested)
                {
                    break;
                }

                if (finished.Count >= BookkeepingBatch || clock.GetUtcNow() - lastFlush >= TimeSpan.FromSeconds(1))
                {
                    await RenewLeaseIfDueAsync();
                    await RecordManyAsync(finished, cancellationToken);
                    finished.Clear();
                    lastFlush = clock.GetUtcNow();
                }

                inFlight.Add((plan, Task.Run(() => WriteAsync(plan, cancellationToken), CancellationToken.None)));
            }
        }
        finally
        {
            // Whatever ends the loop (done, a fatal error, the deadline), every write that went out is waited for and
            // recorded before this returns.
            while (inFlight.Count > 0)
            {
                await CollectAsync(inFlight[0]);
            }

            await RecordManyAsync(finished, cancellationToken);
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (fatal is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(fatal).Throw();
        }
    }

    /// <summary>The network part of a push: no DbContext here (it runs concurrently with other pushes).</summary>
    private async Task<PushDone> WriteAsync(PushPlan plan, CancellationToken cancellationToken)
    {
        if (plan.Target is null)
        {
            return new PushDone(await CreateOrAdoptAsync(plan.Href, plan.Body, cancellationToken), PutOutcome.Created);
        }

        return await OverwriteAsync(plan.AsOverwrite(), cancellationToken);
    }

    /// <summary>Puts a finished push into the change tracker and counts it (saved by the caller).</summary>
    private void Track(PushPlan plan, PushDone done)
    {
        _touched.Add(plan.Appointment.Id);
        if (plan.Target is null)
        {
            db.AppointmentTargets.Add(AppointmentTarget.RecordCreated(
                plan.Appointment.Id, binding.Id, plan.Uid, plan.Href, done.Etag, plan.Hash, plan.Now, plan.Appointment.Version));
        }
        else
        {
            plan.Target.RecordPushed(done.Etag, plan.Hash, plan.Now, plan.Appointment.Version);
            plan.Target.KeepForeignParts(done.ForeignParts);
            RecordWhatTheUserLost(plan.Target, plan.Appointment, done, plan.Now);
        }

        Count(done.Outcome);
    }

    /// <summary>Records finished pushes in one SaveChanges; when the batch is refused (an appointment or the binding
    /// deleted meanwhile), records them one by one so only the refused ones are lost — and those are taken back off
    /// the server, since no row could ever say where they are.</summary>
    private async Task RecordManyAsync(List<(PushPlan Plan, PushDone Done)> finished, CancellationToken cancellationToken)
    {
        if (finished.Count == 0)
        {
            return;
        }

        var counts = Counts;
        foreach (var (plan, done) in finished)
        {
            Track(plan, done);
        }

        try
        {
            await db.SaveChangesAsync(CancellationToken.None);
            return;
        }
        catch (DbUpdateException)
        {
            await DiscardPendingChangesAsync();
            (Pushed, Updated, Deleted, Pulled, Conflicts, Restored) = counts;
        }

        foreach (var (plan, done) in finished)
        {
            try
            {
                await RecordOneAsync(plan, done, cancellationToken);
            }
            catch (Exception e) when (IsResourceProblem(e))
            {
                NoteProblem(plan.Appointment.Id, e);
                await DiscardPendingChangesAsync();
            }
        }
    }

    private async Task RecordOneAsync(PushPlan plan, PushDone done, CancellationToken cancellationToken)
    {
        Track(plan, done);
        try
        {
            await db.SaveChangesAsync(CancellationToken.None);
        }
        catch (DbUpdateException) when (plan.Target is null)
        {
            // The appointment or the binding went away meanwhile, so no target row can say where this event is:
            // take it back off the server rather than leave an orphan nobody would ever delete.
            Pushed--;
            await DeleteRemoteAsync(client, plan.Href, done.Etag, cancellationToken);
            throw;
        }
    }

    /// <summary>PUT If-None-Match: *. If the resource is there already (an earlier tick died after its PUT, or a
    /// retried request landed twice) it is ours — the UID and href come from our ids — so it is overwritten.</summary>
    private async Task<string?> CreateOrAdoptAsync(string href, string iCalendar, CancellationToken cancellationToken)
    {
        try
        {
            return await client.CreateAsync(href, iCalendar, cancellationToken);
        }
        catch (CalDavConflictException)
        {
            var current = await client.GetEtagAsync(href, cancellationToken);
            if (current is not null)
            {
                return await client.UpdateAsync(href, iCalendar, current, cancellationToken);
            }

            // Not there, yet the PUT conflicted: the calendar itself is missing (Radicale answers 409).
            await EnsureCalendarAsync(cancellationToken);
            return await client.CreateAsync(href, iCalendar, cancellationToken);
        }
        catch (CalDavNotFoundException)
        {
            // The calendar is missing (Xandikos answers 404).
            await EnsureCalendarAsync(cancellationToken);
            return await client.CreateAsync(href, iCalendar, cancellationToken);
        }
        catch (CalDavForbiddenException) when (_calendarEnsured is null)
        {
            // Cyrus answers 403 ("Mailbox does not exist") to a PUT into a missing calendar; any other 403 stands.
            if (!await CalendarMissingAsync(cancellationToken))
            {
                throw;
            }

            await EnsureCalendarAsync(cancellationToken);
            return await client.CreateAsync(href, iCalendar, cancellationToken);
        }
    }

    private async Task<bool> CalendarMissingAsync(CancellationToken cancellationToken)
    {
        try
        {
            await client.GetCollectionStateAsync(binding.CalendarPath, ChangeMarkers.Ctag, cancellationToken);
            return false;
        }
        catch (CalDavNotFoundException)
        {
            return true;
        }
    }

    private readonly object _calendarGate = new();
    private Task? _calendarEnsured;

    /// <summary>A binding on a calendar that does not exist yet creates it (once per tick, however many concurrent
    /// pushes find it missing), named after the binding.</summary>
    private Task EnsureCalendarAsync(CancellationToken cancellationToken)
    {
        lock (_calendarGate)
        {
            return _calendarEnsured ??= MakeCalendarAsync(cancellationToken);
        }
    }

    private async Task MakeCalendarAsync(CancellationToken cancellationToken)
    {
        var name = binding.DisplayName ?? binding.CalendarPath.TrimEnd('/').Split('/')[^1];
        try
        {
            await client.MakeCalendarAsync(binding.CalendarPath, name, cancellationToken);
        }
        catch (CalDavConflictException)
        {
            // It exists after all.
        }
    }

    private enum PutOutcome
    {
        Created,
        Updated,
        Conflict,
        Restored,
    }

    /// <summary>PUT If-Match with the ETag we last saw. A 412 means the server's copy changed as well: fetch it and
    /// overwrite it (Paliad is the system of record) with a SEQUENCE above the one the other side wrote, keeping what
    /// other clients added to it, or re-create it when it was deleted. Whether that lost the other side's edit (a
    /// conflict) or only merged around its additions is decided by <see cref="ReconcilePolicy"/>.</summary>
    private async Task<PushDone> OverwriteAsync(Overwrite overwrite, CancellationToken cancellationToken)
    {
        var (href, render, sequence, knownEtag, foreignParts, lastSyncedHash, timeZone) = overwrite;
        if (knownEtag is not null)
        {
            try
            {
                return new PushDone(await client.UpdateAsync(href, render(sequence, foreignParts), knownEtag, cancellationToken), PutOutcome.Updated, foreignParts);
            }
            catch (CalDavConflictException)
            {
                // Both sides changed; fall through to overwrite what is there now.
            }
        }

        var current = await client.GetAsync(href, cancellationToken);
        if (current is null)
        {
            return new PushDone(await client.CreateAsync(href, render(sequence, foreignParts), cancellationToken), PutOutcome.Restored, foreignParts);
        }

        var readable = ICalendarMapper.TryParse(current.ICalendar, timeZone, out var remote, out _);
        var decision = ReconcilePolicy.Decide(remoteDeleted: false, remoteChanged: true, localChanged: true, readable, userMayEdit: false,
            remoteOwnFieldsChanged: !readable || remote!.AsContent(timeZone).ContentHash() != lastSyncedHash, remoteIsSeries: readable && remote!.IsSeries);
        var merged = readable ? remote!.ForeignParts : foreignParts;
        var body = render(Math.Max(sequence, (remote?.Sequence ?? -1) + 1), merged);
        var etag = current.Etag ?? await client.GetEtagAsync(href, cancellationToken);
        var written = etag is null ? await client.CreateAsync(href, body, cancellationToken) : await client.UpdateAsync(href, body, etag, cancellationToken);

        // Without a known ETag (a backfilled copy) a changed copy cannot be told from an unchanged one: no conflict.
        return knownEtag is null
            ? new PushDone(written, PutOutcome.Updated, merged)
            : new PushDone(written, ReconcilePolicy.CountsConflict(decision) ? PutOutcome.Conflict : PutOutcome.Updated, merged,
                new FoundCopy(decision, readable, remote?.Title));
    }

    /// <summary>Raises, on the copy, what its user should know about a write that met the server's copy changed or
    /// gone: their calendar's edit was overwritten, their series reverted, or their deletion undone.</summary>
    private void RecordWhatTheUserLost(AppointmentTarget target, Appointment appointment, PushDone done, DateTimeOffset now)
    {
        if (done.Outcome == PutOutcome.Restored)
        {
            target.RecordRemoteDeletionReverted(binding, appointment, now);
            return;
        }

        if (done.Found is { } found)
        {
            RecordWhatTheUserLost(target, appointment, found, now);
        }
    }

    private void RecordWhatTheUserLost(AppointmentTarget target, Appointment appointment, FoundCopy found, DateTimeOffset now)
    {
        switch (found.Decision)
        {
            case ReconcileDecision.RevertSeries:
                target.RecordRemoteSeriesReverted(binding, appointment, found.RemoteTitle, now);
                break;
            case ReconcileDecision.OverwriteRemoteCountConflict or ReconcileDecision.OverwriteRemote:
                var loss = !found.Readable ? RemoteEditLoss.Unreadable
                    : found.Decision == ReconcileDecision.OverwriteRemote ? RemoteEditLoss.ViewOnly : RemoteEditLoss.ChangedInPaliad;
                target.RecordRemoteEditOverwritten(binding, appointment, found.RemoteTitle, loss, now);
                break;
        }
    }

    private void Count(PutOutcome outcome)
    {
        switch (outcome)
        {
            case PutOutcome.Created:
                Pushed++;
                metrics.Pushes.Add(1);
                break;
            case PutOutcome.Updated:
                Updated++;
                metrics.Pushes.Add(1);
                break;
            case PutOutcome.Conflict:
                Updated++;
                Conflicts++;
                metrics.Pushes.Add(1);
                metrics.Conflicts.Add(1);
                break;
            case PutOutcome.Restored:
                Restored++;
                metrics.Restored.Add(1);
                break;
        }
    }
}
