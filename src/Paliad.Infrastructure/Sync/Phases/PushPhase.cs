using System.Runtime.ExceptionServices;
using Paliad.Domain.Appointments;
using Paliad.Domain.CalDav;
using Paliad.Infrastructure.CalDav;
using Paliad.Infrastructure.CalDav.ICalendar;

namespace Paliad.Infrastructure.Sync.Phases;

/// <summary>
/// Push: makes the calendar's events match the appointments. Each appointment is planned (<see cref="PushPlanner"/>:
/// create, update, or nothing) and rendered lazily — on the tick's thread while earlier writes are in flight, so
/// rendering overlaps the network — then written by up to <c>pushConcurrency</c> concurrent PUTs (the server's window
/// in <see cref="ServerConcurrency"/> bounds them again, across bindings), and recorded in batches beside the writes
/// (one batch at a time: the copy book is never used by two at once). Crash-safe because UIDs and hrefs derive from ids and a create that meets
/// an existing resource adopts it: a write whose record was lost is converged, never duplicated.
/// </summary>
internal sealed class PushPhase(TickContext tick, CopyWriter writer, int pushConcurrency)
{
    /// <summary>Bookkeeping of concurrent pushes is written in batches of this many rows (or every second).</summary>
    private const int BookkeepingBatch = 200;

    /// <summary>Writes answered 5xx in a row before a push phase counts the server as failing.</summary>
    private const int MaxServerErrorsInARow = 3;

    private readonly List<Action> _versionsToLearn = [];

    /// <summary>One appointment to write: where, and the event rendered when planned. What other clients added to the
    /// server's copy (as last seen) is merged in.</summary>
    private sealed record PushPlan(Appointment Appointment, AppointmentTarget? Target, string Uid, string Href, EventContent Content, string Hash, DateTimeOffset Now)
    {
        /// <summary>The event at the appointment's version as SEQUENCE (what is sent unless a conflict asks for more).</summary>
        public string Body { get; } = ICalendarMapper.ToICalendar(Content, Appointment.Version, Appointment.CreatedAt, Appointment.UpdatedAt, Now, Target?.ForeignParts);

        public Overwrite AsOverwrite() => new(Href, Render, Appointment.Version, Target?.CalDavEtag, Target?.ForeignParts, Target?.ContentHash, Appointment.TimeZone);

        private string Render(int sequence, string? foreignParts) => sequence == Appointment.Version && foreignParts == Target?.ForeignParts
            ? Body
            : ICalendarMapper.ToICalendar(Content, sequence, Appointment.CreatedAt, Appointment.UpdatedAt, Now, foreignParts);
    }

    /// <summary>Writes the appointments whose copy is missing or differs (in start order); copies found already
    /// holding what the appointment says learn its version. A problem with one event is noted and the rest go on; a
    /// server-wide failure stops new writes, records what finished, and ends the tick.</summary>
    public async Task RunAsync(IEnumerable<PushWork.Item> items, CancellationToken cancellationToken)
    {
        // One byte budget for the push: what the server answers its writes — the copies fetched after 412s above all —
        // is bounded like any other operation's answers.
        using (tick.Calendar.BeginOperation("push"))
        {
            await PushManyAsync(items.OrderBy(p => p.Appointment.StartsAt).Select(p => Plan(p.Appointment, p.Target)).OfType<PushPlan>(), cancellationToken);
        }

        LearnVersions();
        if (tick.Book.HasChanges)
        {
            await tick.Book.SaveAsync(); // versions of copies found unchanged
        }
    }

    private void LearnVersions()
    {
        foreach (var learn in _versionsToLearn)
        {
            learn();
        }

        _versionsToLearn.Clear();
    }

    /// <summary>Null when nothing is written: the copy holds what the appointment says (then it learns the
    /// appointment's version).</summary>
    private PushPlan? Plan(Appointment appointment, AppointmentTarget? target)
    {
        var uid = target?.CalDavUid ?? EventNames.Uid(appointment.Id, tick.Binding.Id);
        var content = EventContent.From(appointment, uid);
        var hash = content.ContentHash();
        switch (PushPlanner.StepFor(target, hash, appointment.Version))
        {
            case PushStep.LearnVersion:
                // Learnt with the next bookkeeping: the copy book may be saving while plans are made.
                var (copy, version, at) = (target!, appointment.Version, target!.LastPushedAt ?? tick.Now);
                _versionsToLearn.Add(() => copy.RecordPushed(copy.CalDavEtag, hash, at, version));
                return null;
            case PushStep.Nothing:
                return null;
            default:
                return new PushPlan(appointment, target, uid, target?.CalDavHref ?? EventNames.Href(tick.Binding.CalendarPath, uid), content, hash, tick.Now);
        }
    }

