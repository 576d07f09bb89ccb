using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Paliad.Application.Appointments;
using Paliad.Application.Projects;
using Paliad.Domain.Appointments;
using Paliad.Domain.CalDav;
using Paliad.Domain.Common;
using Paliad.Domain.Projects;
using Paliad.Infrastructure.CalDav;
using Paliad.Infrastructure.CalDav.ICalendar;
using Paliad.Infrastructure.Persistence;

namespace Paliad.Infrastructure.Sync;

/// <summary>
/// The work on one binding's calendar, in one DbContext: push what changed, delete what left the scope, pull what
/// changed on the server, and reconcile by per-target ETag. Every PUT and DELETE is recorded in the database right
/// after it succeeds — with no cancellation token, so a deadline that fires just after a write cannot drop its
/// record — and UIDs and hrefs are derived from ids, so an interrupted tick leaves nothing the next one does not
/// converge and never a duplicate.
/// </summary>
internal sealed partial class BindingTick(
    PaliadDbContext db,
    CalDavClient client,
    CalendarBinding binding,
    TimeProvider clock,
    SyncOptions options,
    SyncMetrics metrics,
    ILogger logger,
    Func<Task> renewLease,
    int pushConcurrency = 1)
{
    /// <summary>Bookkeeping of concurrent pushes is written in batches of this many rows (or every second).</summary>
    private const int BookkeepingBatch = 200;

    /// <summary>Writes answered 5xx in a row before a push phase counts the server as failing.</summary>
    private const int MaxServerErrorsInARow = 3;

    private readonly List<string> _problems = [];
    private DateTimeOffset _lastRenewal = clock.GetUtcNow();

    public int Pushed { get; private set; }

    public int Updated { get; private set; }

    public int Deleted { get; private set; }

    public int Pulled { get; private set; }

    public int Conflicts { get; private set; }

    public int Restored { get; private set; }

    /// <summary>Per-resource problems (the tick went on without them): the tick is then "partial".</summary>
    public IReadOnlyList<string> Problems => _problems;

    public SyncCounts Counts => new(Pushed, Updated, Deleted, Pulled, Conflicts, Restored);

    // ---- the whole tick ---------------------------------------------------------------------------------------------

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        // What to push is found in SQL, by version: appointments in scope without a target or changed since their copy
        // was synced, and targets whose appointment left the scope. A tick with nothing to push loads no appointment
        // and no target (the database still evaluates the scope to know that).
        var toPush = await (
                from a in db.ForBinding(binding)
                join t in db.AppointmentTargets.Where(t => t.BindingId == binding.Id) on a.Id equals t.AppointmentId into copies
                from t in copies.DefaultIfEmpty()
                where t == null || t.SyncedVersion == null || t.SyncedVersion != a.Version
                select new { Appointment = a, Target = t })
            .ToListAsync(cancellationToken);
        var stale = await db.AppointmentTargets
            .Where(t => t.BindingId == binding.Id && !db.ForBinding(binding).Any(a => a.Id == t.AppointmentId))
            .ToListAsync(cancellationToken);

        var plans = toPush.OrderBy(p => p.Appointment.StartsAt)
            .Select(p => PlanPush(p.Appointment, p.Target, recordUnchanged: true))
            .OfType<PushPlan>()
            .ToList();
        await PushManyAsync(plans, cancellationToken);
        if (db.ChangeTracker.HasChanges())
        {
            await db.SaveChangesAsync(CancellationToken.None); // versions of copies found unchanged
        }

        foreach (var target in stale)
        {
            await Guarded(target.AppointmentId, () => DeleteStaleAsync(target, cancellationToken));
        }

        await PullAsync(cancellationToken);
    }

    // ---- push ---------------------------------------------------------------------------------------------------------

    /// <summary>One appointment to push: what to write where, computed before any request.</summary>
    private sealed record PushPlan(Appointment Appointment, AppointmentTarget? Target, string Uid, string Href, EventContent Content, string Hash, DateTimeOffset Now)
    {
        public string Render(int sequence)
            => ICalendarMapper.ToICalendar(Content, sequence, Appointment.CreatedAt, Appointment.UpdatedAt, Now);
    }

    /// <summary>What the server took: the new ETag and how the write went.</summary>
    private sealed record PushDone(string? Etag, PutOutcome Outcome);

    /// <summary>Null when the remote event already holds what the appointment says (same content hash) — then,
    /// with <paramref name="recordUnchanged"/>, the copy is marked as matching the appointment's version, so it is not
    /// looked at again until the appointment changes.</summary>
    private PushPlan? PlanPush(Appointment appointment, AppointmentTarget? target, bool recordUnchanged = false)
    {
        var uid = target?.CalDavUid ?? EventNames.Uid(appointment.Id, binding.Id);
        var href = target?.CalDavHref ?? EventNames.Href(binding.CalendarPath, uid);
        var content = EventContent.From(appointment, uid);
        var hash = content.ContentHash();
        if (target is not null && target.ContentHash == hash)
        {
            if (recordUnchanged && target.SyncedVersion != appointment.Version)
            {
                target.RecordPushed(target.CalDavEtag, hash, target.LastPushedAt ?? clock.GetUtcNow(), appointment.Version);
            }

            return null;
        }

        return new PushPlan(appointment, target, uid, href, content, hash, clock.GetUtcNow());
    }

    /// <summary>Makes the remote event match the appointment: create it (no target), update it (content hash
    /// differs), or nothing (unchanged). A 412 on update means the server's copy changed too: Paliad wins.</summary>
    public async Task PushAsync(Appointment appointment, AppointmentTarget? target, CancellationToken cancellationToken)
    {
        if (PlanPush(appointment, target) is not { } plan)
        {
            return;
        }

        var done = await WriteAsync(plan, cancellationToken);
        await RecordOneAsync(plan, done, cancellationToken);
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
    private async Task PushManyAsync(IReadOnlyList<PushPlan> plans, CancellationToken cancellationToken)
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
            return new PushDone(await CreateOrAdoptAsync(plan.Href, plan.Render(plan.Appointment.Version), cancellationToken), PutOutcome.Created);
        }

        var (etag, outcome) = await OverwriteAsync(plan.Href, plan.Render, plan.Appointment.Version, plan.Target.CalDavEtag, cancellationToken);
        return new PushDone(etag, outcome);
    }

    /// <summary>Puts a finished push into the change tracker and counts it (saved by the caller).</summary>
    private void Track(PushPlan plan, PushDone done)
    {
        if (plan.Target is null)
        {
            db.AppointmentTargets.Add(AppointmentTarget.RecordCreated(
                plan.Appointment.Id, binding.Id, plan.Uid, plan.Href, done.Etag, plan.Hash, plan.Now, plan.Appointment.Version));
        }
        else
        {
            plan.Target.RecordPushed(done.Etag, plan.Hash, plan.Now, plan.Appointment.Version);
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
    /// overwrite it (Paliad is the system of record) with a SEQUENCE above the one the other side wrote, or re-create
    /// it when it was deleted.</summary>
    private async Task<(string? Etag, PutOutcome Outcome)> OverwriteAsync(
        string href, Func<int, string> render, int sequence, string? knownEtag, CancellationToken cancellationToken)
    {
        if (knownEtag is not null)
        {
            try
            {
                return (await client.UpdateAsync(href, render(sequence), knownEtag, cancellationToken), PutOutcome.Updated);
            }
            catch (CalDavConflictException)
            {
                // Both sides changed; fall through to overwrite what is there now.
            }
        }

        var current = await client.GetAsync(href, cancellationToken);
        if (current is null)
        {
            return (await client.CreateAsync(href, render(sequence), cancellationToken), PutOutcome.Restored);
        }

        var theirs = ICalendarMapper.TryParse(current.ICalendar, "UTC", out var remote, out _) ? remote!.Sequence : -1;
        var etag = current.Etag ?? await client.GetEtagAsync(href, cancellationToken);
        var written = etag is null
            ? await client.CreateAsync(href, render(Math.Max(sequence, theirs + 1)), cancellationToken)
            : await client.UpdateAsync(href, render(Math.Max(sequence, theirs + 1)), etag, cancellationToken);
        return (written, knownEtag is null ? PutOutcome.Updated : PutOutcome.Conflict);
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

    // ---- pull ---------------------------------------------------------------------------------------------------------

    private async Task PullAsync(CancellationToken cancellationToken)
    {
        CollectionState state;
        try
        {
            state = await client.GetCollectionStateAsync(binding.CalendarPath, cancellationToken);
        }
        catch (CalDavNotFoundException)
        {
            await EnsureCalendarAsync(cancellationToken);
            state = await client.GetCollectionStateAsync(binding.CalendarPath, cancellationToken);
        }

        var problemsBefore = _problems.Count;
        var fullReconcile = (binding.SyncToken is null && binding.Ctag is null)
                            || binding.TicksSinceFullReconcile + 1 >= Math.Max(1, options.FullReconcileEvery);

        // Unchanged when the markers the server has are the ones we kept (servers without sync-collection have only a ctag).
        var unchanged = (state.SyncToken is not null || state.Ctag is not null)
                        && state.SyncToken == binding.SyncToken && state.Ctag == binding.Ctag;
        if (unchanged && !fullReconcile)
        {
            binding.RecordPull(binding.SyncToken, binding.Ctag, fullReconcile: false);
            return;
        }

        // Something changed on the server (or a full reconciliation is due): only now are the binding's appointments
        // and copies read (tracked ones are the same instances the push used).
        var appointments = await db.ForBinding(binding).ToDictionaryAsync(a => a.Id, cancellationToken);
        var targets = await db.AppointmentTargets.Where(t => t.BindingId == binding.Id).ToListAsync(cancellationToken);
        var live = targets.Where(t => appointments.ContainsKey(t.AppointmentId)).ToDictionary(t => Hrefs.Key(t.CalDavHref), StringComparer.Ordinal);
        var changed = new List<AppointmentTarget>();
        var deleted = new List<AppointmentTarget>();
        var newToken = state.SyncToken;
        if (!fullReconcile && state.SupportsSyncCollection && binding.SyncToken is not null)
        {
            var sync = await client.SyncCollectionAsync(binding.CalendarPath, binding.SyncToken, cancellationToken);
            newToken = sync.SyncToken;
            if (sync.WasReset)
            {
                Compare(live, sync.Changes.Where(c => !c.Deleted).ToDictionary(c => c.Href, c => c.Etag, StringComparer.Ordinal), changed, deleted);
                fullReconcile = true;
            }
            else
            {
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
            Compare(live, await client.ListEtagsAsync(binding.CalendarPath, cancellationToken), changed, deleted);
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
        if (appointment.Change(details, now))
        {
            Pulled++;
            metrics.Pulls.Add(1);
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
            var readable = ICalendarMapper.TryParse(remote.ICalendar, appointment.TimeZone, out var edit, out _);
            var decision = await DecideAsync(appointment, target, remote, EventContent.From(appointment, target.CalDavUid), readable, cancellationToken);
            if (decision == ReconcileDecision.ApplyRemoteEdit)
            {
                ApplyRemoteEdit(appointment, edit!, clock.GetUtcNow());
                await db.SaveChangesAsync(CancellationToken.None);
            }
            else if (decision != ReconcileDecision.Nothing && countConflict)
            {
                // The event leaves this calendar with Paliad's version standing: the phone's edit is not taken.
                Conflicts++;
                metrics.Conflicts.Add(1);
            }
        }

        return remote.Etag;
    }

    private async Task<bool> MayEditAsync(Appointment appointment, CancellationToken cancellationToken)
        => appointment.ProjectId is { } projectId
            ? await db.EffectiveRoleAsync(binding.UserId, projectId, cancellationToken) is { } role && role.CanEdit()
            : appointment.OwnerId == binding.UserId;

    /// <summary>Runs one resource's work; a problem with that resource alone (a conflict that could not be resolved,
    /// an unreadable answer, a concurrent edit) is noted and the tick goes on. Server-wide failures propagate.</summary>
    /// <remarks><paramref name="keepOthersPending"/>: the work changes tracked state only after its last request
    /// succeeded (the pull's reconcile and restore), so a failure leaves nothing of its own to discard, and the other
    /// resources' unsaved changes — recorded together later — stay.</remarks>
    private async Task Guarded(Guid appointmentId, Func<Task> work, bool keepOthersPending = false)
    {
        await RenewLeaseIfDueAsync();

        try
        {
            await work();
        }
        catch (Exception e) when (IsResourceProblem(e))
        {
            NoteProblem(appointmentId, e);
            if (!keepOthersPending)
            {
                await DiscardPendingChangesAsync();
            }
        }
    }

    /// <summary>Saves what the pull applied and wrote, in one round trip.</summary>
    private async Task RecordPulledAsync()
    {
        if (!db.ChangeTracker.HasChanges())
        {
            return;
        }

        try
        {
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

    /// <summary>A failure that concerns one resource (a conflict that would not resolve, an unreadable answer, a
    /// concurrent edit), as opposed to one of the whole server or account, which ends the tick.</summary>
    private static bool IsResourceProblem(Exception e)
        => e is CalDavConflictException or CalDavNotFoundException or CalDavInvalidResponseException
            or CalDavForbiddenException or DbUpdateException or DomainException;

    private void NoteProblem(Guid appointmentId, Exception e)
    {
        _problems.Add($"{appointmentId}: {e.Message}");
        LogResourceProblem(logger, binding.Id, appointmentId, e.Message);
    }

    /// <summary>Renews the binding's lease by time, not per resource, so a tick with nothing to do costs no extra SQL.</summary>
    private async Task RenewLeaseIfDueAsync()
    {
        if (clock.GetUtcNow() - _lastRenewal > TimeSpan.FromSeconds(options.LeaseSeconds) / 3)
        {
            _lastRenewal = clock.GetUtcNow();
            await renewLease();
        }
    }

    /// <summary>Forgets what the failed resource left unsaved, so the next SaveChanges does not retry it.</summary>
    private async Task DiscardPendingChangesAsync()
    {
        foreach (var entry in db.ChangeTracker.Entries().Where(e => e.State is not (EntityState.Unchanged or EntityState.Detached)).ToList())
        {
            if (entry.State == EntityState.Added)
            {
                entry.State = EntityState.Detached;
            }
            else
            {
                await entry.ReloadAsync();
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Binding {BindingId}: skipped malformed iCalendar at {Href}: {Error}")]
    private static partial void LogMalformed(ILogger logger, Guid bindingId, string href, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Binding {BindingId}: appointment {AppointmentId} not synced this tick: {Problem}")]
    private static partial void LogResourceProblem(ILogger logger, Guid bindingId, Guid appointmentId, string problem);
}