    private async Task PushManyAsync(IEnumerable<PushPlan> plans, CancellationToken cancellationToken)
    {
        var inFlight = new List<(PushPlan Plan, Task<PushDone> Send)>();
        var finished = new List<(PushPlan Plan, PushDone Done)>();
        var lastFlush = tick.Now;

        // Bookkeeping runs beside the writes (the copy book does one thing at a time: each batch waits for the last).
        var recording = Task.CompletedTask;
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
            catch (Exception e) when (TickContext.IsResourceProblem(e))
            {
                tick.NoteProblem(entry.Plan.Appointment.Id, e);
            }
            catch (CalDavServerErrorException e) when (e.Status is not null && ++serverErrorsInARow < MaxServerErrorsInARow && fatal is null)
            {
                // One write the server answered with a 5xx (after its retries) while others went through: concurrent
                // writes can collide on some servers; this event waits for the next tick. Several in a row: the server
                // is failing, and the tick ends.
                tick.NoteProblem(entry.Plan.Appointment.Id, e);
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

                if (finished.Count >= BookkeepingBatch || tick.Now - lastFlush >= TimeSpan.FromSeconds(1))
                {
                    await recording;
                    await tick.RenewLeaseIfDueAsync();
                    LearnVersions();
                    recording = RecordManyAsync([.. finished], cancellationToken);
                    finished.Clear();
                    lastFlush = tick.Now;
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

            await recording;
            LearnVersions();
            await RecordManyAsync(finished, cancellationToken);
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (fatal is not null)
        {
            ExceptionDispatchInfo.Capture(fatal).Throw();
        }
    }

    /// <summary>The network part of a push: no copy book here (it runs concurrently with other pushes).</summary>
    private async Task<PushDone> WriteAsync(PushPlan plan, CancellationToken cancellationToken)
        => plan.Target is null
            ? new PushDone(await writer.CreateOrAdoptAsync(plan.Href, plan.Body, cancellationToken), PutOutcome.Created)
            : await writer.OverwriteAsync(plan.AsOverwrite(), cancellationToken);

    /// <summary>Puts a finished push into the copy book and counts it (saved by the caller).</summary>
    private void Track(PushPlan plan, PushDone done)
    {
        tick.Tally.Touch(plan.Appointment.Id);
        if (plan.Target is null)
        {
            tick.Book.AddCopy(AppointmentTarget.RecordCreated(
                plan.Appointment.Id, tick.Binding.Id, plan.Uid, plan.Href, done.Etag, plan.Hash, plan.Now, plan.Appointment.Version));
        }
        else
        {
            plan.Target.RecordPushed(done.Etag, plan.Hash, plan.Now, plan.Appointment.Version);
            plan.Target.KeepForeignParts(done.ForeignParts);
            writer.RecordWhatTheUserLost(plan.Target, plan.Appointment, done, plan.Now);
        }

        writer.Count(done.Outcome);
    }

    /// <summary>Records finished pushes in one save; when the batch is refused (an appointment or the binding deleted
    /// meanwhile), records them one by one so only the refused ones are lost — and those are taken back off the
    /// server, since no row could ever say where they are.</summary>
    private async Task RecordManyAsync(List<(PushPlan Plan, PushDone Done)> finished, CancellationToken cancellationToken)
    {
        if (finished.Count == 0)
        {
            return;
        }

        var counts = tick.Tally.Counts;
        foreach (var (plan, done) in finished)
        {
            Track(plan, done);
        }

        try
        {
            await tick.Book.SaveAsync();
            return;
        }
        catch (CopyBookRefusedException)
        {
            await tick.Book.DiscardAsync();
            tick.Tally.ResetTo(counts);
        }

        foreach (var (plan, done) in finished)
        {
            try
            {
                await RecordOneAsync(plan, done, cancellationToken);
            }
            catch (Exception e) when (TickContext.IsResourceProblem(e))
            {
                tick.NoteProblem(plan.Appointment.Id, e);
                await tick.Book.DiscardAsync();
            }
        }
    }

    private async Task RecordOneAsync(PushPlan plan, PushDone done, CancellationToken cancellationToken)
    {
        Track(plan, done);
        try
        {
            await tick.Book.SaveAsync();
        }
        catch (CopyBookRefusedException) when (plan.Target is null)
        {
            // The appointment or the binding went away meanwhile, so no copy row can say where this event is: take it
            // back off the server rather than leave an orphan nobody would ever delete.
            tick.Tally.CreateUndone();
            await writer.DeleteAsync(plan.Href, done.Etag, cancellationToken);
            throw;
        }
    }
}
